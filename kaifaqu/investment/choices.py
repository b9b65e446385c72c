"""Choices of the investment app (SPEC §7): lead stages in their order, event kinds, note kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStage(models.TextChoices):
    """Lead stages in order (线索 → 接洽 → 考察 → 洽谈 → 签约); `lost` (流失) may follow any stage but 签约."""

    LEAD = "lead", _("线索")
    CONTACTED = "contacted", _("接洽")
    VISITED = "visited", _("考察")
    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    LOST = "lost", _("流失")


LEAD_STAGE_ORDER = [LeadStage.LEAD, LeadStage.CONTACTED, LeadStage.VISITED, LeadStage.NEGOTIATING, LeadStage.SIGNED]
# The date field each stage sets when the lead reaches it.
LEAD_STAGE_DATE = {
    LeadStage.LEAD: "received_on",
    LeadStage.CONTACTED: "contacted_on",
    LeadStage.VISITED: "visited_on",
    LeadStage.NEGOTIATING: "negotiating_on",
    LeadStage.SIGNED: "signed_on",
    LeadStage.LOST: "lost_on",
}


class EventKind(models.TextChoices):
    """招商活动 kinds."""

    FAIR = "推介会", _("推介会")
    FORUM = "座谈会", _("座谈会")
    CONFERENCE = "招商大会", _("招商大会")
    VISIT = "考察对接", _("考察对接")
    OTHER = "其他", _("其他")


class NoteKind(models.TextChoices):
    """What a timeline entry of a lead records."""

    CREATED = "created", _("登记")
    FOLLOW_UP = "follow_up", _("跟进")
    STAGE = "stage", _("阶段变更")
    CONVERTED = "converted", _("转为项目")

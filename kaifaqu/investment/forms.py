"""Forms of the investment pages. They parse input into the services' arguments; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from kaifaqu.accounts.models import OrgUnit, User
from kaifaqu.core.credit_code import credit_code_error
from kaifaqu.core.params import BoundedDateField, IdChoiceField, IdField
from kaifaqu.core.privacy import mask_phone
from kaifaqu.core.versioning import MISSING_VERSION
from kaifaqu.projects.choices import ProjectType, PromotionMethod
from kaifaqu.projects.forms import zone_choices
from kaifaqu.zones.models import IndustryChain, Region, Zone

from .choices import LEAD_STAGE_ORDER, EventKind, LeadStage
from .models import Lead, PromotionEvent
from .selectors import EventFilters, LeadFilters
from .services import WORKING_ROLES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> takes
MONEY_ERRORS = {"invalid": "应为数字（万元）", "min_value": "不能为负数", "max_digits": "数值过大",
                "max_decimal_places": "最多两位小数", "max_whole_digits": "数值过大"}
BANDS = [("", "不限"), ("1", "1亿元及以上"), ("5", "5亿元及以上"), ("10", "10亿元及以上")]


def workers(user):
    """People who may own a lead: the working roles in the user's scope."""
    return User.objects.visible_to(user).filter(role__in=WORKING_ROLES, is_active=True).order_by("username")


def working_zones(user):
    """Zones the user may enter leads for: their scope if they hold a working role."""
    zones = Zone.objects.visible_to(user).select_related("city").order_by("city__code", "code")
    return zones if user.is_superuser or user.role in WORKING_ROLES else zones.none()


class LeadFilterForm(forms.Form):
    """The lead list's and board's filters."""

    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "企业名称或投资意向"}))
    city = forms.ChoiceField(label="市", required=False)
    zone = forms.ChoiceField(label="开发区", required=False)
    chain = IdChoiceField(label="产业链", required=False, queryset=IndustryChain.objects.all(),
                          empty_label="全部产业链")
    owner = IdChoiceField(label="负责人", required=False, queryset=User.objects.none(),
                          empty_label="全部负责人")
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部阶段"), *LeadStage.choices])
    date_from = BoundedDateField(label="阶段日期自", required=False, widget=DATE)
    date_to = BoundedDateField(label="至", required=False, widget=DATE)
    band = forms.ChoiceField(label="投资规模", required=False, choices=BANDS)
    method = forms.ChoiceField(label="招商方式", required=False, choices=[("", "全部方式"), *PromotionMethod.choices])
    event = IdField(label="来源活动", required=False, widget=forms.HiddenInput)
    overdue = forms.BooleanField(label="仅看逾期", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zone_choices(self, user)
        self.fields["owner"].queryset = workers(user)

    def filters(self) -> LeadFilters:
        d = self.cleaned_data if self.is_valid() else {}
        return LeadFilters(
            q=d.get("q", ""), city=d.get("city", ""), zone=d.get("zone", ""),
            chain=d["chain"].pk if d.get("chain") else None, owner=d["owner"].pk if d.get("owner") else None,
            stage=d.get("stage", ""), date_from=d.get("date_from"), date_to=d.get("date_to"), band=d.get("band", ""),
            method=d.get("method", ""), event=d.get("event"), overdue=d.get("overdue", False))


class LeadForm(forms.Form):
    """Enter or edit a lead (the "仍然保存" button after possible duplicates posts `confirm=1` besides)."""

    company = forms.CharField(label="企业名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", required=False, max_length=18,
                                  help_text="选填；填写后关联企业登记信息")
    project_name = forms.CharField(label="投资意向（项目名称）", required=False, max_length=200)
    project_type = forms.ChoiceField(label="项目类型", choices=ProjectType.choices, initial=ProjectType.INDUSTRIAL)
    investment = forms.DecimalField(label="意向投资额(万元)", required=False, min_value=0, max_digits=16,
                                    decimal_places=2, error_messages=MONEY_ERRORS)
    zone = IdChoiceField(label="拟落地开发区", required=False, queryset=Zone.objects.none(),
                         error_messages={"invalid_choice": "开发区不存在或无权访问"})
    chain = IdChoiceField(label="所属产业链", required=False, queryset=IndustryChain.objects.all())
    method = forms.ChoiceField(label="招商方式", required=False, choices=[("", "—"), *PromotionMethod.choices])
    source_event = IdChoiceField(label="来源活动", required=False, queryset=PromotionEvent.objects.none())
    contact = forms.CharField(label="联系人", required=False, max_length=50)
    phone = forms.CharField(label="联系电话", required=False, max_length=30)
    owner_unit = IdChoiceField(label="负责团队", queryset=OrgUnit.objects.none())
    owner = IdChoiceField(label="负责人", required=False, queryset=User.objects.none())
    received_on = BoundedDateField(label="获取日期", required=False, widget=DATE, initial=timezone.localdate)
    next_action = forms.CharField(label="下一步行动", required=False, max_length=200)
    next_action_on = BoundedDateField(label="下次行动日期", required=False, widget=DATE)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, lead: Lead | None = None, **kwargs):
        if lead is not None and unbound(args, kwargs):
            kwargs["initial"] = initial_of(lead)
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = working_zones(user)
        self.fields["source_event"].queryset = PromotionEvent.objects.visible_to(user).order_by("-date", "name")
        self.fields["owner_unit"].queryset = OrgUnit.objects.visible_to(user)
        self.fields["owner"].queryset = workers(user)
        self.fields["owner_unit"].initial = user.org_unit_id
        self.fields["owner"].initial = user.pk
        self.lead = lead
        self.masked_phone = mask_phone(lead.phone) if lead is not None and not lead.phone_visible_to(user) else ""
        if self.masked_phone:
            # An editor who does not work the lead keeps seeing its number masked; left as shown, it stays as it was.
            self.initial["phone"] = self.masked_phone
            self.fields["phone"].help_text = "号码已脱敏显示；不修改则保留原号码"
        if lead is not None:
            # The lead's current team and owner stay choosable even when they lie above the editor's unit.
            self.fields["owner_unit"].queryset |= OrgUnit.objects.filter(pk=lead.owner_unit_id)
            self.fields["owner"].queryset |= User.objects.filter(pk=lead.owner_id)
            del self.fields["received_on"]
            require_version(self)
            if lead.stage == LeadStage.SIGNED:
                self.fields["zone"].required = self.fields["investment"].required = True

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"].strip().upper()
        if code and (error := credit_code_error(code)):
            raise forms.ValidationError(error)
        return code

    def values(self) -> dict:
        """The service's keyword arguments."""
        values = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        values["method"] = values.get("method") or ""
        if self.masked_phone and values.get("phone") == self.masked_phone:
            values["phone"] = self.lead.phone
        if values.get("received_on") is None:
            values.pop("received_on", None)
        return values


def unbound(args: tuple, kwargs: dict) -> bool:
    """Is a form being made without data (`Form(request.POST or None)` on a GET passes None)? Then an edit form
    shows the record's values."""
    data = args[0] if args else kwargs.get("data")
    return data is None


def require_version(form: forms.Form) -> None:
    """An edit form's hidden `version` is required: without it the edit is refused, in Chinese."""
    field = form.fields["version"]
    field.required = True
    field.error_messages = {"required": MISSING_VERSION, "invalid": MISSING_VERSION}


def initial_of(lead: Lead) -> dict:
    """The edit form's values for a lead."""
    fields = ["company", "project_name", "project_type", "investment", "zone", "chain", "method", "source_event",
              "contact", "phone", "owner_unit", "owner", "next_action", "next_action_on", "note", "version"]
    initial = {f: getattr(lead, f"{f}_id" if f in ("zone", "chain", "source_event", "owner_unit", "owner") else f)
               for f in fields}
    return initial | {"credit_code": lead.enterprise.credit_code if lead.enterprise_id else ""}


class AdvanceForm(forms.Form):
    """Move a lead on (or mark it lost)."""

    stage = forms.ChoiceField(label="推进到", choices=[*[(s.value, s.label) for s in LEAD_STAGE_ORDER],
                                                        (LeadStage.LOST.value, LeadStage.LOST.label)])
    date = BoundedDateField(label="日期", widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="流失原因", required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput,  # (the board's cards and the lead's page carry it)
                                 error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION})
    next = forms.CharField(widget=forms.HiddenInput, required=False)


class NoteForm(forms.Form):
    """A follow-up note, with the next step."""

    text = forms.CharField(label="跟进情况", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    on = BoundedDateField(label="跟进日期", widget=DATE, initial=timezone.localdate)
    next_action = forms.CharField(label="下一步行动", required=False, max_length=200)
    next_action_on = BoundedDateField(label="下次行动日期", required=False, widget=DATE)


class EventFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50)
    city = forms.ChoiceField(label="市", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *EventKind.choices])
    date_from = BoundedDateField(label="日期自", required=False, widget=DATE)
    date_to = BoundedDateField(label="至", required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", "全部城市"), *[(c.code, c.name) for c in cities_of(user)]]

    def filters(self) -> EventFilters:
        d = self.cleaned_data if self.is_valid() else {}
        return EventFilters(q=d.get("q", ""), city=d.get("city", ""), kind=d.get("kind", ""),
                            date_from=d.get("date_from"), date_to=d.get("date_to"))


def cities_of(user):
    """The cities of the user's zones."""
    return Region.objects.filter(pk__in=Zone.objects.visible_to(user).values("city_id")).order_by("code")


class EventForm(forms.Form):
    """Enter or edit a promotion event."""

    name = forms.CharField(label="活动名称", max_length=200)
    date = BoundedDateField(label="活动日期", widget=DATE)
    city = IdChoiceField(label="所属市", queryset=Region.objects.none())
    kind = forms.ChoiceField(label="活动类型", choices=EventKind.choices)
    venue = forms.CharField(label="举办地点", required=False, max_length=100)
    organiser = IdChoiceField(label="主办单位", queryset=OrgUnit.objects.none())
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, event: PromotionEvent | None = None, **kwargs):
        if event is not None and unbound(args, kwargs):
            kwargs["initial"] = {"name": event.name, "date": event.date, "city": event.city_id, "kind": event.kind,
                                 "venue": event.venue, "organiser": event.organiser_id, "note": event.note,
                                 "version": event.version}
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities_of(user)
        self.fields["organiser"].queryset = OrgUnit.objects.visible_to(user)
        self.fields["organiser"].initial = self.fields["organiser"].initial or user.org_unit_id
        if event is not None:
            require_version(self)

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class FunnelForm(forms.Form):
    """The funnel's period and city."""

    date_from = BoundedDateField(label="自", required=False, widget=DATE)
    date_to = BoundedDateField(label="至", required=False, widget=DATE)
    city = forms.ChoiceField(label="市", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", "本单位范围"), *[(c.code, c.name) for c in cities_of(user)]]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截至日期")
        return data


class CityTotalForm(forms.Form):
    """全市数: the city's signed promotion projects and investment of a year."""

    city = IdChoiceField(label="市", queryset=Region.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    signed_projects = forms.IntegerField(label="全市签约项目数", min_value=0, max_value=1_000_000, error_messages={
        "invalid": "应为整数", "min_value": "不能为负数", "max_value": "不能超过1000000"})
    signed_investment = forms.DecimalField(label="全市签约投资额(万元)", min_value=0, max_digits=16,
                                           decimal_places=2, error_messages=MONEY_ERRORS)
    note = forms.CharField(label="说明", required=False, max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities_of(user)

"""Lead writes: 登记 (with the duplicate check), 修改, 阶段推进, 跟进 and 转为项目."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from kaifaqu.accounts.models import User
from kaifaqu.core.credit_code import credit_code_error
from kaifaqu.projects.choices import ProjectType, PromotionMethod, Stage
from kaifaqu.projects.models import Project
from kaifaqu.zones.models import Enterprise, IndustryChain, Zone

from ..choices import LEAD_STAGE_DATE, LEAD_STAGE_ORDER, LeadStage, NoteKind
from ..models import Lead, LeadNote, PromotionEvent
from ..names import company_key
from .base import (
    Conflict,
    DuplicateLead,
    LeadError,
    NotPermitted,
    can_work,
    check_version,
    lead_unit,
    money,
    require_work,
    today,
)

EDITABLE = {"company", "project_name", "project_type", "contact", "phone", "chain", "investment", "zone",
            "source_event", "method", "owner_unit", "owner", "next_action", "next_action_on", "note", "received_on"}


def _checked(user, values: dict) -> dict:
    """Validate a lead's editable fields (those given); raise LeadError on the first bad one."""
    unknown = set(values) - EDITABLE - {"credit_code"}
    if unknown:
        raise TypeError(f"not lead fields: {sorted(unknown)}")
    out = dict(values)
    if "company" in out:
        out["company"] = (out["company"] or "").strip()
        if not out["company"]:
            raise LeadError("请填写企业名称", "company")
    if out.get("investment") is not None:
        out["investment"] = money(out["investment"], "意向投资额", "investment")
    for key, choices, label in (("method", PromotionMethod, "招商方式"), ("project_type", ProjectType, "项目类型")):
        if out.get(key) and out[key] not in choices.values:
            raise LeadError(f"未知的{label}：{out[key]}", key)
    if out.get("received_on") and out["received_on"] > today():
        raise LeadError("获取日期不能晚于今天", "received_on")
    _check_references(user, out)
    return out


def _check_references(user, values: dict) -> None:
    """Zone, owner team, owner and source event must lie in the user's scope; the zone must be one they work."""
    zone = values.get("zone")
    if zone is not None:
        if not Zone.objects.visible_to(user).filter(pk=zone.pk).exists():
            raise LeadError("开发区不存在或无权访问", "zone")
        require_work(user, zone.org_unit, f"{zone.name}的招商线索")
    unit = values.get("owner_unit")
    if unit is not None and not can_work(user, unit):
        raise NotPermitted("负责团队须为本单位或下级单位", "owner_unit")
    owner = values.get("owner")
    if owner is not None and not User.objects.visible_to(user).filter(pk=owner.pk).exists():
        raise LeadError("负责人不存在或不在本单位范围内", "owner")
    event = values.get("source_event")
    if event is not None and not PromotionEvent.objects.visible_to(user).filter(pk=event.pk).exists():
        raise LeadError("来源活动不存在或无权访问", "source_event")
    chain = values.get("chain")
    if chain is not None and not isinstance(chain, IndustryChain):
        raise LeadError("产业链不存在", "chain")


def _enterprise(company: str, credit_code: str) -> Enterprise | None:
    """The registered enterprise with that credit code, registered now if new; None without a code."""
    code = (credit_code or "").strip().upper()
    if not code:
        return None
    if error := credit_code_error(code):
        raise LeadError(error, "credit_code")
    found = Enterprise.objects.filter(credit_code=code).first()
    if found is not None:
        if company_key(found.name) != company_key(company):
            raise LeadError(f"该统一社会信用代码已登记为“{found.name}”，与企业名称不符", "credit_code")
        return found
    enterprise = Enterprise(name=company, credit_code=code)
    try:
        enterprise.full_clean()
    except ValidationError as exc:
        raise LeadError("；".join(exc.messages), "credit_code") from None
    enterprise.save()
    return enterprise


def _note(lead: Lead, user, kind: str, text: str, on: date | None = None) -> LeadNote:
    return LeadNote.objects.create(lead=lead, kind=kind, on=on or today(), text=text[:2000], user=user)


# ---- leads ---------------------------------------------------------------------------------------------------

@transaction.atomic
def lead_create(*, user, company: str, credit_code: str = "", confirm: bool = False, **fields) -> Lead:
    """Enter a lead (登记线索). The same company with the same intent in the same zone — names compared without
    spaces, punctuation, full/half width or the 有限公司/有限责任公司/股份有限公司 suffix — is refused as a
    duplicate (DuplicateLead, with the leads it duplicates) unless `confirm`. Other fields: see EDITABLE."""
    from ..selectors import lead_duplicates

    values = _checked(user, {"company": company, **fields})
    values["owner_unit"] = values.get("owner_unit") or user.org_unit
    values["owner"] = values.get("owner") or (user if user.org_unit_id else None)
    values["received_on"] = values.get("received_on") or today()
    if values["owner_unit"] is None:
        raise LeadError("请选择负责团队", "owner_unit")
    require_work(user, values["zone"].org_unit if values.get("zone") else values["owner_unit"])
    exact = [d for d in lead_duplicates(user=user, company=values["company"], zone=values.get("zone"),
                                        project_name=values.get("project_name", "")) if d.exact]
    if exact and not confirm:
        raise DuplicateLead(f"可能重复：{_describe(exact)}已在登记中；确认不是同一项目后可仍然保存", exact)
    lead = Lead(**values, enterprise=_enterprise(values["company"], credit_code))
    lead.save()
    _note(lead, user, NoteKind.CREATED, "登记线索" + (f"（来源活动：{lead.source_event.name}）" if lead.source_event_id
                                                 else ""), lead.received_on)
    return lead


def _describe(leads: list[Lead]) -> str:
    return "、".join(f"“{d.company}”（{d.get_stage_display()}，线索{d.pk}）" for d in leads[:3])


def _locked(lead: Lead) -> Lead:
    # Lock the lead's row only: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
    related = ["zone__org_unit", "owner_unit", "enterprise", "chain", "source_event"]
    return Lead.objects.select_for_update(of=("self",)).select_related(*related).get(pk=lead.pk)


@transaction.atomic
def lead_update(*, user, lead: Lead, version: int | None, credit_code: str | None = None, **changes) -> Lead:
    """Change a lead's details (not its stage: see `lead_advance`). `version` is the one the editor saw,
    required: if it is missing or the lead has been saved since, the edit is refused and nothing changes."""
    current = _locked(lead)
    require_work(user, lead_unit(current))
    check_version(current, version)
    # Only what changed is checked: an unchanged owner team the editor could not choose stays as it is.
    values = _checked(user, {k: v for k, v in changes.items() if getattr(current, k) != v})
    for key, value in values.items():
        setattr(current, key, value)
    if current.stage == LeadStage.SIGNED and (current.zone_id is None or current.investment is None):
        raise LeadError("已签约的线索须保留开发区和投资额", "zone" if current.zone_id is None else "investment")
    if credit_code is not None:
        current.enterprise = _enterprise(current.company, credit_code)
    check_stage_dates(current)
    current.version += 1
    current.save()
    return current


def check_stage_dates(lead: Lead) -> None:
    """Stage dates follow the stage order (获取 ≤ 接洽 ≤ 考察 ≤ 洽谈 ≤ 签约)."""
    known = [(s, getattr(lead, LEAD_STAGE_DATE[s])) for s in LEAD_STAGE_ORDER]
    known = [(s, d) for s, d in known if d]
    for (s1, d1), (s2, d2) in zip(known, known[1:], strict=False):
        if d1 > d2:
            raise LeadError(f"{s2.label}日期（{d2}）不能早于{s1.label}日期（{d1}）", LEAD_STAGE_DATE[s1])


def _stage(value: str) -> LeadStage:
    if value not in LeadStage.values:
        raise LeadError(f"未知的阶段：{value}", "stage")
    return LeadStage(value)


@transaction.atomic
def lead_advance(*, user, lead: Lead, stage: str, on: date | None, reason: str = "",
                 version: int | None = None) -> Lead:
    """Move a lead to `stage` on date `on` (阶段推进). Stages only go forward (they may skip); any stage but a
    converted one may end as lost (流失), with a reason. Signing needs the target zone and the investment. A move
    is checked against the lead's stage as it is now, under its lock; `version`, when given (the pages give it),
    also refuses a move made on a lead saved since."""
    current = _locked(lead)
    require_work(user, lead_unit(current))
    if version is not None:
        check_version(current, version)
    stage, old = _stage(stage), LeadStage(current.stage)
    _check_move(current, old, stage, on, reason.strip())
    if stage == LeadStage.LOST:
        current.lost_from, current.lost_reason = old, reason.strip()
    setattr(current, LEAD_STAGE_DATE[stage], on)
    current.stage = stage
    current.version += 1
    current.save()
    _note(current, user, NoteKind.STAGE, f"阶段变更：{old.label} → {stage.label}"
          + (f"（原因：{reason.strip()}）" if stage == LeadStage.LOST else ""), on)
    return current


def _check_move(lead: Lead, old: LeadStage, stage: LeadStage, on: date | None, reason: str) -> None:
    if lead.converted_project_id:
        raise Conflict("该线索已转为项目，阶段请在项目中推进")
    if old == LeadStage.LOST:
        raise Conflict("该线索已流失，不能再变更阶段；如重新接洽，请登记新线索")
    if stage == old:
        raise Conflict(f"该线索已处于“{stage.label}”阶段", "stage")
    if stage != LeadStage.LOST and LEAD_STAGE_ORDER.index(stage) < LEAD_STAGE_ORDER.index(old):
        raise Conflict(f"阶段不能倒退：从“{old.label}”到“{stage.label}”", "stage")
    if stage == LeadStage.LOST and not reason:
        raise LeadError("标记流失须填写原因", "reason")
    if on is None:
        raise LeadError(f"请填写{stage.label}日期", "date")
    if on > today():
        raise LeadError(f"{stage.label}日期（{on}）不能晚于今天", "date")
    reached = [(s, getattr(lead, LEAD_STAGE_DATE[s])) for s in LEAD_STAGE_ORDER]
    latest = max(((s, d) for s, d in reached if d), key=lambda sd: sd[1], default=None)
    if latest and on < latest[1]:
        raise LeadError(f"{stage.label}日期（{on}）不能早于{latest[0].label}日期（{latest[1]}）", "date")
    if stage == LeadStage.SIGNED and lead.zone_id is None:
        raise LeadError("签约前请先填写拟落地开发区", "zone")
    if stage == LeadStage.SIGNED and not lead.investment:
        raise LeadError("签约前请先填写意向投资额", "investment")


@transaction.atomic
def lead_note_add(*, user, lead: Lead, text: str, on: date | None = None, next_action: str | None = None,
                  next_action_on: date | None = None) -> LeadNote:
    """Record a follow-up (跟进记录); with `next_action`/`next_action_on`, also set the lead's next step."""
    current = _locked(lead)
    require_work(user, lead_unit(current))
    text, on = (text or "").strip(), on or today()
    if not text:
        raise LeadError("请填写跟进情况", "text")
    if on > today():
        raise LeadError("跟进日期不能晚于今天", "on")
    if next_action is not None or next_action_on is not None:
        current.next_action = (next_action or "").strip()[:200]
        current.next_action_on = next_action_on
        current.version += 1
        current.save()
    return _note(current, user, NoteKind.FOLLOW_UP, text, on)


# ---- conversion ----------------------------------------------------------------------------------------------

def conversion_note(lead: Lead) -> str:
    """The project's note saying where it came from: the lead, its event and method."""
    parts = [f"由招商线索转入（线索{lead.pk}：{lead.company}）"]
    if lead.source_event_id:
        parts.append(f"来源活动：{lead.source_event.name}（{lead.source_event.date:%Y-%m-%d}）")
    if lead.method:
        parts.append(f"招商方式：{lead.method}")
    return "；".join(parts)[:500]


def _project_values(lead: Lead) -> dict:
    """Every field a signed lead carries into its project."""
    return {
        "name": lead.project_name or f"{lead.company}投资项目", "zone": lead.zone, "builder": lead.company,
        "builder_credit_code": (lead.enterprise.credit_code or "") if lead.enterprise_id else "",
        "type": lead.project_type, "chain": lead.chain,
        "strategic_emerging": bool(lead.chain_id and lead.chain.strategic_emerging),
        "total_investment": lead.investment, "stage": Stage.SIGNED, "signed_on": lead.signed_on,
        "promotion_method": lead.method, "note": conversion_note(lead),
    }


@transaction.atomic
def lead_convert(*, user, lead: Lead) -> Project:
    """Turn a signed lead into a project in stage 签约 (转为项目) through the projects app's
    `project_create_converted`, carrying every field, and record the project on the lead. The lead's promoters
    (招商) may, though they have no other project rights. A lead converts once (409 the second time)."""
    from kaifaqu.projects.services import ProjectError, project_create_converted

    current = _locked(lead)
    require_work(user, lead_unit(current))
    if current.converted_project_id:
        code = Project.objects.filter(pk=current.converted_project_id).values_list("code", flat=True).first()
        raise Conflict(f"该线索已转为项目{code or ''}，不能重复转入")
    if current.stage != LeadStage.SIGNED:
        raise Conflict(f"只有已签约的线索才能转为项目（当前阶段：{current.get_stage_display()}）")
    try:
        project = project_create_converted(user=user, **_project_values(current))
    except ProjectError as exc:
        error = LeadError(exc.message, exc.field)
        error.status = exc.status
        raise error from None
    current.converted_project = project
    current.version += 1
    current.save()
    _note(current, user, NoteKind.CONVERTED, f"已转为项目：{project.name}（{project.code}）")
    return project


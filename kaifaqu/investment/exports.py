"""Excel exports of the investment app in the office layout (title, unit row, headers, 序号, 合计): the lead
ledger (招商线索台账) and the promotion events (招商活动台账)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from kaifaqu.core.excel import Column, OfficeWorkbook
from kaifaqu.core.privacy import shown_phone

from .models import Lead, PromotionEvent

LEAD_COLUMNS = [
    Column("企业名称", width=30), Column("投资意向（项目名称）", width=32), Column("所在市", width=8),
    Column("拟落地开发区", width=18), Column("产业链", width=12),
    Column("意向投资额", "money", 14, total=True), Column("招商方式", width=10), Column("来源活动", width=28),
    Column("阶段", width=7), Column("阶段日期", "date", 11), Column("获取日期", "date", 11),
    Column("联系人", width=8), Column("联系电话", width=14), Column("负责团队", width=18), Column("负责人", width=10),
    Column("下一步行动", width=24), Column("下次行动日期", "date", 11), Column("转入项目编号", width=12),
    Column("流失原因", width=20), Column("备注", width=24),
]
EVENT_COLUMNS = [
    Column("活动名称", width=44), Column("活动日期", "date", 11), Column("所属市", width=8),
    Column("活动类型", width=9), Column("举办地点", width=18), Column("主办单位", width=18),
    Column("对接项目数", "int", 10, total=True), Column("签约项目数", "int", 10, total=True),
    Column("签约投资额", "money", 14, total=True), Column("备注", width=30),
]


def _lead_row(lead: Lead, user) -> list:
    zone = lead.zone.short_name or lead.zone.name if lead.zone_id else ""
    return [
        lead.company, lead.project_name, lead.city.name if lead.city_id else "", zone,
        lead.chain.name if lead.chain_id else "", lead.investment, lead.method,
        lead.source_event.name if lead.source_event_id else "", lead.get_stage_display(), lead.stage_date,
        lead.received_on, lead.contact, shown_phone(user, lead), lead.owner_unit.name, str(lead.owner or ""),
        lead.next_action, lead.next_action_on, lead.converted_project.code if lead.converted_project_id else "",
        lead.lost_reason, lead.note,
    ]


def lead_export(*, leads: Iterable[Lead], user, scope_label: str, today: date) -> bytes:
    """The lead ledger as .xlsx: one row per lead, 合计 of the intended investment; each contact's number as `user`
    may see it (`core.privacy`: masked unless they work the lead)."""
    book = OfficeWorkbook()
    sheet = book.add_sheet("招商线索", title="招商引资线索台账", unit=f"范围：{scope_label}　导出日期：{today:%Y-%m-%d}"
                           "　单位：万元", columns=LEAD_COLUMNS, count_column="企业名称", count_label="共{n}条线索",
                           freeze_cols=2)
    for lead in leads:
        sheet.append(_lead_row(lead, user))
    return book.close()


def event_export(*, events: Iterable[PromotionEvent], figures: dict[int, dict], scope_label: str,
                 today: date) -> bytes:
    """The promotion events as .xlsx, with the leads each brought (`figures` from `event_lead_figures`)."""
    book = OfficeWorkbook()
    sheet = book.add_sheet("招商活动", title="招商引资活动台账", unit=f"范围：{scope_label}　导出日期：{today:%Y-%m-%d}"
                           "　单位：万元", columns=EVENT_COLUMNS, count_column="活动名称", count_label="共{n}场次",
                           freeze_cols=2)
    for event in events:
        f = figures.get(event.pk, {"leads": 0, "signed": 0, "investment": None})
        sheet.append([event.name, event.date, event.city.name, event.kind, event.venue, event.organiser.name,
                      f["leads"], f["signed"], f["investment"] if f["signed"] else None, event.note])
    return book.close()

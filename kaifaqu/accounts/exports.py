"""Excel export of the audit log (审计日志), in the office layout of the platform's other ledgers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from kaifaqu.core.excel import Column, OfficeWorkbook

from .audit import AuditEvent, detail_text

AUDIT_COLUMNS = [
    Column("时间", width=20), Column("事件", width=14), Column("操作人", width=16), Column("所属机构", width=24),
    Column("IP", width=16), Column("对象", width=28), Column("详情", width=60),
]


def audit_row(event: AuditEvent) -> list:
    """One event as the page and the export show it."""
    return [f"{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}", event.get_action_display(),
            event.username or "系统", event.org_unit.name if event.org_unit_id else "", event.ip or "",
            event.target, detail_text(event.detail)]


def audit_export(*, events: Iterable[AuditEvent], scope_label: str, today: date) -> bytes:
    """The filtered audit events as .xlsx, newest first."""
    book = OfficeWorkbook()
    sheet = book.add_sheet("审计日志", title="安全审计日志", unit=f"范围：{scope_label}　导出日期：{today:%Y-%m-%d}",
                           columns=AUDIT_COLUMNS, count_column="事件", count_label="共{n}条", freeze_cols=1)
    for event in events:
        sheet.append(audit_row(event))
    return book.close()

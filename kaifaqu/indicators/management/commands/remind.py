"""`kaifaqu remind [--month YYYY-MM] [--now ISO]`: the deadline reminders, then the pending deliveries.

Cron-friendly and idempotent: run it every hour or every day; each reminder is created once (its key carries the
kind and the month or the order), and a delivery is retried with backoff until it is sent or given up.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kaifaqu.indicators.notify import ReminderReport, deliver_pending, remind_orders, remind_reports


def parse_now(text: str | None) -> datetime:
    """An ISO date or date-time (naive ones are Beijing time); now when absent."""
    if not text:
        return timezone.now()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now 应为ISO格式的日期或时间，如 2024-04-07T09:00：{text}") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def parse_month(text: str | None, today: date) -> date:
    """The report month: --month, or the month before `today` (whose report is due this month)."""
    if not text:
        first = today.replace(day=1)
        return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(
            month=first.month - 1)
    try:
        year, month = (int(x) for x in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise CommandError(f"--month 应为 YYYY-MM：{text}") from None


class Command(BaseCommand):
    help = "发送提醒：月报截止前3天及逾期、督办单即将到期及逾期，然后发送待发的邮件和群机器人消息（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--month", help="月报所属月份 YYYY-MM（默认上月，即本月10日截止的月报）")
        parser.add_argument("--now", help="按此时间运行（ISO格式，默认当前时间）")

    def handle(self, *args, **options):
        now = parse_now(options.get("now"))
        today = timezone.localdate(now)
        month = parse_month(options.get("month"), today)
        report = ReminderReport()
        remind_reports(month=month, today=today, report=report)
        remind_orders(today=today, report=report)
        sent = deliver_pending(now=now)
        self.stdout.write(
            f"{today:%Y-%m-%d} {month.year}年{month.month}月月报：提醒即将截止 {report.report_due} 家，"
            f"提醒逾期未报 {report.report_late} 家；督办单：提醒即将到期 {report.order_due} 件，"
            f"提醒已逾期 {report.order_overdue} 件；新消息 {report.messages} 条；"
            f"外部发送：成功 {sent.sent} 条，待重试 {sent.retrying} 条，失败 {sent.failed} 条")

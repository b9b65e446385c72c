"""`kaifaqu escalate_tickets [--now ISO]`: the hotline's clock, safe to run every hour.

It records as late the first response of tickets whose "事不过夜" moment passed unanswered, then escalates every
open ticket past its resolution day to the reviewers of the unit above — each exactly once (the ticket is
flagged, and the reminder's key is the ticket's number) — and sends the pending reminders.
"""

from django.core.management.base import BaseCommand

from kaifaqu.indicators.management.commands.remind import parse_now
from kaifaqu.indicators.notify import deliver_pending
from kaifaqu.tickets.services import escalate_overdue, mark_unanswered


class Command(BaseCommand):
    help = "诉求超期升级：标记超时未响应的诉求，将超过办结时限的诉求提请上级督办（每件只升级一次，可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按此时间运行（ISO格式，默认当前时间）")

    def handle(self, *args, **options):
        now = parse_now(options.get("now"))
        late = mark_unanswered(now=now)
        escalated = escalate_overdue(now=now)
        sent = deliver_pending(now=now)
        self.stdout.write(f"超时未响应 {late} 件；超期升级 {escalated} 件；外部发送成功 {sent.sent} 条")

"""`kaifaqu prune_audit [--dry-run]`: remove audit events older than the retention (cron-friendly, e.g. daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kaifaqu.accounts.checks import MIN_AUDIT_RETENTION_DAYS
from kaifaqu.accounts.services import AuditRetentionTooShort, audit_prune


class Command(BaseCommand):
    help = "删除超过保留期（AUDIT_RETENTION_DAYS，至少183天）的审计日志"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除的条数，不删除")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        days = settings.AUDIT_RETENTION_DAYS
        try:
            count, cutoff = audit_prune(days=days, dry_run=dry_run)
        except AuditRetentionTooShort:
            raise CommandError(f"审计日志至少保留{MIN_AUDIT_RETENTION_DAYS}天（六个月），当前设置为{days}天，"
                               "未删除任何记录。") from None
        when = f"{cutoff:%Y-%m-%d %H:%M}"
        if dry_run:
            self.stdout.write(f"试运行：{when}之前的审计日志共{count}条，将被删除（保留{days}天）。")
        else:
            self.stdout.write(f"已删除{when}之前的审计日志{count}条（保留{days}天）。")

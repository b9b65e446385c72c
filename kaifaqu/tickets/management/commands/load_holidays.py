"""`kaifaqu load_holidays`: load (or refresh) the official holiday calendar shipped in data/holidays_cn.csv."""

from django.core.management.base import BaseCommand

from kaifaqu.tickets.workdays import holidays_load


class Command(BaseCommand):
    help = "载入国务院办公厅公布的节假日及调休安排（2023—2026年，见 data/PROVENANCE.md）"

    def handle(self, *args, **options):
        created, updated = holidays_load()
        self.stdout.write(f"工作日历：新增 {created} 天，更新 {updated} 天")

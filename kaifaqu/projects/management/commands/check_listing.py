"""`kaifaqu check_listing [--fix]`: do the projects' listing dates (listing.py) agree with the campaign entries?"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kaifaqu.projects import listing


class Command(BaseCommand):
    help = "核对项目的“最近列入批次日期”与三个一批活动铺排记录是否一致；--fix 按铺排记录重算"

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="重算不一致的项目")

    def handle(self, *args, fix: bool = False, **options):
        wrong = listing.drift()
        if not wrong:
            self.stdout.write("全部项目的最近列入批次日期与铺排记录一致")
            return
        sample = "、".join(str(pk) for pk in wrong[:10]) + ("……" if len(wrong) > 10 else "")
        if not fix:
            raise CommandError(f"{len(wrong)} 个项目的最近列入批次日期与铺排记录不一致（项目ID：{sample}）；"
                               "加 --fix 重算")
        with transaction.atomic():
            listing.refresh(wrong)
        self.stdout.write(f"已重算 {len(wrong)} 个项目的最近列入批次日期（项目ID：{sample}）")

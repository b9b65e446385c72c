"""`kaifaqu check_tallies [--fix]`: do the kept list tallies (core/tally.py) agree with their tables?"""

from django.core.management.base import BaseCommand, CommandError

from kaifaqu.core import tally


class Command(BaseCommand):
    help = "核对列表汇总表（项目、诉求、线索的分开发区计数与合计）与明细是否一致；--fix 重装触发器并按明细重算"

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="重装触发器并重算不一致的汇总表")

    def handle(self, *args, fix: bool = False, **options):
        wrong = {model: tally.drift(model) for model in tally.tallies()}
        wrong = {model: keys for model, keys in wrong.items() if keys}
        if not wrong:
            self.stdout.write("全部列表汇总表与明细一致")
            return
        report = "；".join(f"{model._meta.verbose_name} {len(keys)} 项" for model, keys in wrong.items())
        if not fix:
            raise CommandError(f"列表汇总表与明细不一致：{report}；加 --fix 重算")
        for model in wrong:
            tally.install(model)
        self.stdout.write(f"已重装触发器并重算：{report}")

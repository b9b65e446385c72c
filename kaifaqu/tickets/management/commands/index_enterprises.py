"""`kaifaqu index_enterprises`: rebuild the enterprise name index and the hotline's running totals (after a
bulk load that bypassed the models' save())."""

from django.core.management.base import BaseCommand

from kaifaqu.tickets.enterprises import enterprise_tokens_rebuild
from kaifaqu.tickets.tally import ticket_tallies_rebuild


class Command(BaseCommand):
    help = "重建企业名称检索索引和诉求统计汇总（批量导入数据后运行）"

    def handle(self, *args, **options):
        tokens = enterprise_tokens_rebuild()
        tallies = ticket_tallies_rebuild()
        self.stdout.write(f"企业名称索引 {tokens} 条；诉求统计汇总 {tallies} 行")

"""`kaifaqu load_registry`: load or refresh Shanxi's regions, org units, zones, parks and industry chains."""

from django.core.management.base import BaseCommand

from kaifaqu.zones.registry import registry_load


class Command(BaseCommand):
    help = "载入山西省行政区划、机构、开发区（2018年目录27家及来源文章所列）、园区和产业链（可重复执行）"

    def handle(self, *args, **options):
        result = registry_load()
        self.stdout.write(f"开发区名录：新增 {result.created} 条，更新/核对 {result.updated} 条")

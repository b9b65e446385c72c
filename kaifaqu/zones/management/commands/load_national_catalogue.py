"""`kaifaqu load_national_catalogue`: load all 2,543 zones of the 2018 national catalogue."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaifaqu.zones.models import Zone
from kaifaqu.zones.registry import national_catalogue_load, registry_load


class Command(BaseCommand):
    help = "载入《中国开发区审核公告目录》(2018年版)全部2543家开发区（山西省以外按省建立机构）"

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="目录CSV（默认使用项目内置副本）")

    def handle(self, *args, file=None, **options):
        if file is not None and not file.exists():
            raise CommandError(f"找不到文件：{file}")
        if not Zone.objects.filter(source="2018 catalogue", province__code="140000").exists():
            registry_load()
        result = national_catalogue_load(file)
        total = Zone.objects.filter(source="2018 catalogue").count()
        self.stdout.write(f"全国目录：新增 {result.created} 家；库中目录开发区共 {total} 家")

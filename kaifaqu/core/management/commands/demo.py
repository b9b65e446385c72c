"""`kaifaqu demo [--reset]`: build (or rebuild) the demo database and print the demo accounts."""

import os
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kaifaqu.accounts.demo import DEMO_ACCOUNTS, demo_accounts_ensure
from kaifaqu.accounts.models import OrgUnit, User
from kaifaqu.core.changelog import change_context
from kaifaqu.indicators.catalogue import catalogue_load
from kaifaqu.indicators.demo import dispatch_demo_load, orders_demo_load
from kaifaqu.indicators.schemes import schemes_load
from kaifaqu.investment.demo import promotion_demo_load
from kaifaqu.projects.demo import demo_projects_load, seed_scenario_load
from kaifaqu.tickets.demo import services_demo_load
from kaifaqu.zones.registry import national_catalogue_load, registry_load


def demo_password() -> str:
    """KAIFAQU_DEMO_PASSWORD, else the one generated on the first run (kept in the data directory; generated again
    if a kept one predates the password rules). Either must pass the platform's password rules."""
    if os.environ.get("KAIFAQU_DEMO_PASSWORD"):
        return _checked(os.environ["KAIFAQU_DEMO_PASSWORD"], "KAIFAQU_DEMO_PASSWORD")
    path = settings.DATA_DIR / "demo_password"
    if not path.exists() or not _passes(path.read_text().strip()):
        # Upper and lower case, a symbol and (URL-safe base64) more: three classes at least, 16 characters.
        path.write_text(f"Kfq-{secrets.token_urlsafe(9)}")
        path.chmod(0o600)
    return path.read_text().strip()


def _passes(password: str) -> bool:
    try:
        validate_password(password)
    except ValidationError:
        return False
    return True


def _checked(password: str, source: str) -> str:
    try:
        validate_password(password)
    except ValidationError as exc:
        raise CommandError(f"{source} 不符合密码规则：{'；'.join(exc.messages)}") from None
    return password


class Command(BaseCommand):
    help = "建立（或以 --reset 重建）演示数据库：山西开发区名录、演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="清空数据库后重建")
        parser.add_argument("--national", action="store_true", help="同时载入2018年全国目录（2543家）")
        parser.add_argument("--host", default="http://127.0.0.1:8000", help="打印登录地址时使用的网址")

    def handle(self, *args, reset=False, national=False, host="", **options):
        password = demo_password()  # refused before anything is written if it breaks the password rules
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        with change_context(None), transaction.atomic():
            result = registry_load()
            if national:
                national_catalogue_load()
            demo_accounts_ensure(password)
            catalogue_load()
            today = timezone.localdate()
            seed_scenario_load()
            projects = demo_projects_load(today=today)
            promotion_demo_load(today=today)
            services_demo_load(today=today, password=password)
            reports = dispatch_demo_load(today=today)
            for year in range(2024, today.year + 1):
                schemes_load(year)
            orders_demo_load(today=today)
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已就绪：名录新增 {result.created} 条，新增演示项目 {projects} 个，月报 {reports} 份；"
            "“三个一批”来源文章003的阳泉、晋中数据已载入。"))
        self._print_accounts(host.rstrip("/"))

    def _print_accounts(self, host: str) -> None:
        self.stdout.write(f"\n登录地址：{host}/login/    管理后台：{host}/admin/    接口文档：{host}/api/v1/docs")
        self.stdout.write(f"演示账号（密码均为 {demo_password()}）：")
        units = {u.code: u.name for u in OrgUnit.objects.filter(code__in=[a[2] for a in DEMO_ACCOUNTS])}
        for username, full_name, unit_code, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<16} {units[unit_code]} · {role.label} · {full_name}")
        if agent := User.objects.filter(username="yq-gxq-agent").select_related("org_unit").first():
            self.stdout.write(f"  {agent.username:<16} {agent.org_unit} · {agent.get_role_display()} · {agent}")

"""`kaifaqu serve [--host] [--port]`: serve the platform with gunicorn, static files by whitenoise."""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "以生产模式（gunicorn + whitenoise）启动平台"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, host, port, workers, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"开发区管理平台已启动：http://{host}:{port}/  （Ctrl+C 停止）")
        self.stdout.flush()
        from gunicorn.app.wsgiapp import run

        sys.argv = [
            "gunicorn", "kaifaqu.wsgi:application", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--threads", "4", "--access-logfile", "-", "--timeout", "120",
        ]
        run()

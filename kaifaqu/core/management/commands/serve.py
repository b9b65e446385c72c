"""`kaifaqu serve [--host] [--port]`: serve the platform with gunicorn, static files by whitenoise."""

import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

SERVER_NAME = "kaifaqu"  # the Server header: not gunicorn's name and version


def hide_server_software() -> None:
    """Answer `Server: kaifaqu` instead of gunicorn's `Server: gunicorn` (no product to look up flaws of). Gunicorn
    has no setting for it: its responses read the name from this module global when they are made."""
    import gunicorn.http.wsgi

    gunicorn.http.wsgi.SERVER = SERVER_NAME


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    """gunicorn's command line for the platform."""
    return [
        "gunicorn", "kaifaqu.wsgi:application", "--bind", f"{host}:{port}", "--workers", str(workers),
        "--threads", "4", "--access-logfile", "-", "--timeout", "120",
    ]


class Command(BaseCommand):
    help = "以生产模式（gunicorn + whitenoise）启动平台"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, host, port, workers, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        scheme = "https" if settings.HTTPS else "http"
        self.stdout.write(f"开发区管理平台已启动：{scheme}://{host}:{port}/  （Ctrl+C 停止）")
        if settings.HTTPS:
            self.stdout.write("KAIFAQU_HTTPS=1：请经 HTTPS 反向代理访问（http 请求将被重定向）；"
                              "本机演示请设 KAIFAQU_HTTPS=0。")
        self.stdout.flush()
        from gunicorn.app.wsgiapp import run

        hide_server_software()
        sys.argv = gunicorn_argv(host=host, port=port, workers=workers)
        run()

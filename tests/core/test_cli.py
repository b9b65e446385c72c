"""The `kaifaqu` console command wraps every management command; `kaifaqu demo` is idempotent."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from kaifaqu.zones.models import Zone


@pytest.mark.django_db
def test_demo_is_idempotent_and_prints_accounts(monkeypatch):
    monkeypatch.setenv("KAIFAQU_DEMO_PASSWORD", "Demo-password-2024")
    out = StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=out)
    text = out.getvalue()
    for username in ("province", "yangquan", "jinzhong", "yq-etdz"):
        assert username in text
    assert "Demo-password-2024" in text and "/login/" in text
    assert Zone.objects.count() == 36


def test_console_command_lists_demo_and_serve():
    script = Path(sys.executable).parent / "kaifaqu"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kaifaqu.cli"]
    out = subprocess.run([*command, "help"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "demo" in out and "serve" in out and "load_national_catalogue" in out and "migrate" in out

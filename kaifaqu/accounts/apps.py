from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaifaqu.accounts"
    label = "accounts"
    verbose_name = "用户与机构"

    def ready(self) -> None:
        from . import audit_signals, checks, signals  # noqa: F401  (access-change and login audit, the checks)

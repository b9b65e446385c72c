from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaifaqu.accounts"
    label = "accounts"
    verbose_name = "用户与机构"

    def ready(self) -> None:
        from . import audit_signals, checks  # noqa: F401  (registers the access-change audit and the checks)

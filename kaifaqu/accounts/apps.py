from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaifaqu.accounts"
    label = "accounts"
    verbose_name = "用户与机构"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (the audit log's login events)

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaifaqu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from . import changelog  # noqa: F401  (connects the change-log signals)

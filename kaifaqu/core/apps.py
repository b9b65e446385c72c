from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaifaqu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import changelog  # noqa: F401  (connects the change-log signals)
        from .tally import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="tally_triggers")

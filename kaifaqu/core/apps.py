from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaifaqu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django.urls import register_converter

        from . import changelog  # noqa: F401  (connects the change-log signals)
        from .params import IdConverter
        from .tally import ensure_after_migrate

        register_converter(IdConverter, "id")  # before any urls.py is read: `<id:pk>` in every page's path
        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="tally_triggers")

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaifaqu.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.urls import register_converter

        from . import changelog  # noqa: F401  (connects the change-log signals)
        from .params import IdConverter

        register_converter(IdConverter, "id")  # before any urls.py is read: `<id:pk>` in every page's path

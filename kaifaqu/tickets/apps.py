from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "kaifaqu.tickets"
    label = "tickets"
    verbose_name = "企业服务"

    def ready(self) -> None:
        from . import enterprises, tally, workdays

        workdays.connect_signals()
        enterprises.connect_signals()
        tally.connect_signals()

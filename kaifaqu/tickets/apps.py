from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "kaifaqu.tickets"
    label = "tickets"
    verbose_name = "企业服务"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kaifaqu.accounts.roles import ensure_queue_group

        from . import enterprises, tally, workdays

        # After the permissions of this app exist (Django creates them on post_migrate, connected first).
        post_migrate.connect(ensure_queue_group, sender=self, dispatch_uid="tickets-queue-group")
        workdays.connect_signals()
        enterprises.connect_signals()
        tally.connect_signals()

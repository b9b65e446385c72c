from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "kaifaqu.tickets"
    label = "tickets"
    verbose_name = "企业服务"

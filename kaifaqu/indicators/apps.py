from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "kaifaqu.indicators"
    label = "indicators"
    verbose_name = "月度调度与考核"

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """报表: the cockpit (驾驶舱), the big screen (大屏), the zone dossier (一区一档), ledgers and the briefing — the
    floor above every domain app: it reads their selectors, and nothing below imports it."""

    name = "kaifaqu.reports"
    verbose_name = "报表与驾驶舱"

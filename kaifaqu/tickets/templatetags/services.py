"""Template filters of the enterprise-services pages."""

from django import template

from kaifaqu.tickets.sla import due_text

register = template.Library()


@register.filter
def due(value) -> str:
    """A first-response deadline: 2024-02-10 00:00 is shown as "2024-02-09 24:00"; None → "—"."""
    return due_text(value) if value else "—"

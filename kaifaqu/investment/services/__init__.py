"""Writes of the investment app: leads (登记, 修改, 阶段推进, 跟进, 转为项目), promotion events and the city totals.

Each is keyword-only, atomic, takes the acting user, refuses bad input with a Chinese message and leaves every
row as it was, and records what happened on the lead's timeline (LeadNote) besides the change log."""

from .base import (
    WORKING_ROLES,
    Conflict,
    DuplicateLead,
    LeadError,
    MissingVersion,
    NotPermitted,
    can_work,
    lead_unit,
    today,
)
from .events import city_total_set, event_create, event_update
from .leads import (
    EDITABLE,
    check_stage_dates,
    conversion_note,
    lead_advance,
    lead_convert,
    lead_create,
    lead_note_add,
    lead_update,
)

__all__ = [
    "EDITABLE", "WORKING_ROLES", "Conflict", "DuplicateLead", "LeadError", "MissingVersion", "NotPermitted", "can_work",
    "check_stage_dates", "city_total_set", "conversion_note", "event_create", "event_update", "lead_advance",
    "lead_convert", "lead_create", "lead_note_add", "lead_unit", "lead_update", "today",
]

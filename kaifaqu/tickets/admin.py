"""Admin of enterprise services: the working-day calendar (editable, the shipped notices preloaded), the service
catalogue; cases, tickets and commitments read-mostly and scoped to the admin's subtree."""

from django.contrib import admin

from kaifaqu.core.admin import ChangeLogInline, MaskedPhoneAdminMixin, ScopedAdminMixin

from .models import Commitment, HolidayCalendar, ServiceCase, ServiceItem, Ticket, TicketEvent


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(ChangeLogInline, admin.ModelAdmin):
    list_display = ["date", "kind", "name", "notice"]
    list_filter = ["kind", "name"]
    date_hierarchy = "date"
    search_fields = ["name", "notice"]


@admin.register(ServiceItem)
class ServiceItemAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["name", "zone", "department", "phase", "limit_days", "commitment_allowed", "active"]
    list_filter = ["commitment_allowed", "active", "phase"]
    search_fields = ["name", "department", "zone__name"]
    list_select_related = ["zone"]


@admin.register(ServiceCase)
class ServiceCaseAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["number", "project", "item", "agent", "status", "accepted_on", "deadline", "done_on"]
    list_filter = ["status", "by_commitment"]
    search_fields = ["number", "project__name", "item__name"]
    list_select_related = ["project", "item", "agent"]
    readonly_fields = ["number", "project", "item", "agent", "status", "accepted_on", "deadline", "started_on",
                       "done_on", "on_time", "returned_on", "return_reason"]


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "status", "at", "user", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ScopedAdminMixin, MaskedPhoneAdminMixin, ChangeLogInline, admin.ModelAdmin):
    """Tickets move only through their workflow (the pages and the API); here they can be read, and their text
    and flags corrected."""

    list_display = ["number", "zone", "category", "department", "status", "received_at", "resolution_due",
                    "satisfaction", "key_difficult"]
    list_filter = ["status", "category", "channel", "key_difficult", "satisfaction"]
    search_fields = ["number", "text", "enterprise__name"]
    list_select_related = ["zone"]
    raw_id_fields = ["enterprise"]
    inlines = [TicketEventInline]
    readonly_fields = ["number", "zone", "status", "received_at", "first_response_due", "first_response_at",
                       "first_response_on_time", "resolution_due", "assigned_at", "resolved_at", "resolved_on_time",
                       "closed_at", "satisfaction", "reopen_count", "escalated_at", "created_by", "generated"]


@admin.register(Commitment)
class CommitmentAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["project", "content", "promised_on", "verify_by", "verified_on"]
    search_fields = ["content", "project__name"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]

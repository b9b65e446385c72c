"""Admin of promotion events, leads and the city totals (scoped to the admin's subtree)."""

from django.contrib import admin

from kaifaqu.core.admin import ChangeLogInline, MaskedPhoneAdminMixin, ScopedAdminMixin
from kaifaqu.core.versioning import VersionedAdminMixin

from .models import CityPromotionTotal, Lead, LeadNote, PromotionEvent


@admin.register(PromotionEvent)
class PromotionEventAdmin(VersionedAdminMixin, ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["name", "date", "city", "kind", "organiser"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "venue"]
    list_select_related = ["city", "organiser"]
    readonly_fields = ["version", "created_at", "updated_at"]
    raw_id_fields = ["organiser"]


class LeadNoteInline(admin.TabularInline):
    model = LeadNote
    extra = 0
    readonly_fields = ["kind", "user", "created_at"]


@admin.register(Lead)
class LeadAdmin(VersionedAdminMixin, ScopedAdminMixin, MaskedPhoneAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["company", "project_name", "zone", "stage", "investment", "received_on", "owner"]
    list_filter = ["stage", "method", "project_type"]
    search_fields = ["company", "project_name", "company_key"]
    list_select_related = ["zone", "owner"]
    readonly_fields = ["company_key", "city", "converted_project", "version", "created_at", "updated_at"]
    raw_id_fields = ["zone", "enterprise", "chain", "source_event", "owner_unit", "owner"]
    inlines = [LeadNoteInline]


@admin.register(CityPromotionTotal)
class CityPromotionTotalAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["city", "year", "signed_projects", "signed_investment", "updated_at"]
    list_filter = ["year"]
    list_select_related = ["city"]

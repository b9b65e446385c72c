"""Admin of projects and campaigns (projects scoped to the admin's subtree)."""

from django.contrib import admin

from kaifaqu.core.admin import ChangeLogInline, ScopedAdminMixin
from kaifaqu.core.versioning import VersionedAdminMixin

from .models import Campaign, CampaignEntry, Project


@admin.register(Project)
class ProjectAdmin(VersionedAdminMixin, ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["code", "name", "zone", "type", "stage", "total_investment", "updated_at"]
    list_filter = ["stage", "type", "strategic_emerging"]
    search_fields = ["code", "name", "builder"]
    list_select_related = ["zone"]
    readonly_fields = ["version", "created_at", "updated_at"]
    raw_id_fields = ["zone", "park", "chain"]


class CampaignEntryInline(admin.TabularInline):
    model = CampaignEntry
    extra = 0
    raw_id_fields = ["project"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("project")


@admin.register(Campaign)
class CampaignAdmin(ChangeLogInline, admin.ModelAdmin):
    list_display = ["name", "date", "level", "org_unit"]
    list_filter = ["level"]
    search_fields = ["name"]
    inlines = [CampaignEntryInline]

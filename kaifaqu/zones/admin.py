"""Admin of zones, parks, industry chains and regions (zones and parks scoped to the admin's subtree)."""

from django.contrib import admin

from kaifaqu.core.admin import ChangeLogInline, ScopedAdminMixin

from .models import IndustryChain, Park, Region, Zone


class ParkInline(admin.TabularInline):
    model = Park
    extra = 0


@admin.register(Zone)
class ZoneAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "level", "kind", "city", "approved_area_ha", "source"]
    list_filter = ["level", "kind", "source", "city"]
    search_fields = ["name", "short_name", "code", "pinyin_initials"]
    readonly_fields = ["catalogue", "pinyin_initials"]
    inlines = [ParkInline]
    list_select_related = ["city"]


@admin.register(Park)
class ParkAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["name", "zone", "industries"]
    search_fields = ["name", "zone__name"]
    list_select_related = ["zone"]


@admin.register(IndustryChain)
class IndustryChainAdmin(ChangeLogInline, admin.ModelAdmin):
    list_display = ["name", "strategic_emerging", "source"]
    search_fields = ["name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]

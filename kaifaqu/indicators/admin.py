"""Admin of the dispatch dictionaries: indicators, warning rules, schemes, channels, city totals; reports and
orders scoped to the admin's subtree."""

from django.contrib import admin

from kaifaqu.core.admin import ChangeLogInline, ScopedAdminMixin
from kaifaqu.core.versioning import VersionedAdminMixin

from .models import (
    AssessmentItem,
    AssessmentScheme,
    Channel,
    CityTotal,
    Delivery,
    IndicatorDefinition,
    MonthlyReport,
    ReportValue,
    SupervisionOrder,
    Target,
    WarningRule,
)


@admin.register(IndicatorDefinition)
class IndicatorAdmin(ChangeLogInline, admin.ModelAdmin):
    list_display = ["code", "name", "unit", "has_reported_growth", "required", "valid_from"]
    list_filter = ["required"]


@admin.register(WarningRule)
class WarningRuleAdmin(ChangeLogInline, admin.ModelAdmin):
    list_display = ["code", "name", "yellow", "red", "enabled"]
    list_editable = ["yellow", "red", "enabled"]


class ItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0


@admin.register(AssessmentScheme)
class SchemeAdmin(ChangeLogInline, admin.ModelAdmin):
    list_display = ["name", "year", "group_level", "method"]
    inlines = [ItemInline]


@admin.register(CityTotal)
class CityTotalAdmin(ChangeLogInline, admin.ModelAdmin):
    list_display = ["city", "month", "indicator", "ytd"]
    list_filter = ["city", "indicator"]


@admin.register(Target)
class TargetAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["zone", "year", "indicator", "kind", "value"]
    list_filter = ["year", "indicator", "kind"]
    list_select_related = ["zone"]


class ValueInline(admin.TabularInline):
    model = ReportValue
    extra = 0
    readonly_fields = ["indicator", "ytd", "last_ytd", "growth"]
    can_delete = False


@admin.register(MonthlyReport)
class ReportAdmin(VersionedAdminMixin, ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["zone", "month", "status", "revision", "submitted_at"]
    list_filter = ["status", "month"]
    list_select_related = ["zone"]
    readonly_fields = ["status", "revision", "version", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by"]
    inlines = [ValueInline]


@admin.register(SupervisionOrder)
class OrderAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["number", "unit", "subject", "deadline", "status"]
    list_filter = ["status"]


@admin.register(Channel)
class ChannelAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["unit", "kind", "target", "enabled"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notification", "channel", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status"]

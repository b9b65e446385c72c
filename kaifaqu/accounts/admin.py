"""Admin of users, org units and API tokens, each scoped to the admin's subtree."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from kaifaqu.core.admin import ChangeLogInline, ScopedAdminMixin

from .models import ApiToken, OrgUnit, User
from .services import REVOKED_BY_ADMIN, token_revoke_by


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdminMixin, ChangeLogInline, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "path"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    list_display = ["username", "full_name", "org_unit", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "org_unit__kind"]
    search_fields = ["username", "full_name", "org_unit__name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("基本信息", {"fields": ["full_name", "email", "org_unit", "role"]}),
        ("权限", {"fields": ["is_active", "is_staff", "groups"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "full_name", "org_unit", "role", "password1", "password2"]})]

    def get_fieldsets(self, request, obj=None):
        sets = super().get_fieldsets(request, obj)
        if request.user.is_superuser and obj is not None:
            sets = [*sets[:2], ("权限", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}), sets[3]]
        return sets


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_reason"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at", "expires_at", "revoked_at",
                       "revoked_reason"]
    actions = ["revoke"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs.filter(user__in=User.objects.visible_to(request.user))

    def has_add_permission(self, request):
        return False

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True).select_related("user__org_unit"):
            token_revoke_by(token=token, actor=request.user, reason=REVOKED_BY_ADMIN, request=request)

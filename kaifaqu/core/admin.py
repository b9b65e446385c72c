"""Admin: the change log (read-only), and the mixin that scopes every admin list to the user's subtree."""

from django.contrib import admin

from .models import ObjectChange


class ScopedAdminMixin:
    """Admin lists, edits and foreign-key choices go through `visible_to(request.user)`."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related.objects, "visible_to") and getattr(related, "scope_path", None):
            kwargs["queryset"] = related.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MaskedPhoneAdminMixin:
    """A record's phone in the admin site as on the pages (`core.privacy`): editable for those who work the record;
    for the admins above, read-only and masked."""

    def _masks(self, request, obj) -> bool:
        return obj is not None and bool(obj.phone) and not obj.phone_visible_to(request.user)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return [*exclude, "phone"] if self._masks(request, obj) else exclude

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "masked_phone"] if self._masks(request, obj) else fields

    @admin.display(description="联系电话")
    def masked_phone(self, obj) -> str:
        from .privacy import mask_phone

        return mask_phone(obj.phone)


class ChangeLogInline:
    """Adds the object's change history to its admin page (read-only)."""

    change_form_template = "admin/change_form_with_history.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {**(extra_context or {}), "object_changes": obj.changes()[:50] if obj else []}
        return super().change_view(request, object_id, form_url, extra_context=extra)


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ["time", "user_name", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "user_name", "object_id"]
    readonly_fields = [f.name for f in ObjectChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user__in=_visible_users(request.user))


def _visible_users(user):
    from kaifaqu.accounts.models import User

    return User.objects.visible_to(user)

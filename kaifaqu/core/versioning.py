"""Optimistic locking (乐观锁) of versioned records — projects, monthly reports, leads, promotion events.

Every write that changes a versioned record's fields carries the `version` the editor read; the service compares
it with the stored one under a row lock and refuses the write when it is missing (422) or stale (409), so a
concurrent save is never silently overwritten. Each app raises the refusal as its own error class (its pages show
the message, its API answers with the status); the words are the same everywhere."""

from __future__ import annotations

from django import forms

MISSING_VERSION = "缺少版本号：请先读取该记录，带上读到的版本号（version）再保存（未保存任何修改）"
STALE_VERSION = "该{what}已被他人修改，请刷新后重新编辑（您的修改未保存）"


def version_refusal(*, current: int, given: int | None, what: str = "记录") -> tuple[int, str] | None:
    """(status, message) refusing a write made on `given` when the record is at `current`; None when they agree.
    A missing version (None, or not an integer) is 422, a stale one 409."""
    if given is None or isinstance(given, bool) or not isinstance(given, int):
        return 422, MISSING_VERSION
    if given != current:
        return 409, STALE_VERSION.format(what=what)
    return None


class VersionedAdminForm(forms.ModelForm):
    """The admin site's form of a versioned record: it carries the version it was opened on (`seen_version`), and
    a change saved over since, or posted without it, is refused with the pages' words; a save adds one."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk:  # (the admin validates and saves in one transaction: the lock holds until saved)
            model = type(self.instance)
            current = model._default_manager.select_for_update().filter(pk=self.instance.pk)
            refusal = version_refusal(current=current.values_list("version", flat=True).get(),
                                      given=data.get("seen_version"))
            if refusal is not None:
                raise forms.ValidationError(refusal[1])
            self.instance.version = data["seen_version"] + 1
        return data


class VersionedAdminMixin:
    """For the ModelAdmin of a versioned record (its `version` read-only): edits through `VersionedAdminForm`."""

    form = VersionedAdminForm

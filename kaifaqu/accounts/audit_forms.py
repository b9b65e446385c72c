"""The audit log page's filters: the event, an account, a bounded date range; bad input is refused in Chinese."""

from __future__ import annotations

from datetime import date

from django import forms

from .audit import AuditAction
from .selectors import AuditFilters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _bounded(value: date | None) -> date | None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise forms.ValidationError(f"日期应在{EARLIEST:%Y-%m-%d}至{LATEST:%Y-%m-%d}之间")
    return value


class AuditFilterForm(forms.Form):
    """审计日志的筛选条件."""

    action = forms.ChoiceField(label="事件", required=False, choices=[("", "全部事件"), *AuditAction.choices],
                               error_messages={"invalid_choice": "没有“%(value)s”这种事件，请从列表中选择"})
    username = forms.CharField(label="账号", required=False, max_length=150,
                               widget=forms.TextInput(attrs={"placeholder": "操作人或被操作的账号"}))
    date_from = forms.DateField(label="日期自", required=False, widget=DATE)
    date_to = forms.DateField(label="至", required=False, widget=DATE)

    def clean_date_from(self) -> date | None:
        return _bounded(self.cleaned_data.get("date_from"))

    def clean_date_to(self) -> date | None:
        return _bounded(self.cleaned_data.get("date_to"))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "结束日期不能早于开始日期")
        return data

    def filters(self) -> AuditFilters:
        """The valid filters (an invalid one is shown with its message and not applied)."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        d = self.cleaned_data
        return AuditFilters(action=d.get("action", ""), username=d.get("username", "").strip(),
                            date_from=d.get("date_from"), date_to=d.get("date_to"))

"""Forms of the dispatch pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from kaifaqu.core.excel_guard import XLSX_ACCEPT
from kaifaqu.core.params import IdChoiceField, MonthField
from kaifaqu.zones.models import Region, Zone

from .choices import TargetKind
from .models import IndicatorDefinition

MONTH = forms.TextInput(attrs={"type": "month"})


def default_month() -> str:
    """Last month: the figures being collected now."""
    today = timezone.localdate().replace(day=1)
    last = today.replace(year=today.year - 1, month=12) if today.month == 1 else today.replace(month=today.month - 1)
    return last.strftime("%Y-%m")


class MonthForm(forms.Form):
    month = MonthField(label="月份", required=False, widget=MONTH)
    city = forms.ChoiceField(label="市", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zones = Zone.objects.visible_to(user)
        cities = Region.objects.filter(pk__in=zones.values("city_id")).order_by("code")
        self.fields["city"].choices = [("", "全部"), *[(c.code, c.name) for c in cities]]


class TargetForm(forms.Form):
    zone = IdChoiceField(label="开发区", queryset=Zone.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)
    indicator = forms.ChoiceField(label="指标")
    kind = forms.ChoiceField(label="目标类型", choices=TargetKind.choices)
    value = forms.DecimalField(label="目标值", max_digits=18, decimal_places=4,
                               help_text="增长目标填百分数（如15表示增长15%）；全年目标值按指标单位")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.visible_to(user).order_by("code")
        codes = IndicatorDefinition.objects.order_by("sort").values_list("code", "name").distinct()
        self.fields["indicator"].choices = list(dict(codes).items())


class TargetImportForm(forms.Form):
    file = forms.FileField(label="目标表（.xlsx）", widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}))

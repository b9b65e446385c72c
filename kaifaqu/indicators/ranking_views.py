"""考核排名 pages: the ranking of a scheme in a month (table, 前十强 chart, Excel in the office layout), a zone's
score breakdown, and loading the built-in schemes for a year."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kaifaqu.accounts.choices import OrgKind, Role
from kaifaqu.core.excel import Column, OfficeWorkbook
from kaifaqu.core.params import IdChoiceField, MonthField, month_parse, month_start, year_parse
from kaifaqu.zones.models import Region, Zone

from .forms import default_month
from .models import AssessmentScheme
from .ranking import TOP, RankingResult, ranking
from .schemes import schemes_load

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RankingForm(forms.Form):
    """考核方案、月份、市 pickers of the ranking page."""

    scheme = IdChoiceField(label="考核方案", queryset=AssessmentScheme.objects.all(), required=False,
                           empty_label=None, error_messages={"invalid_choice": "考核方案不存在"})
    month = MonthField(label="月份", required=False, widget=forms.TextInput(attrs={"type": "month"}))
    city = forms.ChoiceField(label="市", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zones = Zone.objects.visible_to(user)
        cities = Region.objects.filter(pk__in=zones.values("city_id")).order_by("code")
        self.fields["city"].choices = [("", "全部"), *[(c.code, c.name) for c in cities]]


def _month(text: str) -> date:
    return month_start(text)


def _default_month(scheme: AssessmentScheme | None) -> date:
    """Last month; December of a past scheme's year; January of a future one."""
    month = _month(default_month())
    if scheme is not None and scheme.year != month.year:
        return date(scheme.year, 12 if scheme.year < month.year else 1, 1)
    return month


def _default_scheme() -> AssessmentScheme | None:
    year = _month(default_month()).year
    schemes = AssessmentScheme.objects.order_by("-year", "id")
    return schemes.filter(year=year).first() or schemes.first()


def _selection(request) -> tuple[RankingForm, AssessmentScheme | None, date, str | None]:
    """The scheme, month and city asked for; what is missing or invalid falls back to the defaults (and the form
    carries the error to show)."""
    form = RankingForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    scheme = data.get("scheme") or _default_scheme()
    month = _month(data["month"]) if data.get("month") else _default_month(scheme)
    return form, scheme, month, data.get("city") or None


def _month_param(text: str, scheme: AssessmentScheme) -> date:
    """`?month=YYYY-MM`, or the scheme's default month when missing or malformed."""
    return month_parse(text) or _default_month(scheme)


def title_name(scheme: AssessmentScheme) -> str:
    """"开发区发展水平考核（省级）" → "开发区发展水平考核" (the title drops a trailing parenthesis)."""
    return re.sub(r"（[^（）]*）$", "", scheme.name)


def ranking_title(result: RankingResult) -> str:
    """"2024年3月开发区发展水平考核排名"."""
    return f"{result.month.year}年{result.month.month}月{title_name(result.scheme)}排名"


def can_load_schemes(user) -> bool:
    """Province (or nation) admins and superusers create the built-in schemes."""
    unit = getattr(user, "org_unit", None)
    return user.is_superuser or (unit is not None and unit.kind in (OrgKind.NATION, OrgKind.PROVINCE)
                                 and user.role == Role.ADMIN)


def _chart_data(result: RankingResult) -> dict:
    top = result.rows[:TOP]
    return {"names": [r.name for r in top], "scores": [str(r.score) for r in top], "ranks": [r.rank for r in top]}


@login_required
def ranking_view(request):
    """/rankings/?scheme=&month=YYYY-MM&city=: the ranking table, 前十强 chart and export link."""
    form, scheme, month, city = _selection(request)
    context = {"form": form, "scheme": scheme, "month": month, "schemes": AssessmentScheme.objects.all(),
               "can_load": can_load_schemes(request.user), "year": month.year, "top": TOP}
    if scheme is not None:
        result = ranking(scheme=scheme, month=month, user=request.user, city=city)
        params = {"scheme": scheme.pk, "month": f"{month:%Y-%m}", **({"city": city} if city else {})}
        context.update(result=result, title=ranking_title(result), chart=_chart_data(result),
                       query=urlencode(params))
    return render(request, "indicators/ranking/list.html", context)


@login_required
def ranking_zone_view(request, scheme_id: int, zone_code: str):
    """/rankings/<scheme>/<zone>/?month=: one zone's breakdown (item, value, group min and max, score, weight)."""
    scheme = get_object_or_404(AssessmentScheme, pk=scheme_id)
    zone = get_object_or_404(Zone.objects.visible_to(request.user), code=zone_code)
    month = _month_param(request.GET.get("month", ""), scheme)
    result = ranking(scheme=scheme, month=month, user=request.user)
    row = result.row_of(zone.code)
    if row is None:
        raise Http404("该开发区不在此考核方案的参评范围内")
    lines = [{"column": c, "item": s} for c, s in zip(result.columns, row.items, strict=True)]
    return render(request, "indicators/ranking/zone.html", {
        "scheme": scheme, "zone": zone, "month": month, "result": result, "row": row, "lines": lines,
        "title": ranking_title(result)})


@login_required
def ranking_export_view(request):
    """/rankings/export/?scheme=&month=&city=: the ranking as .xlsx in the office layout."""
    _, scheme, month, city = _selection(request)
    if scheme is None:
        raise Http404("尚无考核方案")
    result = ranking(scheme=scheme, month=month, user=request.user, city=city)
    response = HttpResponse(ranking_export(result), content_type=XLSX)
    response["Content-Disposition"] = (f"attachment; filename=\"ranking-{month:%Y-%m}.xlsx\"; "
                                       f"filename*=UTF-8''{quote(ranking_title(result))}.xlsx")
    return response


@login_required
@require_POST
def schemes_load_view(request):
    """Create the two built-in schemes for a year (province admins)."""
    if not can_load_schemes(request.user):
        messages.error(request, "只有省级管理员可以创建考核方案")
        return redirect("ranking:list")
    year = request.POST.get("year", "")
    if (year_parse(year) or 0) < 2000:
        messages.error(request, "年度应为2000—2100之间的整数")
        return redirect("ranking:list")
    schemes = schemes_load(int(year))
    messages.success(request, f"已准备{year}年度考核方案：{'、'.join(s.name for s in schemes)}")
    return redirect(f"{reverse('ranking:list')}?scheme={schemes[0].pk}&month={_default_month(schemes[0]):%Y-%m}")


# ---- Excel ----------------------------------------------------------------------------------------------------------

def ranking_export(result: RankingResult) -> bytes:
    """排名表 as offices lay it: merged title ("2024年3月开发区发展水平考核排名"), unit row "单位：分", two-level
    headers (单项得分 over each item), 序号, frozen header and zone columns. Every text is a string cell."""
    book = OfficeWorkbook()
    items = [Column(c.name, "number", 12) for c in result.columns]
    sheet = book.add_sheet(
        "考核排名", title=ranking_title(result), unit="单位：分",
        columns=[Column("排名", "int", 6), Column("较上月", "text", 8), Column("开发区", "text", 22),
                 Column("所在市", "text", 9), Column("综合得分", "number", 10),
                 *([("单项得分", items)] if items else [])],
        total=False, numbered=True, freeze_cols=4)
    for row in result.rows:
        sheet.append([row.rank, row.arrow, row.name, row.city, row.score, *[s.score for s in row.items]])
    return book.close()

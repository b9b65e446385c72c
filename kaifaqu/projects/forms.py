"""Forms of the projects pages. They parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from kaifaqu.accounts.choices import Role
from kaifaqu.core.excel_guard import XLSX_ACCEPT
from kaifaqu.core.params import BoundedDateField, IdChoiceField, IdMultipleChoiceField, bounded_formfield
from kaifaqu.core.versioning import MISSING_VERSION
from kaifaqu.core.widgets import PlainSelect
from kaifaqu.zones.models import IndustryChain, Park, Region, Zone

from .choices import Batch, Milestone, ProjectType, Stage
from .models import Campaign, Project

# <input type=date> takes ISO dates only; the zh-hans format (2024/03/01) would show an empty box and an edit
# would then clear the date.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


MAX_ZONE_CHOICES = 300


def zone_choices(form: forms.Form, user) -> None:
    """Fill the city and zone drop-downs from the user's scope. A national scope has thousands of zones: then
    the zone list holds the chosen city's zones only."""
    zones = Zone.objects.visible_to(user)
    cities = Region.objects.filter(pk__in=zones.values("city_id")).order_by("code")
    form.fields["city"].choices = [("", "全部城市"), *[(c.code, c.name) for c in cities]]
    city = form.data.get("city") if form.is_bound else None
    if city:
        zones = zones.filter(city__code=city)
    elif zones.count() > MAX_ZONE_CHOICES:
        zones = zones.none()
    pairs = zones.order_by("city__code", "code").values_list("code", "short_name", "name")
    form.fields["zone"].choices = [("", "全部开发区"), *[(code, short or name) for code, short, name in pairs]]


class ProjectFilterForm(forms.Form):
    """The project list's filters (all optional)."""

    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "项目名称、编号或建设单位"}))
    city = forms.ChoiceField(label="市", required=False, widget=PlainSelect)
    zone = forms.ChoiceField(label="开发区", required=False, widget=PlainSelect)
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部阶段"), *Stage.choices],
                              widget=PlainSelect)
    type = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *ProjectType.choices],
                             widget=PlainSelect)
    chain = IdChoiceField(label="产业链", required=False, queryset=IndustryChain.objects.all(),
                          empty_label="全部产业链", widget=PlainSelect)
    strategic_emerging = forms.NullBooleanField(label="战新产业", required=False, widget=PlainSelect(
        choices=[("unknown", "不限"), ("true", "是"), ("false", "否")]))
    band = forms.ChoiceField(label="投资规模", required=False, choices=[
        ("", "不限"), ("1", "1亿元及以上"), ("5", "5亿元及以上"), ("10", "10亿元及以上")], widget=PlainSelect)
    campaign = IdMultipleChoiceField(label="三个一批活动", required=False, queryset=Campaign.objects.all())
    batch = forms.ChoiceField(label="批次", required=False, choices=[("", "全部批次"), *Batch.choices],
                              widget=PlainSelect)
    followed = forms.ChoiceField(label="跟进", required=False, choices=[
        ("", "不限"), ("yes", "已推进"), ("no", "未推进")], widget=PlainSelect)
    as_of = BoundedDateField(label="截至", required=False, widget=DATE)
    overdue = forms.BooleanField(label="仅看逾期", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zone_choices(self, user)


def writable_zones(user):
    """Zones whose projects `user` may enter: their whole scope for operators and admins, none otherwise."""
    zones = Zone.objects.visible_to(user).order_by("code")
    return zones if user.is_superuser or user.role in (Role.ADMIN, Role.OPERATOR) else zones.none()


# A hidden version field that is missing or mangled: the page says so in the form's errors (the edit is not saved).
VERSION_ERRORS = {"required": MISSING_VERSION, "invalid": MISSING_VERSION, "min_value": MISSING_VERSION}


class ProjectForm(forms.ModelForm):
    """Enter or edit a project. The stage is set here only on entry; later it moves by transition."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Project
        formfield_callback = bounded_formfield
        fields = [
            "name", "zone", "park", "type", "chain", "strategic_emerging", "builder", "builder_credit_code",
            "total_investment", "completed_investment", "annual_planned_investment", "expected_annual_output",
            "jobs", "land_mu", "stage", "signed_on", "started_on", "producing_on", "at_capacity_on",
            "planned_start_on", "planned_production_on", "planned_capacity_on", "commitment_system", "standard_land",
            "lead_official", "agent_name", "promotion_method", "in_statistics", "note",
        ]
        widgets = {f: DATE for f in ["signed_on", "started_on", "producing_on", "at_capacity_on",
                                     "planned_start_on", "planned_production_on", "planned_capacity_on"]}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = writable_zones(user)
        if not self.instance.pk and self.fields["zone"].queryset.count() == 1:
            self.initial.setdefault("zone", self.fields["zone"].queryset.get().pk)
        self.fields["park"].queryset = Park.objects.visible_to(user).select_related("zone")
        self.fields["stage"].choices = [c for c in Stage.choices if c[0] != Stage.TERMINATED]
        if self.instance.pk:
            self.fields["stage"].disabled = True
            self.fields["stage"].help_text = "阶段请通过“阶段变更”推进"
            self.fields["zone"].disabled = True
            self.initial["version"] = self.instance.version
            self.fields["version"].required = True  # an edit carries the version it was made on
            self.fields["version"].error_messages = VERSION_ERRORS

    def clean_builder_credit_code(self):
        from kaifaqu.core.credit_code import credit_code_error

        code = self.cleaned_data["builder_credit_code"].strip().upper()
        if code and (error := credit_code_error(code)):
            raise forms.ValidationError(error)
        return code

    def clean(self):
        data = super().clean()
        park = data.get("park")
        zone = self.instance.zone if self.instance.pk else data.get("zone")
        if park and zone and park.zone_id != zone.pk:
            self.add_error("park", "所选园区不属于该开发区")
        return data


class TransitionForm(forms.Form):
    stage = forms.ChoiceField(label="变更为", choices=Stage.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_ERRORS)
    date = BoundedDateField(label="日期", required=False, widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label="终止原因", required=False, max_length=300)


class ProgressForm(forms.Form):
    month = BoundedDateField(label="月份（当月任一天）", widget=DATE, initial=timezone.localdate)
    completed_investment = forms.DecimalField(label="累计完成投资(万元)", min_value=0, max_digits=16,
                                              decimal_places=2)
    note = forms.CharField(label="进展情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProblemForm(forms.Form):
    description = forms.CharField(label="存在问题", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    raised_on = BoundedDateField(label="提出日期", widget=DATE, initial=timezone.localdate)
    responsible = forms.CharField(label="责任单位", required=False, max_length=100)


class ResolveForm(forms.Form):
    resolved_on = BoundedDateField(label="解决日期", widget=DATE, initial=timezone.localdate)
    resolution = forms.CharField(label="解决情况", max_length=2000)


class MilestoneForm(forms.Form):
    name = forms.ChoiceField(label="节点", choices=Milestone.choices)
    planned_on = BoundedDateField(label="计划日期", widget=DATE)
    actual_on = BoundedDateField(label="实际日期", required=False, widget=DATE)


class CampaignForm(forms.Form):
    name = forms.CharField(label="活动名称", max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": "如：2024年第二次“三个一批”活动"}))
    date = BoundedDateField(label="活动日期", widget=DATE)
    level = forms.ChoiceField(label="级别", choices=[("province", "省级"), ("city", "市级")])


class EntryForm(forms.Form):
    project = forms.CharField(label="项目编号", max_length=40)
    batch = forms.ChoiceField(label="批次", choices=Batch.choices)


class StatsForm(forms.Form):
    """Which campaigns, as of when, for which city or zone."""

    campaign = IdMultipleChoiceField(label="活动（可多选）", queryset=Campaign.objects.all(), required=False)
    since = BoundedDateField(label="或：自此日期以来的活动", required=False, widget=DATE)
    as_of = BoundedDateField(label="截至", required=False, widget=DATE)
    city = forms.ChoiceField(label="市", required=False)
    zone = forms.ChoiceField(label="开发区", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zone_choices(self, user)


class ThreeUnForm(StatsForm):
    """The 三未 page's filters: campaigns since a date (no list of campaigns), as of when, for which city or zone."""

    campaign = None
    since = BoundedDateField(label="自此日期以来的活动", required=False, widget=DATE)


class ImportForm(forms.Form):
    file = forms.FileField(label="项目台账（.xlsx）", widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}))

"""Forms of the enterprise-services pages. They parse input; the services decide."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from kaifaqu.accounts.models import User
from kaifaqu.core.excel_guard import XLSX_ACCEPT
from kaifaqu.core.params import BoundedDateField, IdChoiceField
from kaifaqu.projects.forms import zone_choices
from kaifaqu.zones.models import Enterprise, Zone

from .casework import AGENT_ROLES
from .choices import CaseStatus, Category, Channel, Satisfaction, TicketStatus
from .models import ServiceItem
from .services import HANDLERS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DEPARTMENTS = ["行政审批局", "经济发展局", "招商服务中心", "规划建设局", "自然资源分局", "生态环境分局", "财政局",
               "企业服务中心", "科技创新局", "人力资源和社会保障局", "应急管理局", "市场监管分局", "税务分局",
               "供电公司（要素保障）"]


def handling_zones(user):
    """The zones whose tickets `user` may receive and work."""
    zones = Zone.objects.visible_to(user).select_related("org_unit").order_by("code")
    return zones if user.is_superuser or user.role in HANDLERS else zones.none()


class TicketForm(forms.Form):
    """The call-taker's form (受理登记): who called (an enterprise looked up as one types), about what, and to
    which department it goes at once."""

    enterprise = IdChoiceField(queryset=Enterprise.objects.none(), required=False,
                               widget=forms.HiddenInput)
    zone = IdChoiceField(label="开发区", queryset=Zone.objects.none(), empty_label=None)
    caller = forms.CharField(label="来电人", required=False, max_length=50)
    phone = forms.CharField(label="联系电话", required=False, max_length=30)
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices, initial=Channel.PHONE,
                                widget=forms.RadioSelect)
    category = forms.ChoiceField(label="类别", choices=Category.choices, widget=forms.RadioSelect)
    text = forms.CharField(label="诉求内容", max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4, "cols": 70}))
    department = forms.CharField(label="分派至承办部门", required=False, max_length=60,
                                 widget=forms.TextInput(attrs={"list": "departments", "placeholder": "可稍后分派"}))
    key_difficult = forms.BooleanField(label="重点难点", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = handling_zones(user)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)


class TicketFilterForm(forms.Form):
    """The ticket list's filters (all optional)."""

    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "编号、内容或企业"}))
    city = forms.ChoiceField(label="市", required=False)
    zone = forms.ChoiceField(label="开发区", required=False)
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *Category.choices])
    department = forms.CharField(label="承办部门", required=False, max_length=60)
    state = forms.ChoiceField(label="状态", required=False, choices=[
        ("", "全部"), ("open", "未办结"), ("overdue", "超期未办结"), ("done", "已办结"), *TicketStatus.choices])
    key_difficult = forms.BooleanField(label="重点难点", required=False)
    escalated = forms.BooleanField(label="已升级", required=False)
    date_from = BoundedDateField(label="受理自", required=False, widget=DATE)
    date_to = BoundedDateField(label="至", required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zone_choices(self, user)


class PeriodForm(forms.Form):
    """A period of receipt (default: this year to today) and a city."""

    date_from = BoundedDateField(label="受理自", required=False, widget=DATE)
    date_to = BoundedDateField(label="至", required=False, widget=DATE)
    city = forms.ChoiceField(label="市", required=False)
    zone = forms.ChoiceField(label="开发区", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zone_choices(self, user)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("起始日期不能晚于截止日期")
        return data

    def period(self) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("date_from") or date(today.year, 1, 1), data.get("date_to") or today


# ---- ticket actions -------------------------------------------------------------------------------------------------

class AssignForm(forms.Form):
    department = forms.CharField(label="承办部门", max_length=60,
                                 widget=forms.TextInput(attrs={"list": "departments"}))
    note = forms.CharField(label="说明", required=False, max_length=300)


class StartForm(forms.Form):
    note = forms.CharField(label="首次响应内容", required=False, max_length=300,
                           widget=forms.TextInput(attrs={"placeholder": "已电话联系企业，说明办理安排"}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label="办理结果", max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))


class CloseForm(forms.Form):
    satisfaction = forms.ChoiceField(label="企业评价", choices=Satisfaction.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="回访记录", required=False, max_length=300)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="重启原因", max_length=300, required=False)


ACTION_FORMS = {"assign": AssignForm, "start": StartForm, "resolve": ResolveForm, "close": CloseForm,
                "reopen": ReopenForm}


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel文件（.xlsx）", widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}))


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=60,
                        widget=forms.TextInput(attrs={"placeholder": "企业名称的任意部分，或信用代码"}))
    city = forms.ChoiceField(label="市", required=False)
    zone = forms.ChoiceField(label="开发区", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zone_choices(self, user)


# ---- cases and commitments ------------------------------------------------------------------------------------------

class CaseForm(forms.Form):
    """Open a case for the project whose page this is: an item of its zone, one of its zone's agents."""

    item = IdChoiceField(label="代办事项", queryset=ServiceItem.objects.none())
    agent = IdChoiceField(label="代办员", queryset=User.objects.none())
    lead_official = forms.CharField(label="领办领导", required=False, max_length=50)
    accepted_on = BoundedDateField(label="受理日期", required=False, widget=DATE)
    by_commitment = forms.BooleanField(label="承诺制办理", required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = ServiceItem.objects.filter(zone=project.zone, active=True).order_by(
            "phase", "name")
        self.fields["agent"].queryset = User.objects.filter(
            is_active=True, role__in=AGENT_ROLES, org_unit__path__startswith=project.zone.org_unit.path
        ).order_by("role", "username")
        self.fields["lead_official"].initial = project.lead_official


class CaseAdvanceForm(forms.Form):
    to = forms.ChoiceField(label="办理至", choices=[(s.value, s.label) for s in CaseStatus
                                                   if s != CaseStatus.ACCEPTED])
    on = BoundedDateField(label="日期", required=False, widget=DATE)
    reason = forms.CharField(label="退回原因", required=False, max_length=300)


class CommitmentForm(forms.Form):
    content = forms.CharField(label="承诺内容", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))
    promised_on = BoundedDateField(label="承诺日期", widget=DATE)
    verify_by = BoundedDateField(label="核查期限", widget=DATE)


class VerifyForm(forms.Form):
    verified_on = BoundedDateField(label="核查日期", widget=DATE)
    note = forms.CharField(label="核查情况", required=False, max_length=300)

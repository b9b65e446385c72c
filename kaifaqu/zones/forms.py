"""The zone list's filter form."""

from django import forms

from .choices import ZoneKind, ZoneLevel
from .models import Region


class ZoneFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "名称、简称、代码或拼音首字母，如 yqjk"}))
    city = forms.ChoiceField(label="所在市", required=False)
    level = forms.ChoiceField(label="级别", required=False, choices=[("", "全部级别"), *ZoneLevel.choices])
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *ZoneKind.choices])

    def __init__(self, *args, cities: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", "全部城市"), *[(c.code, c.name) for c in cities]]

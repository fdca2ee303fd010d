"""The forms of the task tracker's pages; they only check input, the actions decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Role, User
from czesg.engine.plan import load_city_profile
from czesg.registries.forms import DateInput


def _department_choices(lang: str, keys=None) -> list[tuple[str, str]]:
    profile = load_city_profile()
    english = lang.startswith("en")
    return [(d.key, d.name_en if english else d.name_zh) for d in profile.departments
            if keys is None or d.key in keys]


class ProgressForm(forms.Form):
    """A progress post on a plan task."""

    department_key = forms.ChoiceField(label=_("On behalf of"))
    date = forms.DateField(label=_("Date"), widget=DateInput())
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)
    link = forms.URLField(label=_("Attachment link"), required=False, max_length=500,
                          assume_scheme="https")

    def __init__(self, *args, departments: list[str], lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department_key"].choices = _department_choices(lang, set(departments))


class MilestoneForm(forms.Form):
    """A new milestone of a plan task."""

    title = forms.CharField(label=_("Milestone"), max_length=300)
    due = forms.DateField(label=_("Due date"), widget=DateInput())


class DepartmentForm(forms.Form):
    """Assign a government user to a plan department."""

    user = forms.ModelChoiceField(label=_("Government user"), queryset=User.objects.none())
    department_key = forms.ChoiceField(label=_("Department"))

    def __init__(self, *args, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            role=Role.GOVERNMENT, is_active=True).order_by("username")
        self.fields["department_key"].choices = _department_choices(lang)

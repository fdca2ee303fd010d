"""The forms of the dashboards' pages; they only check input, the actions decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from czesg.accounts.models import Role, User
from czesg.dashboards.actions import REGISTRIES
from czesg.engine.parks import ParkMethodology
from czesg.engine.plan import load_city_profile
from czesg.enterprises.models import Enterprise


class DateInput(forms.DateInput):
    """A browser date picker."""

    input_type = "date"


class EnterpriseByCode(forms.Field):
    """An optional enterprise, typed as its unified social credit code."""

    widget = forms.TextInput(attrs={"maxlength": 18, "class": "mono"})

    def to_python(self, value):
        """Return the enterprise with the typed credit code (None when empty)."""
        text = (value or "").strip().upper()
        if not text:
            return None
        enterprise = Enterprise.objects.filter(uscc=text).first()
        if enterprise is None:
            raise forms.ValidationError(_("No enterprise has this credit code."))
        return enterprise

    def prepare_value(self, value):
        """Show an enterprise as its credit code."""
        if isinstance(value, Enterprise):
            return value.uscc
        if isinstance(value, int):
            enterprise = Enterprise.objects.filter(pk=value).first()
            return enterprise.uscc if enterprise else ""
        return value


def registry_form(key: str) -> type[forms.ModelForm]:
    """A model form for the fields of one registry."""
    spec = REGISTRIES[key]
    widgets = {"date": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}
    meta = type("Meta", (), {"model": spec.model, "fields": list(spec.fields),
                             "widgets": widgets, "labels": {"date": spec.date_label}})
    attrs: dict = {"Meta": meta}
    if "enterprise" in spec.fields:
        attrs["enterprise"] = EnterpriseByCode(
            label=_("Enterprise"), required=False,
            help_text=_("Optional: the enterprise's credit code."))
    return type(f"{spec.model.__name__}Form", (forms.ModelForm,), attrs)


class ZoneStatisticsForm(forms.Form):
    """One value and one source per statistic of the park methodology."""

    def __init__(self, *args, methodology: ParkMethodology, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.methodology = methodology
        for statistic in methodology.statistics:
            name = statistic.name_en if lang.startswith("en") else statistic.name_zh
            self.fields[f"value_{statistic.key}"] = forms.CharField(
                label=name, required=False, max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal",
                                              "data-statistic": statistic.key}),
            )
            self.fields[f"source_{statistic.key}"] = forms.CharField(
                label=_("Source"), required=False, max_length=300,
                widget=forms.TextInput(attrs={"data-source": statistic.key}),
            )

    def entries(self) -> dict[str, tuple[str, str]]:
        """The entered values and sources by statistic key (empty value = clear)."""
        return {
            statistic.key: (self.cleaned_data.get(f"value_{statistic.key}", ""),
                            self.cleaned_data.get(f"source_{statistic.key}", ""))
            for statistic in self.methodology.statistics
        }


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

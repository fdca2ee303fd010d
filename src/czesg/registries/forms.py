"""The forms of the registry pages; they only check input, the actions decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from czesg.enterprises.models import Enterprise
from czesg.registries.actions import REGISTRIES


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

"""Forms of the extraction pages: upload a report, correct a candidate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReportForm(forms.Form):
    """A report PDF to read for an enterprise and reporting year."""

    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18)
    year = forms.IntegerField(label=_("Reporting year"), min_value=2000, max_value=2100)
    file = forms.FileField(label=_("Report (PDF)"))


class CorrectionForm(forms.Form):
    """The right figure for a candidate, as the page prints it, with its unit."""

    value = forms.CharField(label=_("Value"), max_length=40)
    unit = forms.CharField(label=_("Unit"), max_length=24, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

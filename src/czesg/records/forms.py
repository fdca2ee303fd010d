"""Forms of the records pages: a source's file with the adapter that reads it, an account table."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from czesg.records.adapters import adapters_for
from czesg.records.models import RecordSource


class RecordFileForm(forms.Form):
    """A file of a source and the adapter to read it with (only adapters of the source's kind)."""

    adapter = forms.ChoiceField(label=_("File format"))
    file = forms.FileField(label=_("CSV or XLSX file"))

    def __init__(self, *args, source: RecordSource, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adapter"].choices = [
            (a.name, f"{a.name}: {gettext(a.title)}")
            for a in adapters_for(source.kind, source.code)]


class AccountTableForm(forms.Form):
    """A utility's account table (account -> credit code)."""

    file = forms.FileField(label=_("Account table (CSV or XLSX: account, uscc)"))

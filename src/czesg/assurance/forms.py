"""The forms of the assurance pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from czesg.assurance.models import AssuranceFirm, ConclusionKind, Level
from czesg.engine.assurance.criteria import load_criteria


class InviteForm(forms.Form):
    """The enterprise's invitation of a firm: scope, level, criteria, materiality and dates."""

    firm = forms.ModelChoiceField(AssuranceFirm.objects.filter(active=True), label=_("Assurance firm"))
    scope = forms.MultipleChoiceField(label=_("Indicators to assure"),
                                      widget=forms.CheckboxSelectMultiple)
    level = forms.ChoiceField(label=_("Level of assurance"), choices=Level.choices)
    criteria = forms.MultipleChoiceField(label=_("Criteria"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    materiality = forms.FloatField(label=_("Materiality threshold (%)"), initial=5.0,
                                   min_value=0.01, max_value=100)
    starts_on = forms.DateField(label=_("Fieldwork from"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Statement due"),
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, codes: list[tuple[str, str]], lang: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = codes
        self.fields["criteria"].choices = [
            (c.key, c.zh if lang.startswith("zh") else c.en) for c in load_criteria().items.values()
        ]
        today = dt.date.today()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + dt.timedelta(days=60)


class ConcludeForm(forms.Form):
    """The lead verifier's conclusion."""

    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=ConclusionKind.choices)
    basis = forms.CharField(label=_("Basis for the conclusion"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

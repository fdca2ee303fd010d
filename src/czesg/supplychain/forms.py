"""Forms of the supply-chain pages (the actions check everything again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from czesg.supplychain.models import DeclaredUnit

FUEL_ROWS = 5
MATERIAL_ROWS = 5


class ProductForm(forms.Form):
    """A new product: name, classification, declared unit."""

    name = forms.CharField(label=_("Product name"), max_length=200)
    declared_unit = forms.ChoiceField(label=_("Declared unit"), choices=DeclaredUnit.choices)
    mass_kg = forms.DecimalField(label=_("Mass per declared unit (kg)"), required=False,
                                 min_value=0, max_digits=14, decimal_places=6)
    cpc_code = forms.CharField(label=_("CPC code"), max_length=10, required=False)
    hs_code = forms.CharField(label=_("HS code"), max_length=12, required=False)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class FootprintForm(forms.Form):
    """The reference year, output and exemptions of a footprint (rows are read separately)."""

    year = forms.IntegerField(label=_("Reference year"), min_value=2000, max_value=2100)
    output = forms.FloatField(label=_("Output in the reference year (declared units)"),
                              min_value=0)
    exempted_percent = forms.FloatField(label=_("Emissions exempted (%)"), min_value=0,
                                        max_value=5, initial=0)
    geography = forms.CharField(label=_("Province (ISO 3166-2)"), initial="CN-JS", max_length=6)


class ClientForm(forms.Form):
    """A new PACT client of the enterprise."""

    name = forms.CharField(label=_("Client name"), max_length=80)


class PartnerForm(forms.Form):
    """A partner's PACT endpoint and the client credentials it gave the enterprise."""

    partner_name = forms.CharField(label=_("Partner name"), max_length=80)
    base_url = forms.CharField(label=_("Partner's PACT base URL"), max_length=300,
                               help_text=_("e.g. https://pact.partner.example/pact"))
    partner_client_id = forms.CharField(label=_("Client id the partner gave you"),
                                        max_length=200)
    partner_secret = forms.CharField(label=_("Client secret the partner gave you"),
                                     max_length=500, widget=forms.PasswordInput)
    event_sources = forms.CharField(
        label=_("Event sources it sends requests from (one per line)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Left empty, only the base URL is allowed."))


class ConsentForm(forms.Form):
    """Share footprints with another enterprise, by its credit code."""

    recipient = forms.CharField(label=_("Recipient's unified social credit code"),
                                max_length=18)
    product = forms.ChoiceField(label=_("Product"), required=False)


class RequestForm(forms.Form):
    """A buyer's request to suppliers (the suppliers and products are one per line)."""

    template = forms.ChoiceField(label=_("Questionnaire"))
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Reporting year asked"), min_value=2000, max_value=2100)
    indicators = forms.MultipleChoiceField(label=_("Indicators asked"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    suppliers = forms.CharField(
        label=_("Suppliers: one per line, credit code, e-mail (needed for an enterprise not in "
                "the registry), tier (1 or 2)"),
        widget=forms.Textarea(attrs={"rows": 4}))
    products = forms.CharField(label=_("Products whose footprints you ask for, one per line"),
                               required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("Due date"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    include_scores = forms.BooleanField(label=_("Ask for the green score too"), required=False,
                                        initial=True)
    message = forms.CharField(label=_("Message"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    """A supplier declines a buyer's request."""

    reason = forms.CharField(label=_("Why you decline"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class WeightingForm(forms.Form):
    """A buyer's weighting of the supplier score (the weights sum to 1)."""

    rating = forms.FloatField(label=_("ESG rating score"), min_value=0, max_value=1)
    green = forms.FloatField(label=_("Green score"), min_value=0, max_value=1)
    data = forms.FloatField(label=_("Share of the asked indicators answered"), min_value=0,
                            max_value=1)
    assured = forms.FloatField(label=_("Share of the answers assured"), min_value=0,
                               max_value=1)
    footprint = forms.FloatField(label=_("Share of the asked products with a footprint"),
                                 min_value=0, max_value=1)
    note = forms.CharField(label=_("Why (kept with the version)"), max_length=300,
                           required=False)

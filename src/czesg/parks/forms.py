"""The form of the zone statistics page; it only checks input, the actions decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from czesg.engine.parks import ParkMethodology


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

"""The carbon calculator pages: enter or upload activity rows, see the totals and the full trace,
send them to the year's draft disclosure, and recalculate beside the original when a newer
factor set is published. Only the enterprise's managers (and platform admins) reach them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_POST

from czesg.accounts.models import Role
from czesg.accounts.permissions import can_manage_enterprise
from czesg.carbon import actions, activity_csv, display
from czesg.carbon.models import CarbonCalculation
from czesg.disclosures.models import Disclosure, State
from czesg.engine import carbon
from czesg.engine.catalogue import load_catalogue
from czesg.engine.kernel.errors import CzesgError
from czesg.engine.kernel.units import alternatives, label
from czesg.enterprises.models import Enterprise
from czesg.web.language import language
from czesg.web.problems import user_message

BLANK_ROWS = 5
SCOPE_GROUPS: tuple[tuple[str, str], ...] = (
    ("1", gettext_noop("Scope 1: fuels burnt, processes, gases released")),
    ("2", gettext_noop("Scope 2: purchased electricity and heat")),
    ("3", gettext_noop("Scope 3: value chain (entered in tCO2e)")),
    ("memo", gettext_noop("Memo items")),
)
GWP_LABELS: dict[str, str] = {
    "SAR": "IPCC SAR (1995)", "AR4": "IPCC AR4 (2007)", "AR5": "IPCC AR5 (2014)",
    "AR6": "IPCC AR6 (2021)",
}


def may_use_calculator(user, enterprise: Enterprise) -> bool:
    """Whether the user manages the enterprise or is a platform administrator."""
    if getattr(user, "is_authenticated", False) and user.role == Role.PLATFORM_ADMIN:
        return True
    return can_manage_enterprise(user, enterprise)


def _enterprise(request: HttpRequest, uscc: str) -> Enterprise:
    """The enterprise if the user may use its calculator; otherwise it does not exist for them."""
    uscc = uscc.strip().upper()
    enterprise = (
        Enterprise.objects.filter(uscc=uscc).first()
        if len(uscc) <= 18 and "\x00" not in uscc else None
    )
    if enterprise is None or not may_use_calculator(request.user, enterprise):
        raise Http404
    return enterprise


def _calculation(request: HttpRequest, enterprise: Enterprise, pk: int) -> CarbonCalculation:
    if not 0 < pk < 2**63:  # beyond any database's integer: no such calculation
        raise Http404
    calculation = (
        CarbonCalculation.objects.visible_to(request.user)
        .select_related("enterprise", "created_by", "applied_to", "supersedes")
        .filter(pk=pk, enterprise=enterprise).first()
    )
    if calculation is None:
        raise Http404
    return calculation


# --- choices ----------------------------------------------------------------------------------
def unit_choices(canonical: str, lang: str) -> list[tuple[str, str]]:
    """The unit spellings a person may choose for an activity, canonical first, no duplicates."""
    choices, shown = [], set()
    for spelling in alternatives(canonical):
        text = label(spelling, lang) if spelling == canonical else spelling
        if text not in shown:
            shown.add(text)
            choices.append((spelling, text))
    return choices


def _activity_groups(lang: str) -> list[dict[str, Any]]:
    activities = carbon.load_activities().values()
    return [
        {"label": gettext(title), "options": [(a.code, a.name(lang)) for a in activities
                                              if a.scope == scope]}
        for scope, title in SCOPE_GROUPS
    ]


def _units_by_activity(lang: str) -> dict[str, list[tuple[str, str]]]:
    return {a.code: unit_choices(a.unit, lang) for a in carbon.load_activities().values()}


def _all_units(units: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for choices in units.values():
        for value, text in choices:
            seen.setdefault(value, text)
    return list(seen.items())


@dataclass
class EnteredRow:
    """One row of the calculator's table as the person entered it."""

    number: int
    activity: str = ""
    quantity: str = ""
    unit: str = ""
    facility: str = ""
    units: list[tuple[str, str]] = field(default_factory=list)


def _entered_rows(request: HttpRequest) -> list[EnteredRow]:
    lists = {name: request.POST.getlist(name) for name in ("activity", "quantity", "unit",
                                                           "facility")}
    count = max((len(v) for v in lists.values()), default=0)
    return [
        EnteredRow(number=i + 1, **{
            name: (values[i].strip() if i < len(values) else "") for name, values in lists.items()
        })
        for i in range(count)
    ]


def _with_units(rows: list[EnteredRow], units: dict[str, list[tuple[str, str]]]
                ) -> list[EnteredRow]:
    everything = _all_units(units)
    while len(rows) < BLANK_ROWS or rows[-1].activity or rows[-1].quantity:
        rows.append(EnteredRow(number=len(rows) + 1))
    for row in rows:
        row.units = units.get(row.activity, everything)
    return rows


# --- history ----------------------------------------------------------------------------------
@dataclass
class HistoryItem:
    """A past calculation as listed, placed right after the one it recalculates."""

    calculation: CarbonCalculation
    depth: int
    totals: dict[str, str]
    newer: str = ""


def _history(enterprise: Enterprise, user) -> list[HistoryItem]:
    rows = list(
        CarbonCalculation.objects.visible_to(user).filter(enterprise=enterprise)
        .select_related("created_by", "applied_to").order_by("-created_at", "-id")
    )
    children: dict[int | None, list[CarbonCalculation]] = {}
    for row in rows:
        children.setdefault(row.supersedes_id, []).append(row)
    known = {row.pk for row in rows}
    items: list[HistoryItem] = []

    def visit(calculation: CarbonCalculation, depth: int) -> None:
        used = {c.factor_set for c in children.get(calculation.pk, [])}
        newer = [v for v in actions.newer_factor_sets(calculation.factor_set) if v not in used]
        data = calculation.totals_data
        totals = {key: display.number(data.get(key)) for key, _, _ in display.TOTALS}
        items.append(HistoryItem(calculation, depth, totals, newer[-1] if newer else ""))
        for child in sorted(children.get(calculation.pk, []), key=lambda c: c.pk):
            visit(child, depth + 1)

    for row in rows:
        if row.supersedes_id is None or row.supersedes_id not in known:
            visit(row, 0)
    return items


# --- pages ------------------------------------------------------------------------------------
@login_required
def calculator(request: HttpRequest, uscc: str) -> HttpResponse:
    """The calculator: a table of activity rows or a CSV upload, the GWP choice, past results."""
    enterprise = _enterprise(request, uscc)
    lang = language()
    this_year = timezone.now().year
    years = list(range(this_year, this_year - 6, -1))
    units = _units_by_activity(lang)
    year = str(this_year - 1)
    gwp_set = carbon.DEFAULT_GWP_SET
    rows: list[EnteredRow] = []
    problems: list[dict[str, Any]] = []
    error = ""
    source = "table"
    if request.method == "POST":
        year = request.POST.get("year", "").strip()
        gwp_set = request.POST.get("gwp_set", "").strip()
        source = "file" if request.POST.get("source") == "file" else "table"
        rows = _entered_rows(request)
        try:
            if source == "file":
                upload = request.FILES.get("file")
                if upload is None:
                    raise carbon.CarbonInputError([carbon.input_problem(
                        row=None, column="", message=activity_csv.MSG_NO_FILE,
                    )])
                given = activity_csv.read_rows(upload.read(activity_csv.MAX_BYTES + 1))
            else:
                given = [
                    {"activity": r.activity, "quantity": r.quantity, "unit": r.unit,
                     "facility": r.facility, "row": r.number}
                    for r in rows if r.activity or r.quantity
                ]
            # An optional factor_set field names an older set; without it the latest is used.
            calculation = actions.calculate_for(
                enterprise, year, given, gwp_set=gwp_set or None,
                factor_set=request.POST.get("factor_set", "").strip() or None,
                actor=request.user,
            )
            messages.success(request, gettext("Calculation #%(id)s is saved.")
                             % {"id": calculation.pk})
            return redirect("carbon:calculation", uscc=enterprise.uscc, pk=calculation.pk)
        except carbon.CarbonInputError as exc:
            problems = display.problem_rows(exc, gettext)
        except CzesgError as exc:
            error = user_message(exc)
    return render(request, "carbon/calculator.html", {
        "enterprise": enterprise,
        "enterprise_name": enterprise.display_name(lang),
        "years": years,
        "year": year,
        "gwp_sets": [(g, GWP_LABELS.get(g, g)) for g in carbon.GWP_SETS],
        "gwp_set": gwp_set,
        "default_gwp_set": carbon.DEFAULT_GWP_SET,
        "activity_groups": _activity_groups(lang),
        "activities": [
            {"code": a.code, "name": a.name(lang), "unit": label(a.unit, lang),
             "scope": a.scope, "notes": a.note(lang),
             "notes_lang": "en" if a.note(lang) == a.notes and not lang.startswith("en") else ""}
            for a in carbon.load_activities().values()
        ],
        "units": units,
        "rows": _with_units(rows, units),
        "problems": problems,
        "error": error,
        "source": source,
        "history": _history(enterprise, request.user),
        "latest_factor_set": carbon.available_factor_sets()[-1],
    })


def _trace_rows(calculation: CarbonCalculation, lang: str) -> list[dict[str, Any]]:
    names = {a.code: a.name(lang) for a in carbon.load_activities().values()}
    out = []
    for entry in calculation.trace_data:
        residual = entry.get("row") is None
        out.append({
            "entry": entry,
            "row": entry.get("row"),
            "residual": residual,
            "activity": names.get(entry["activity"], entry["activity"]),
            "basis": display.basis_label(entry["basis"], gettext),
            "quantity": display.number(entry.get("quantity")),
            "unit": entry.get("unit") or "",
            "converted": display.number(entry.get("converted_quantity")),
            "canonical_unit": entry.get("canonical_unit") or "",
            "green": display.number(entry.get("green_quantity")),
            "factor": display.factor_text(entry),
            "level": display.level_text(entry, gettext),
            "result": display.number(entry.get("result")),
            "result_raw": entry.get("result"),
            "result_unit": entry.get("result_unit") or "",
        })
    return out


def _totals(calculation: CarbonCalculation) -> list[dict[str, Any]]:
    data = calculation.totals_data
    return [
        {"key": key, "label": gettext(title), "unit": unit, "value": data.get(key),
         "text": display.number(data.get(key))}
        for key, title, unit in display.TOTALS
    ]


@login_required
def calculation_detail(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    """One calculation: totals beside related calculations, the trace, and what to do next."""
    enterprise = _enterprise(request, uscc)
    calculation = _calculation(request, enterprise, pk)
    lang = language()
    visible = CarbonCalculation.objects.visible_to(request.user).filter(enterprise=enterprise)
    family: list[CarbonCalculation] = []
    if calculation.supersedes_id:
        original = visible.filter(pk=calculation.supersedes_id).first()
        if original is not None:
            family.append(original)
    family.append(calculation)
    family += list(visible.filter(supersedes=calculation).order_by("pk"))
    comparison = []
    if len(family) > 1:
        totals = [c.totals_data for c in family]
        comparison = [
            {"label": gettext(title), "unit": unit,
             "values": [display.number(t.get(key)) for t in totals]}
            for key, title, unit in display.TOTALS
        ]
    draft = Disclosure.objects.filter(
        enterprise=enterprise, year=calculation.year, state=State.DRAFT
    ).first()
    latest = Disclosure.objects.filter(
        enterprise=enterprise, year=calculation.year
    ).order_by("-version").first()
    catalogue = load_catalogue()
    to_write = [
        {"code": e.indicator, "name": catalogue.get(e.indicator).name(lang),
         "value": display.number(e.value), "unit": label(e.unit, lang) if e.unit else ""}
        for e in actions.entries_for(calculation)
    ]
    used = {c.factor_set for c in calculation.recalculations.all()}
    newer = [v for v in actions.newer_factor_sets(calculation.factor_set) if v not in used]
    totals_data = calculation.totals_data
    return render(request, "carbon/calculation.html", {
        "enterprise": enterprise,
        "enterprise_name": enterprise.display_name(lang),
        "calculation": calculation,
        "totals": _totals(calculation),
        "unconverted": totals_data.get("energy_unconverted_rows") or 0,
        "family": family,
        "comparison": comparison,
        "trace": _trace_rows(calculation, lang),
        "draft": draft,
        "latest_disclosure": latest,
        "to_write": to_write,
        "newer": newer[-1] if newer else "",
        "gwp_label": GWP_LABELS.get(calculation.gwp_set, calculation.gwp_set),
    })


@login_required
@require_POST
def apply(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    """Send a calculation's totals into the enterprise's draft disclosure of the same year."""
    enterprise = _enterprise(request, uscc)
    calculation = _calculation(request, enterprise, pk)
    draft = Disclosure.objects.filter(
        enterprise=enterprise, year=calculation.year, state=State.DRAFT
    ).first()
    if draft is None:
        messages.error(request, gettext("There is no draft disclosure for %(year)s to send the "
                                        "values to.") % {"year": calculation.year})
    else:
        try:
            actions.apply_to_disclosure(calculation, draft, actor=request.user)
            messages.success(request, gettext("The values were written into your %(year)s draft "
                                              "disclosure.") % {"year": calculation.year})
        except CzesgError as exc:
            messages.error(request, user_message(exc))
    return redirect("carbon:calculation", uscc=enterprise.uscc, pk=calculation.pk)


@login_required
@require_POST
def recalculate(request: HttpRequest, uscc: str, pk: int) -> HttpResponse:
    """Compute a calculation again with a newer factor set, as a new calculation beside it."""
    enterprise = _enterprise(request, uscc)
    calculation = _calculation(request, enterprise, pk)
    try:
        fresh = actions.recalculate(calculation, request.POST.get("factor_set", ""),
                                    actor=request.user)
    except CzesgError as exc:
        messages.error(request, user_message(exc))
        return redirect("carbon:calculation", uscc=enterprise.uscc, pk=calculation.pk)
    messages.success(request, gettext("Calculation #%(id)s was recalculated with factor set "
                                      "%(version)s as #%(new)s; the original is unchanged.")
                     % {"id": calculation.pk, "version": fresh.factor_set, "new": fresh.pk})
    return redirect("carbon:calculation", uscc=enterprise.uscc, pk=fresh.pk)

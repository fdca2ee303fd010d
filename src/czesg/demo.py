"""Demo and synthetic data: the accounts of each role, and enterprises with disclosures.

Everything here goes through the actions, as any other writer does; the synthetic enterprises
are marked as synthetic in their names and in the registry.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from czesg.access.actions import grant_access
from czesg.access.models import Grant, Scope
from czesg.accounts.actors import system_actor
from czesg.accounts.models import MembershipRole, Role, User
from czesg.assurance import actions as assurance
from czesg.assurance.models import AssuranceFirm
from czesg.disclosures.bulk import import_checked
from czesg.disclosures.models import Disclosure, Method, State
from czesg.engine import synth
from czesg.engine.catalogue import load_catalogue
from czesg.engine.disclosure.bulk import check_long
from czesg.engine.procurement import load_questionnaires
from czesg.enterprises.actions import EnterpriseFacts, add_member, bulk_register
from czesg.enterprises.models import Enterprise, SizeClass
from czesg.finance.demo import load_finance_demo
from czesg.ratings.actions import run_rating, start_rating
from czesg.ratings.models import RatingRun
from czesg.supplychain import actions as supplychain
from czesg.supplychain.models import SupplierRequest
from czesg.supplychain.queries import prefill


@dataclass(frozen=True)
class DemoAccount:
    """A demo sign-in for one role (printed at start and listed in the README)."""

    username: str
    password: str
    role: str
    organisation: str = ""
    park_key: str = ""


DEMO_ACCOUNTS = (
    DemoAccount("admin", "czesg-admin-demo", Role.PLATFORM_ADMIN, "czesg"),
    DemoAccount("gov", "czesg-gov-demo", Role.GOVERNMENT, "常州市发展和改革委员会"),
    DemoAccount("sme", "czesg-sme-demo", Role.ENTERPRISE),
    DemoAccount("listed", "czesg-listed-demo", Role.ENTERPRISE),
    DemoAccount("verifier", "czesg-verifier-demo", Role.VERIFIER, "合成样例鉴证事务所（合成数据）"),
    DemoAccount("verifier2", "czesg-verifier2-demo", Role.VERIFIER, "合成样例鉴证事务所（合成数据）"),
    DemoAccount("bank", "czesg-bank-demo", Role.BANK, "合成样例银行常州分行（合成数据）"),
    DemoAccount("bank2", "czesg-bank2-demo", Role.BANK, "合成样例农村商业银行（合成数据）"),
    DemoAccount("regulator", "czesg-regulator-demo", Role.REGULATOR,
                "合成样例金融监管分局（合成数据）"),
    DemoAccount("park", "czesg-park-demo", Role.PARK_ADMIN, "常州国家高新区管委会", "czhnd"),
)


def default_years(count: int, today: date | None = None) -> list[int]:
    """The last ``count`` complete reporting years before today."""
    last = (today or date.today()).year - 1
    return list(range(last - count + 1, last + 1))


def _states(n: int, final: bool, seed: int) -> list[str]:
    """Publication states: earlier years published; the latest year partly still in progress."""
    if not final:
        return [State.PUBLISHED] * n
    out = []
    for i in range(n):
        bucket = (i * 7919 + seed) % 20
        out.append(State.DRAFT if bucket < 3 else State.SUBMITTED if bucket < 6 else State.PUBLISHED)
    return out


def synthetic_frame(values) -> pl.DataFrame:
    """The long-format frame (uscc, year, indicator, value, unit, na_explanation) of
    generated values, built column-wise so that millions of values stay cheap."""
    usccs = pl.Series([e.uscc for e in values.enterprises], dtype=pl.Utf8)
    codes = pl.Series(list(values.codes), dtype=pl.Utf8)
    kinds = pl.Series(list(values.data_types), dtype=pl.Utf8)
    unit_of = pl.Series(list(values.units), dtype=pl.Utf8)
    choice_lookup = pl.DataFrame(
        [(i, j, key) for i, keys in enumerate(values.choice_keys) for j, key in enumerate(keys)],
        schema={"indicator": pl.Int64, "choice": pl.Int64, "key": pl.Utf8}, orient="row",
    )
    texts = pl.Series(list(values.text_pool) or [""], dtype=pl.Utf8)
    frame = pl.DataFrame({
        "e": values.enterprise_index.astype(np.int64), "year": values.year.astype(np.int64),
        "indicator": values.indicator.astype(np.int64), "number": values.number,
        "boolean": values.boolean.astype(np.int64), "choice": values.choice.astype(np.int64),
        "text": values.text.astype(np.int64),
    })
    frame = frame.join(choice_lookup, on=["indicator", "choice"], how="left")
    kind = kinds.gather(frame["indicator"])
    value = (
        pl.when(kind.is_in(["number", "percentage"])).then(pl.col("number").cast(pl.Utf8))
        .when(kind == "boolean").then(pl.when(pl.col("boolean") == 1).then(pl.lit("true"))
                                      .otherwise(pl.lit("false")))
        .when(kind == "choice").then(pl.col("key"))
        .otherwise(texts.gather(frame["text"].clip(lower_bound=0)))
    )
    reported = frame.select(
        usccs.gather(frame["e"]).alias("uscc"), pl.col("year").cast(pl.Utf8),
        codes.gather(frame["indicator"]).alias("indicator"), value.alias("value"),
        pl.when(kind.is_in(["number", "percentage"])).then(unit_of.gather(frame["indicator"]))
        .otherwise(pl.lit("")).alias("unit"),
        pl.lit("").alias("na_explanation"),
    )
    na = pl.DataFrame({
        "e": values.na_enterprise_index.astype(np.int64), "year": values.na_year.astype(np.int64),
        "indicator": values.na_indicator.astype(np.int64),
        "x": values.na_explanation.astype(np.int64),
    })
    explanations = pl.Series(list(values.explanations) or [""], dtype=pl.Utf8)
    not_applicable = na.select(
        usccs.gather(na["e"]).alias("uscc"), pl.col("year").cast(pl.Utf8),
        codes.gather(na["indicator"]).alias("indicator"), pl.lit("").alias("value"),
        pl.lit("").alias("unit"), explanations.gather(na["x"]).alias("na_explanation"),
    )
    return pl.concat([reported, not_applicable])


# Enterprises whose disclosures are generated, checked and imported together. The generator
# draws each figure for the whole population at once (vectorised), so one draw of a million
# enterprises' disclosures needs tens of gigabytes; slices of this size keep a load of any size
# within a few. Populations up to one slice load as one draw (so their values are unchanged);
# beyond it, slice k is drawn with seed + k.
SLICE_ENTERPRISES = 200_000


def load_synthetic(*, enterprises: int, years: int | list[int], seed: int = 2025,
                   progress: bool = False, actor: User | None = None,
                   slice_enterprises: int = SLICE_ENTERPRISES) -> dict:
    """Generate and load synthetic enterprises and their disclosures; returns counts.

    Values go through the same checks and the same writer as a bulk import of real data, one
    slice of ``slice_enterprises`` at a time (see :data:`SLICE_ENTERPRISES`).
    """
    actor = actor or system_actor()
    year_list = default_years(years) if isinstance(years, int) else sorted(years)
    generated = synth.generate_enterprises(enterprises, seed=seed)
    states = {y: _states(len(generated), final=(y == year_list[-1]), seed=seed) for y in year_list}
    totals = {"enterprises_created": 0, "disclosures": 0, "datapoints": 0, "years": year_list}
    for number, start in enumerate(range(0, len(generated), slice_enterprises)):
        part = generated[start:start + slice_enterprises]
        counts = _load_slice(part, start, len(generated), year_list, states, seed=seed,
                             draw_seed=seed + number, progress=progress, actor=actor)
        for key, value in counts.items():
            totals[key] += value
    return totals


def _load_slice(generated: list, offset: int, total: int, year_list: list[int],
                states: dict[int, list[str]], *, seed: int, draw_seed: int, progress: bool,
                actor: User) -> dict[str, int]:
    """Register one slice of the generated enterprises and import their disclosures."""
    facts = [
        EnterpriseFacts(
            uscc=e.uscc, name=e.name, name_en=e.name_en, industry_code=e.industry_code,
            division_code=e.division_code, park_key=e.park_key, size_class=e.size_class,
            listed=e.listed, exchange=e.exchange, stock_code=e.stock_code,
            state_owned=e.state_owned, is_synthetic=True,
        )
        for e in generated
    ]
    created = bulk_register(facts, actor=actor, source=f"czesg synth (seed {seed})")
    del facts
    # Submitted and published disclosures must pass validation, as real ones do.
    values = synth.generate_disclosures(generated, year_list, seed=draw_seed, submittable=True)
    check = check_long(synthetic_frame(values), load_catalogue())
    del values
    if check.problems:
        first = check.problems[0]
        raise RuntimeError(f"synthetic data failed its own checks: row {first.row}: {first.render()}")
    position = {e.uscc: offset + i for i, e in enumerate(generated)}

    def bar(done: int, _total: int) -> None:
        print(f"\r  enterprises {offset + done}/{total}", end="\n" if offset + done >= total else "",
              file=sys.stderr, flush=True)

    summary = import_checked(
        check, actor=actor, method=Method.IMPORTED, evidence=f"synthetic data, seed {seed}",
        final_state=lambda uscc, year: states[year][position[uscc]],
        progress=bar if progress else None,
    )
    return {
        "enterprises_created": created,
        "disclosures": summary.disclosures_created + summary.disclosures_updated,
        "datapoints": summary.imported_values,
    }


def ensure_demo_accounts() -> dict[str, User]:
    """Create the demo account of every role and attach the two enterprise users."""
    actor = system_actor()
    users = {}
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "role": account.role, "organisation": account.organisation,
                "park_key": account.park_key,
                "is_staff": account.role == Role.PLATFORM_ADMIN,
                "is_superuser": account.role == Role.PLATFORM_ADMIN,
            },
        )
        if created:
            user.set_password(account.password)
            user.save(update_fields=["password"])
        users[account.username] = user
    synthetic = Enterprise.objects.filter(is_synthetic=True)
    sme = synthetic.filter(listed=False, size_class__in=[SizeClass.SMALL, SizeClass.MICRO]).order_by("uscc").first()
    listed = synthetic.filter(listed=True).order_by("uscc").first()
    for username, enterprise in (("sme", sme), ("listed", listed)):
        if enterprise is not None and not users[username].memberships.exists():
            add_member(enterprise, users[username], role=MembershipRole.MANAGER, actor=actor)
    _demo_consents(users)
    _demo_assurance(users)
    _demo_supply_chain(users)
    load_finance_demo(users)
    return users


def _rate_demo_years() -> int:
    """Rate each demo year once (in the foreground), so that ratings and dashboards show data."""
    rated = 0
    years = sorted(set(Disclosure.objects.filter(state=State.PUBLISHED).values_list("year", flat=True)))
    for year in years:
        if RatingRun.objects.filter(year=year).exists():
            continue
        run = start_rating(year, actor=system_actor(), enqueue=False)
        rated += run_rating(run.pk).get("rated", 0)
    return rated


def _demo_consents(users: dict[str, User]) -> None:
    """The demo listed company and SME consent to the demo bank reading their data (the demo
    verifier reads the listed company's data through its assurance engagement)."""
    asks = [(username, "bank", [Scope.DISCLOSURES, Scope.SCORES], "常绿贷绿色信贷申请（演示）")
            for username in ("listed", "sme")]
    for username, grantee, scopes, purpose in asks:
        membership = users[username].memberships.first()
        if grantee not in users or membership is None or Grant.objects.filter(
            enterprise=membership.enterprise, grantee=users[grantee]
        ).exists():
            continue
        grant_access(
            membership.enterprise, users[grantee], scopes=scopes,
            valid_until=timezone.localdate() + dt.timedelta(days=365),
            purpose=purpose, actor=users[username],
        )


DEMO_FIRM = "合成样例鉴证事务所（合成数据）"
DEMO_SCOPE = ("E-GHG-01", "E-GHG-02", "E-GHG-03", "E-ENG-01", "S-EMP-01")


def _demo_assurance(users: dict[str, User]) -> None:
    """One assurance firm with the two demo verifiers, and one completed engagement (limited
    assurance, signed by the second verifier) on the listed company's latest published
    disclosure; made once, through the assurance actions."""
    if AssuranceFirm.objects.filter(name=DEMO_FIRM).exists():
        return
    membership = users["listed"].memberships.first()
    if membership is None:
        return
    disclosure = (Disclosure.objects.latest_published(enterprises=[membership.enterprise_id])
                  .order_by("-year").first())
    if disclosure is None:
        return
    actor = system_actor()
    firm = assurance.register_firm(
        name=DEMO_FIRM, name_en="Sample Assurance Firm (synthetic data)",
        accreditation="演示用资质编号 DEMO-0001（合成数据，非真实资质）",
        independence_declaration="本所及项目组成员与被鉴证企业不存在影响独立性的咨询或利益关系（演示）。",
        declared_at=timezone.localdate(), actor=actor)
    lead, reviewer = users["verifier"], users["verifier2"]
    for verifier in (lead, reviewer):
        assurance.add_verifier(firm, verifier, actor=actor)
    reported = set(disclosure.datapoints.exclude(value_number=None)
                   .values_list("indicator_code", flat=True))
    scope = [code for code in DEMO_SCOPE if code in reported]
    if not scope:
        return
    today = timezone.localdate()
    engagement = assurance.invite_firm(
        disclosure, firm, scope=scope, level="limited", criteria=["gbt-32150", "sse-guideline-14"],
        materiality=5.0, starts_on=today, ends_on=today + dt.timedelta(days=90),
        actor=users["listed"])
    assurance.accept_engagement(engagement, actor=lead)
    engagement = assurance.choose_sample(engagement, actor=lead)
    assurance.assign_reviewer(engagement, reviewer, actor=lead)
    for code in engagement.sample:
        assurance.record_procedure(engagement, code, "recalculated", "演示：按证据重新计算",
                                   actor=lead)
    assurance.conclude_engagement(engagement, "unmodified", actor=lead)
    assurance.sign_statement(engagement, actor=reviewer)


DEMO_REQUEST = "动力电池电芯供应商ESG数据（演示）"
DEMO_CELL = "磷酸铁锂电芯 280Ah（演示）"
# Synthetic activity data of the demo cell line (a year's use and the share that belongs to the
# cells); the footprint is computed from them with the carbon engine's factors.
DEMO_CELL_FUELS = [
    {"activity": "electricity", "quantity": 2000000.0, "unit": "kWh", "share": 0.6},
    {"activity": "natural_gas", "quantity": 5.0, "unit": "万Nm3", "share": 0.6},
    {"activity": "diesel", "quantity": 2.0, "unit": "t", "share": 1.0, "stage": "transport"},
]


def _demo_supply_chain(users: dict[str, User]) -> None:
    """The listed company buys battery cells: it asks the demo SME (tier 1), which answers from
    its latest disclosure and shares its cell's published footprint (readable by the listed
    company's PACT client too), and one more synthetic enterprise (tier 2, not answered yet);
    made once, through the supply-chain actions."""
    if SupplierRequest.objects.filter(title=DEMO_REQUEST).exists():
        return
    buying, supplying = users["listed"].memberships.first(), users["sme"].memberships.first()
    if buying is None or supplying is None:
        return
    buyer, supplier = buying.enterprise, supplying.enterprise
    latest = (Disclosure.objects.latest_published(enterprises=[supplier.pk])
              .order_by("-year").first())
    if latest is None:
        return
    year = latest.year
    other = (Enterprise.objects.filter(is_synthetic=True).exclude(pk__in=[buyer.pk, supplier.pk])
             .order_by("uscc").first())
    product = supplychain.create_product(supplier, name=DEMO_CELL, declared_unit="kilogram",
                                         cpc_code="46410", actor=users["sme"])
    draft = supplychain.compute_product_footprint(product, year=year, output=50000.0,
                                                  fuels=DEMO_CELL_FUELS, actor=users["sme"])
    supplychain.publish_footprint(draft.pk, actor=users["sme"])
    request = supplychain.send_request(
        buyer, template="battery", title=DEMO_REQUEST, year=year,
        indicators=list(load_questionnaires()["battery"].indicators), products=["电芯"],
        suppliers=[{"uscc": supplier.uscc, "tier": 1}]
        + ([{"uscc": other.uscc, "tier": 2}] if other is not None else []),
        due_date=timezone.localdate() + dt.timedelta(days=30), actor=users["listed"])
    answers = {code: (("yes" if held["value"] else "no") if isinstance(held["value"], bool)
                      else repr(held["value"]))
               for code, held in prefill(supplier, year, request.indicators).items()}
    supplychain.answer_request(
        request.recipients.get(uscc=supplier.uscc).pk, supplier, answers=answers,
        products={"电芯": str(product.uuid)}, consent=True, actor=users["sme"])
    supplychain.register_pact_client(buyer, name="ERP（演示）", actor=users["listed"])


def load_demo(*, reset: bool = False, enterprises: int = 300) -> dict:
    """Load the Changzhou demo: accounts of every role and 300 synthetic enterprises, 2 years."""
    if reset:
        call_command("flush", interactive=False, verbosity=0)
    summary = {"enterprises_created": 0, "disclosures": 0, "datapoints": 0}
    if not Enterprise.objects.filter(is_synthetic=True).exists():
        with transaction.atomic():
            summary = load_synthetic(enterprises=enterprises, years=2)
    ensure_demo_accounts()
    summary["rated"] = _rate_demo_years()
    summary["enterprises"] = Enterprise.objects.count()
    return summary

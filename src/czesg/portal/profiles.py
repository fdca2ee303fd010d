"""Public profiles, built ahead of requests (fetch → build → persist, set-based).

:func:`build_profiles` turns many enterprises into their profile JSON with three queries per batch
(registry facts, published disclosures, their headline values), and
:func:`refresh_profiles` stores the result in :class:`~czesg.portal.models.PublicProfile`. The
actions that change what a profile shows announce it with the ``enterprises_changed`` and
``disclosures_published`` signals inside their transaction, and the portal app's receivers call
:func:`refresh_profiles` (see :mod:`czesg.portal.apps`). The API
reads a stored profile with one indexed query (:func:`stored_profile`), and builds and stores one
that is missing (an enterprise created outside the actions, or before this table existed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone
from pydantic_core import to_json

from czesg.disclosures.models import Datapoint, Disclosure
from czesg.engine.catalogue.denominators import all_output_units
from czesg.enterprises.models import Enterprise
from czesg.portal.models import PublicProfile
from czesg.portal.public import HEADLINE
from czesg.records.known import DISCLOSED, RECORD, Recorded, recorded_values
from czesg.storage.bulk import upsert_columns

ENTERPRISE_COLUMNS = ("id", "uscc", "name", "name_en", "industry_code", "division_code",
                      "park_key", "size_class", "listed", "exchange", "stock_code",
                      "state_owned", "is_synthetic")
BOOLEAN_COLUMNS = frozenset({"listed", "state_owned", "is_synthetic"})
DISCLOSURE_COLUMNS = ("id", "year", "version", "state", "tier", "catalogue_version", "amends_id",
                      "amendment_reason", "submitted_at", "published_at")
_ENCODER = DjangoJSONEncoder()  # what django-ninja writes datetimes with
BATCH = 2000  # enterprises per query (well under SQLite's limit on query parameters)


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _fetch(ids: list[int]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Registry rows, published disclosure rows (by enterprise, year, version) and the headline
    values of those disclosures, for a batch of enterprises."""
    marks = ", ".join(["%s"] * len(ids))
    codes = ", ".join(["%s"] * len(HEADLINE))
    per_output = sorted(all_output_units()) or [""]  # a series stays in one (per-revenue) unit
    columns = ", ".join(f"d.{c}" for c in DISCLOSURE_COLUMNS)
    published, published_params = (Disclosure.objects.latest_published(enterprises=ids)
                                   .order_by().values("pk").query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(ENTERPRISE_COLUMNS)} FROM {Enterprise._meta.db_table} "
            f"WHERE id IN ({marks})", ids,
        )
        enterprises = cursor.fetchall()
        cursor.execute(
            f"SELECT d.enterprise_id, {columns} FROM {Disclosure._meta.db_table} d "
            f"WHERE d.id IN ({published}) ORDER BY d.enterprise_id, d.year", published_params,
        )
        disclosures = cursor.fetchall()
        cursor.execute(
            f"SELECT p.disclosure_id, p.indicator_code, p.value_number, p.unit "
            f"FROM {Datapoint._meta.db_table} p WHERE p.indicator_code IN ({codes}) "
            f"AND p.disclosure_id IN ({published}) "
            f"AND p.unit NOT IN ({', '.join(['%s'] * len(per_output))})",
            [*HEADLINE, *published_params, *per_output],
        )
        values = cursor.fetchall()
    return enterprises, disclosures, values


def _stamp(value: Any) -> Any:
    """A timestamp written exactly as the other endpoints write it (milliseconds, ``Z`` for UTC):
    SQLite hands back naive UTC text, PostgreSQL aware datetimes (the connection works in UTC)."""
    if value is None:
        return None
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return _ENCODER.default(stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC))


def _profile(enterprise: tuple, disclosures: list[tuple], values: dict[int, list[tuple]],
             recorded: dict[tuple[int, str], Recorded] | None = None) -> bytes:
    """One enterprise's profile, in the exact shape of :class:`~czesg.portal.api.ProfileOut`
    (a test holds the two together), written without a validation pass per profile: the rows
    come typed from the database, and validating 100,000 profiles would double the build."""
    latest: dict[int, tuple] = {}
    for row in disclosures:
        latest[row[1]] = row  # one row a year: its latest published version
    series: dict[str, dict[int, float | None]] = {}
    units: dict[str, str] = {}
    sources: dict[str, dict[int, str]] = {}
    for row in latest.values():
        for code, number, unit in values.get(row[0], ()):
            series.setdefault(code, {})[row[1]] = None if number is None else float(number)
            units[code] = unit
    # Public records fill what no published disclosure holds, and say whose figure it is.
    for (year, code), figure in sorted((recorded or {}).items()):
        if year in series.get(code, {}):
            continue
        series.setdefault(code, {})[year] = figure.number
        units.setdefault(code, figure.unit)
        sources.setdefault(code, {})[year] = figure.source
    facts = dict(zip(ENTERPRISE_COLUMNS, enterprise, strict=True))
    newest = latest[max(latest)] if latest else None
    document = {
        "enterprise": {name: (bool(facts[name]) if name in BOOLEAN_COLUMNS else facts[name])
                       for name in ENTERPRISE_COLUMNS[1:]},
        "published_years": sorted(latest),
        "latest": None if newest is None else {
            "id": newest[0], "enterprise": facts["uscc"], "year": newest[1],
            "version": newest[2], "state": newest[3], "tier": newest[4],
            "catalogue_version": newest[5], "amends": newest[6], "amendment_reason": newest[7],
            "submitted_at": _stamp(newest[8]), "published_at": _stamp(newest[9]),
        },
        "headline": [
            {"indicator": code, "unit": units[code],
             "values": {year: series[code][year] for year in sorted(series[code])},
             "basis": {year: (RECORD if year in sources.get(code, {}) else DISCLOSED)
                       for year in sorted(series[code])},
             "sources": {year: sources[code][year] for year in sorted(sources.get(code, {}))}}
            for code in HEADLINE if code in series
        ],
    }
    return to_json(document)


def build_profiles(enterprise_ids: Iterable[int]) -> Iterator[tuple[int, str, bytes]]:
    """``(enterprise id, credit code, profile JSON)`` of each existing enterprise among the ids."""
    for ids in _batches(sorted(set(enterprise_ids))):
        enterprises, disclosures, values = _fetch(ids)
        disclosures_of: dict[int, list[tuple]] = {}
        for row in disclosures:
            disclosures_of.setdefault(row[0], []).append(row[1:])
        values_of: dict[int, list[tuple]] = {}
        for row in values:
            values_of.setdefault(row[0], []).append(row[1:])
        recorded_of: dict[int, dict[tuple[int, str], Recorded]] = {}
        for (enterprise_id, year, code), figure in recorded_values(ids, codes=HEADLINE).items():
            recorded_of.setdefault(enterprise_id, {})[(year, code)] = figure
        for row in enterprises:
            yield row[0], row[1], _profile(row, disclosures_of.get(row[0], []), values_of,
                                           recorded_of.get(row[0]))


def refresh_profiles(enterprise_ids: Iterable[int]) -> int:
    """Rebuild and store the profiles of the given enterprises; return how many were stored.

    Called by actions inside their transaction, so a profile never shows a publication that was
    rolled back."""
    built_at = timezone.now()
    stored = 0
    chunk: list[PublicProfile] = []
    for pk, uscc, body in build_profiles(enterprise_ids):
        chunk.append(PublicProfile(enterprise_id=pk, uscc=uscc, body=body.decode(),
                                   built_at=built_at))
        if len(chunk) >= BATCH:
            stored += _store(chunk)
            chunk = []
    return stored + _store(chunk)


def _store(chunk: list[PublicProfile]) -> int:
    if chunk and connection.vendor == "postgresql":
        upsert_columns(
            PublicProfile._meta.db_table,
            {"enterprise_id": "bigint", "uscc": "text", "body": "text", "built_at": "timestamptz"},
            [[p.enterprise_id for p in chunk], [p.uscc for p in chunk],
             [p.body for p in chunk], [p.built_at for p in chunk]],
            conflict="enterprise_id")
    elif chunk:
        PublicProfile.objects.bulk_create(
            chunk, update_conflicts=True, unique_fields=["enterprise"],
            update_fields=["uscc", "body", "built_at"],
        )
    return len(chunk)


def refresh_all_profiles() -> int:
    """Rebuild every enterprise's profile (after a migration or a repair)."""
    return refresh_profiles(Enterprise.objects.values_list("pk", flat=True).iterator())


_READ = f"SELECT body FROM {PublicProfile._meta.db_table} WHERE uscc = %s"


def stored_profile(uscc: str) -> bytes | None:
    """The profile JSON of the enterprise with this credit code (None if none is registered):
    one indexed read, or a build for an enterprise whose profile has not been stored yet."""
    with connection.cursor() as cursor:
        cursor.execute(_READ, [uscc])
        row = cursor.fetchone()
    if row is not None:
        return row[0].encode() if isinstance(row[0], str) else bytes(row[0])
    pk = Enterprise.objects.filter(uscc=uscc).values_list("pk", flat=True).first()
    if pk is None:
        return None
    _, _, body = next(build_profiles([pk]))
    _store([PublicProfile(enterprise_id=pk, uscc=uscc, body=body.decode(),
                          built_at=timezone.now())])
    return body

"""Reading and checking the catalogue's data files, ``catalogue.toml`` and ``indicators.csv``.

Both files are read through :mod:`czesg.engine.datafiles`: every cell is checked, and a malformed
file is refused with a :class:`~czesg.engine.kernel.errors.DataFileError` that names the file, the
row as a person sees it (the line of the TOML file; the spreadsheet row of the CSV file, header =
row 1) and the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from czesg.engine.catalogue import formulas
from czesg.engine.catalogue.model import (
    CODE_PATTERN,
    COLUMNS,
    CONFIDENCE_LEVELS,
    CSV_NAME,
    DATA_TYPES,
    DEFAULT_DIRECTORY,
    DISCLOSURE_LEVELS,
    NUMERIC_TYPES,
    PILLARS,
    REQUIRED_TEXT,
    SLUG_PATTERN,
    TIERS,
    TOML_NAME,
    TOP_KEYS,
    TOPIC_KEYS,
    Catalogue,
    Choice,
    Indicator,
    Topic,
)
from czesg.engine.datafiles import (
    CsvRow,
    FirstSeen,
    TomlTable,
    parse_toml,
    read_csv_rows,
    read_data_file,
)
from czesg.engine.kernel import units
from czesg.engine.kernel.errors import CzesgError, DataFileError


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load and check the catalogue in ``directory`` (default: the shipped one, cached)."""
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _load_default() -> Catalogue:
    return _load(DEFAULT_DIRECTORY)


def _load(directory: Path) -> Catalogue:
    return parse_catalogue(
        read_data_file(directory / TOML_NAME, TOML_NAME),
        read_data_file(directory / CSV_NAME, CSV_NAME),
        toml_name=TOML_NAME,
        csv_name=CSV_NAME,
    )


def parse_catalogue(
    toml_text: str, csv_text: str, *, toml_name: str = TOML_NAME, csv_name: str = CSV_NAME
) -> Catalogue:
    """Build a :class:`Catalogue` from the two files' text, refusing the first malformed cell."""
    top = parse_toml(toml_text, toml_name, by_line=True)
    top.allow(*TOP_KEYS)
    topics = _parse_topics(top)
    indicators = _parse_csv(csv_text, csv_name, {t.key: t for t in topics})
    return Catalogue(
        version=top.text("version"),
        title_zh=top.text("title_zh"),
        title_en=top.text("title_en"),
        topics=tuple(sorted(topics, key=lambda t: (t.order, t.key))),
        indicators=indicators,
        published=top.day("published") if top.has("published") else None,
        description_zh=top.text("description_zh", empty=True, default=""),
        description_en=top.text("description_en", empty=True, default=""),
    )


# --- catalogue.toml -------------------------------------------------------------------------------
def _parse_topics(top: TomlTable) -> list[Topic]:
    for key in ("version", "title_zh", "title_en"):
        top.text(key)
    if top.has("published"):
        top.day("published")
    keys = FirstSeen()
    topics: list[Topic] = []
    for table in top.array("topic"):
        table.allow(*TOPIC_KEYS)
        for key in ("key", "pillar", "name_zh", "name_en"):
            table.text(key)
        key = table.text("key")
        if not SLUG_PATTERN.match(key):
            table.fail("key", f"“{key}” is not a slug (lower-case letters, digits, underscores)")
        keys.claim(table, "key", key)
        topics.append(Topic(
            key=key, pillar=table.choice("pillar", PILLARS), name_zh=table.text("name_zh"),
            name_en=table.text("name_en"),
            exchange_article=table.text("exchange_article", empty=True, default=""),
            order=table.integer("order"),
        ))
    return topics


def _check_formulas(indicators: list[Indicator], rows: dict[str, int], name: str) -> None:
    """Each formula parses, reads numeric indicators, gives its indicator's unit, and no formula
    depends on itself."""
    by_code = {i.code: i for i in indicators}
    parsed = {}
    for ind in indicators:
        if not ind.formula:
            continue

        def fail(reason: str, ind: Indicator = ind) -> DataFileError:
            return DataFileError(file=name, row=rows[ind.code], field="formula", reason=reason)

        if ind.data_type not in NUMERIC_TYPES:
            raise fail(f"only a number can be derived, not a {ind.data_type}")
        try:
            node = formulas.parse(ind.formula)
        except CzesgError as exc:
            raise fail(exc.render()) from None
        for code in node.codes():
            other = by_code.get(code)
            if other is None:
                raise fail(f"unknown indicator “{code}”")
            if other.data_type not in NUMERIC_TYPES:
                raise fail(f"{code} is a {other.data_type}, not a number")
        unit_of = {i.code: i.unit or "%" for i in indicators if i.data_type in NUMERIC_TYPES}
        try:
            formulas.evaluate(node, dict.fromkeys(node.codes(), 1.0), unit_of, unit_of[ind.code])
        except CzesgError:
            raise fail(f"the formula does not give a value in {unit_of[ind.code]}") from None
        parsed[ind.code] = node.codes()

    def visit(code: str, path: tuple[str, ...]) -> None:
        for needed in parsed.get(code, ()):
            if needed in path:
                raise DataFileError(file=name, row=rows[code], field="formula",
                                    reason=f"the formula depends on itself through {needed}")
            visit(needed, (*path, needed))

    for code in parsed:
        visit(code, (code,))


# --- indicators.csv -------------------------------------------------------------------------------
def _parse_csv(text: str, name: str, topics: dict[str, Topic]) -> tuple[Indicator, ...]:
    indicators: list[Indicator] = []
    rows: dict[str, int] = {}
    codes = FirstSeen()
    for row in read_csv_rows(text, name, COLUMNS, confidences=CONFIDENCE_LEVELS):
        indicator = _parse_row(row, topics)
        codes.claim(row, "code", indicator.code)
        rows[indicator.code] = row.row
        indicators.append(indicator)
    if not indicators:
        raise DataFileError(file=name, row=2, field="code", reason="the file has no indicators")
    _check_references(indicators, rows, name)
    return tuple(indicators)


def _parse_row(row: CsvRow, topics: dict[str, Topic]) -> Indicator:
    fail = row.fail
    cells = row.data
    code = cells["code"]
    if not CODE_PATTERN.match(code):
        fail("code", f"“{code}” does not match {CODE_PATTERN.pattern}")
    pillar = row.choice("pillar", PILLARS)
    if code[0] != pillar:
        fail("code", f"code {code} does not start with its pillar {pillar}")
    topic = topics.get(cells["topic"])
    if topic is None:
        fail("topic", f"unknown topic “{cells['topic']}”")
    if topic.pillar != pillar:
        fail("pillar", f"topic {topic.key} belongs to pillar {topic.pillar}, not {pillar}")
    for column in REQUIRED_TEXT:
        row.text(column)
    provenance = row.provenance()

    data_type = row.choice("data_type", DATA_TYPES)
    unit = cells["unit"]
    if data_type == "number":
        if not unit:
            fail("unit", "a number needs a unit")
        if unit not in units.LABELS or not units.is_known(unit):
            fail("unit", f"“{unit}” is not a canonical unit of the registry")
    elif data_type == "percentage":
        if unit != "%":
            fail("unit", f"a percentage has the unit %, not “{unit}”")
    elif unit:
        fail("unit", f"a {data_type} takes no unit; “{unit}” was given")

    for column in ("min", "max"):
        if cells[column] and data_type not in NUMERIC_TYPES:
            fail(column, f"a {data_type} takes no bounds")
    low = row.optional_number("min")
    high = row.optional_number("max")
    if low is not None and high is not None and low > high:
        fail("min", f"min {low:g} is greater than max {high:g}")
    if data_type == "percentage":
        for column, value in (("min", low), ("max", high)):
            if value is not None and not 0 <= value <= 100:
                fail(column, f"{value:g} lies outside 0–100 for a percentage")

    choices = _choices(row, data_type)
    disclosure_level = row.choice("disclosure_level", DISCLOSURE_LEVELS)
    tier = row.choice("tier", TIERS)
    for column in ("part_of", "intensity_numerator", "intensity_denominator"):
        if cells[column] and not CODE_PATTERN.match(cells[column]):
            fail(column, f"“{cells[column]}” is not an indicator code")
        if cells[column] == code:
            fail(column, "an indicator cannot refer to itself")
    if bool(cells["intensity_numerator"]) != bool(cells["intensity_denominator"]):
        missing = ("intensity_denominator" if cells["intensity_numerator"]
                   else "intensity_numerator")
        fail(missing, "an intensity needs both a numerator and a denominator")
    if cells["intensity_numerator"] and data_type != "number":
        fail("intensity_numerator", f"only a number can be an intensity, not a {data_type}")
    if cells["part_of"] and data_type not in NUMERIC_TYPES:
        fail("part_of", f"only a number can be part of a total, not a {data_type}")

    plain = {column: cells[column] for column in COLUMNS if column not in (
        "code", "pillar", "topic", "data_type", "unit", "min", "max", "choices",
        "disclosure_level", "tier", "source", "confidence")}
    return Indicator(
        code=code, pillar=pillar, topic=topic.key, data_type=data_type, unit=unit, min=low,
        max=high, choices=choices, disclosure_level=disclosure_level, tier=tier,
        **plain, **provenance.fields(),
    )


def _choices(row: CsvRow, data_type: str) -> tuple[Choice, ...]:
    text = row.data["choices"]
    if data_type != "choice":
        if text:
            row.fail("choices", f"a {data_type} takes no choices")
        return ()
    if not text:
        row.fail("choices", "a choice indicator needs its choices (key:中文:English|...)")
    items: list[Choice] = []
    for part in text.split("|"):
        pieces = [p.strip() for p in part.split(":", 2)]
        if len(pieces) != 3 or not all(pieces):
            row.fail("choices", f"“{part.strip()}” is not key:中文:English")
        key, zh, en = pieces
        if not SLUG_PATTERN.match(key):
            row.fail("choices", f"choice key “{key}” is not an ascii slug")
        if any(c.key == key for c in items):
            row.fail("choices", f"choice key “{key}” appears twice")
        items.append(Choice(key=key, name_zh=zh, name_en=en))
    if len(items) < 2:
        row.fail("choices", "a choice indicator needs at least two choices")
    return tuple(items)


def _check_references(indicators: list[Indicator], rows: dict[str, int], name: str) -> None:
    by_code = {i.code: i for i in indicators}
    _check_formulas(indicators, rows, name)
    for ind in indicators:
        def fail(column: str, reason: str, ind: Indicator = ind) -> DataFileError:
            return DataFileError(file=name, row=rows[ind.code], field=column, reason=reason)

        if ind.part_of:
            total = by_code.get(ind.part_of)
            if total is None:
                raise fail("part_of", f"unknown indicator “{ind.part_of}”")
            if total.data_type != ind.data_type or total.unit != ind.unit:
                raise fail(
                    "part_of",
                    f"{ind.part_of} is measured in {total.unit or total.data_type}, "
                    f"not {ind.unit or ind.data_type}; a part must share its total's unit",
                )
        if ind.intensity_numerator:
            ends = {}
            for column in ("intensity_numerator", "intensity_denominator"):
                other = by_code.get(getattr(ind, column))
                if other is None:
                    raise fail(column, f"unknown indicator “{getattr(ind, column)}”")
                if other.data_type != "number":
                    raise fail(column, f"{other.code} is a {other.data_type}, not a number")
                ends[column] = other
            if not _ratio_fits(
                ends["intensity_numerator"].unit, ends["intensity_denominator"].unit, ind.unit
            ):
                raise fail(
                    "unit",
                    f"{ind.unit} is not {ends['intensity_numerator'].unit} per "
                    f"{ends['intensity_denominator'].unit}",
                )
    # A part_of chain must end at a total, never loop back.
    for ind in indicators:
        seen = {ind.code}
        current = ind
        while current.part_of:
            if current.part_of in seen:
                raise DataFileError(
                    file=name, row=rows[ind.code], field="part_of",
                    reason=f"the part_of chain of {ind.code} loops back to {current.part_of}",
                )
            seen.add(current.part_of)
            current = by_code[current.part_of]


def _ratio_fits(numerator: str, denominator: str, unit: str) -> bool:
    """Whether ``unit`` measures the same thing as ``numerator`` per ``denominator``."""
    try:
        quantity = units.registry().Quantity
        ratio = (quantity(1, "") * units.parse_unit(numerator)) / (
            quantity(1, "") * units.parse_unit(denominator)
        )
        target = quantity(1, "") * units.parse_unit(unit)
        (ratio / target).to("dimensionless")
    except Exception:  # pint raises several unrelated types for a dimension mismatch
        return False
    return True

"""A published disclosure's report in XBRL: its facts (the same figures the PDF prints), the
inline-XBRL document, the xBRL-JSON export and the czesg taxonomy package."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from czesg.disclosures.models import Disclosure
from czesg.engine.catalogue import load_catalogue
from czesg.engine.xbrl import inline, oim, vsme
from czesg.engine.xbrl.concepts import Taxonomy, taxonomy_for
from czesg.engine.xbrl.facts import Answer, Fact, fact_of
from czesg.engine.xbrl.taxonomy import package_zip
from czesg.esgreport.contents import Report, Row
from czesg.esgreport.rendering import gathered

IXBRL_TYPE = "application/xhtml+xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def taxonomy() -> Taxonomy:
    """The czesg taxonomy of the shipped catalogue."""
    return taxonomy_for(load_catalogue())


def vsme_concepts() -> dict[str, str]:
    """Each indicator's EFRAG VSME concept name, where it has one (``data/xbrl/vsme.csv``)."""
    return {code: m.concept for code, m in vsme.load_vsme(taxonomy()).items()}


def taxonomy_package() -> bytes:
    """The czesg taxonomy package zip of the shipped catalogue."""
    catalogue = load_catalogue()
    return package_zip(taxonomy_for(catalogue), catalogue)


def _answer(row: Row) -> Answer:
    point = row.point
    assert point is not None
    return Answer(code=row.indicator.code, shown=row.shown, unit=point.unit,
                  number=point.value_number, boolean=point.value_bool)


def report_facts(report: Report) -> list[tuple[Row, Fact]]:
    """Every answered indicator of a report with its fact (refused at the first invalid one)."""
    tax = taxonomy()
    return [(row, fact_of(tax, _answer(row), report.lang))
            for pillar in report.pillars for topic in pillar["topics"] for row in topic["rows"]
            if row.status == "value"]


def ixbrl_document(report: Report) -> str:
    """The report as an inline-XBRL XHTML document."""
    with translation.override(report.lang):
        facts = dict((row.indicator.code, fact) for row, fact in report_facts(report))
        sections = []
        for pillar in report.pillars:
            sections.append(inline.Section(pillar["name"], level=2))
            for topic in pillar["topics"]:
                lines = []
                for row in topic["rows"]:
                    if row.status == "value":
                        lines.append(inline.Line(row.name, row.indicator.code,
                                                 facts[row.indicator.code], unit_label=row.unit))
                    elif row.status == "not_applicable":
                        lines.append(inline.Line(row.name, row.indicator.code, text=(
                            gettext("not applicable") + ": " + row.point.na_explanation)))
                    else:
                        lines.append(inline.Line(row.name, row.indicator.code,
                                                 text=gettext("not reported")))
                sections.append(inline.Section(topic["name"], lines, level=3))
        document = inline.Document(
            title=gettext("ESG report %(year)s") % {"year": report.disclosure.year}
            + " · " + report.profile[0][1],
            entity=report.enterprise.uscc, year=report.disclosure.year, lang=report.lang,
            profile=report.profile, sections=sections, notes=report.methodology,
            headings={"profile": gettext("Enterprise profile"),
                      "notes": gettext("Methodology notes"),
                      "indicator": gettext("Indicator"), "value": gettext("Value")},
            vsme=vsme_concepts())
        return inline.render(taxonomy(), document, list(facts.values()))


def ixbrl_for(disclosure: Disclosure, lang: str = "zh-hans") -> str:
    """A published disclosure's inline-XBRL document (refused for any other state)."""
    return ixbrl_document(gathered(disclosure, lang))


def json_for(disclosure: Disclosure, lang: str = "zh-hans") -> str:
    """A published disclosure's facts as xBRL-JSON text."""
    report = gathered(disclosure, lang)
    facts = [fact for _, fact in report_facts(report)]
    return oim.dumps(oim.to_json(taxonomy(), facts, entity=disclosure.enterprise.uscc,
                                 year=disclosure.year))

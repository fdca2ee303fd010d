"""Inline XBRL and xBRL-JSON of a published disclosure, validated by Arelle offline against the
czesg taxonomy package (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import csv
import json

import pytest
from django.test import Client

from tests.apps.esgreport.arelle import problems, run_arelle, validate_inline, validate_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(tmp_path):
    from czesg.esgreport.xbrl import taxonomy_package

    path = tmp_path / "czesg-taxonomy.zip"
    path.write_bytes(taxonomy_package())
    return path


def test_arelle_finds_no_error_in_the_inline_xbrl_and_the_json_round_trips(
        published_a, package, tmp_path):
    from czesg.esgreport.xbrl import ixbrl_for, json_for

    document = tmp_path / "report.xhtml"
    document.write_text(ixbrl_for(published_a, "zh-hans"), encoding="utf-8")
    exported = tmp_path / "report.json"
    exported.write_text(json_for(published_a, "zh-hans"), encoding="utf-8")

    inline_facts = tmp_path / "inline-facts.csv"
    json_facts = tmp_path / "json-facts.csv"
    entries = validate_inline(document, package, inline_facts, tmp_path / "inline-log.json")
    assert problems(entries) == []
    assert any("validated" in e["text"] for e in entries)  # it did validate something
    # The facts Arelle reads back from our xBRL-JSON are those of the inline document.
    entries = validate_json(exported, package, json_facts, tmp_path / "json-log.json")
    assert problems(entries) == []
    assert any("validated" in e["text"] for e in entries)

    def rows(path):
        # Context and unit ids are the writer's choice; everything else must be equal.
        return {r["Name"]: {k: v for k, v in r.items() if k not in ("contextRef", "unitRef")}
                for r in csv.DictReader(path.open(encoding="utf-8-sig"))}

    read_inline, read_json = rows(inline_facts), rows(json_facts)
    assert read_inline == read_json
    assert len(read_inline) == published_a.datapoints.exclude(status="not_applicable").count()
    # The figures the PDF prints, with their unit's scale: 5,000 万元 = 50,000,000 CNY; 8.5 % =
    # 0.085; 0.2 tCO2e per 10,000 CNY = 0.00002 per CNY; 10 万Nm3 = 100,000 Nm3.
    values = {name.removeprefix("czesg:"): r["Value"] for name, r in read_inline.items()}
    assert values["G-GEN-01"] == "50000000"
    assert values["S-EMP-03"] == "0.085"
    assert values["E-GHG-05"] == "0.00002"
    assert values["E-ENG-01-GAS"] == "100000"
    assert values["E-GHG-01"] == "1000"
    assert values["G-ABC-04"] == "true"
    assert values["G-GEN-04"] == "母公司及常州生产基地，与年报合并范围一致"
    employees = read_inline["czesg:S-EMP-01"]
    assert (employees["Start"], employees["End/Instant"]) == ("", "2024-12-31")  # a stock
    revenue = read_inline["czesg:G-GEN-01"]
    assert (revenue["Start"], revenue["End/Instant"]) == ("2024-01-01", "2024-12-31")
    # The entity is the credit code under the scheme whose URN the PACT API uses.
    assert {(r["EntityScheme"], r["EntityIdentifier"]) for r in read_inline.values()} == {
        ("urn:czesg:uscc", published_a.enterprise.uscc)}
    exported_facts = json.loads(exported.read_text(encoding="utf-8"))["facts"]
    assert exported_facts["f-G-GEN-01"]["dimensions"]["unit"] == "iso4217:CNY"
    assert "unit" not in exported_facts["f-S-EMP-01"]["dimensions"]  # xbrli:pure is left out
    assert exported_facts["f-G-GEN-04"]["dimensions"]["language"] == "zh-cn"


@pytest.mark.only_on("sqlite")  # Arelle on our files; no database read
def test_the_taxonomy_package_is_valid(package, tmp_path):
    entries = run_arelle("--taxonomyPackage", "--validate", "-f", str(package),
                         log=tmp_path / "package-log.json")
    assert problems(entries) == []
    assert any("validated" in e["text"] for e in entries)


def test_the_downloads_of_the_disclosure_page(published_a):
    client = Client()
    page = client.get(f"/disclosures/{published_a.pk}/").content.decode()
    for href in (f"/disclosures/{published_a.pk}/report.xhtml",
                 f"/disclosures/{published_a.pk}/report.json", "/xbrl/czesg-taxonomy.zip"):
        assert f'href="{href}"' in page
    response = client.get(f"/disclosures/{published_a.pk}/report.xhtml?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xhtml+xml; charset=utf-8"
    text = response.content.decode()
    assert '<ix:nonFraction id="f-E-GHG-01" name="czesg:E-GHG-01" contextRef="D"' in text
    assert "Alpha New Energy Co." in text
    response = client.get(f"/disclosures/{published_a.pk}/report.json")
    assert json.loads(response.content)["facts"]["f-E-GHG-01"]["value"] == "1000"
    zipped = client.get("/xbrl/czesg-taxonomy.zip")
    assert zipped["Content-Type"] == "application/zip" and zipped.content[:2] == b"PK"


def test_the_vsme_tagged_facts_agree_with_the_vsme_concept_list(published_a):
    """Each fact whose indicator has a VSME concept is tagged with it as well (target "vsme"),
    with the concept's name, period type and unit as the converter's concept list gives them;
    Arelle cannot check these offline (no VSME package), so this test does."""
    import xml.etree.ElementTree as ET

    from czesg.engine.xbrl import vsme
    from czesg.esgreport.xbrl import ixbrl_for, taxonomy

    ix = "{http://www.xbrl.org/2013/inlineXBRL}"
    xbrli = "{http://www.xbrl.org/2003/instance}"
    root = ET.fromstring(ixbrl_for(published_a, "zh-hans").encode("utf-8"))
    references = {r.get("target"): [c.get("{http://www.w3.org/1999/xlink}href") for c in r]
                  for r in root.iter(ix + "references")}
    assert references["vsme"] == [vsme.VSME_ENTRY_POINT]
    assert vsme.VSME_ENTRY_POINT not in references[None]  # the default target: czesg only
    periods = {c.get("id"): "instant" if c.find(f"{xbrli}period/{xbrli}instant") is not None
               else "duration" for c in root.iter(xbrli + "context")}
    units = {u.get("id"): tuple(m.text for m in u.iter(xbrli + "measure"))
             for u in root.iter(xbrli + "unit")}
    mapping = vsme.load_vsme(taxonomy())
    tagged = {}
    for element in root.iter():
        if element.get("target") != "vsme" or element.tag == ix + "references":
            continue
        inner = [e for e in element if e.tag == element.tag]
        assert len(inner) == 1, element.get("name")  # the czesg fact, nested
        code = inner[0].get("name").removeprefix("czesg:")
        assert inner[0].get("target") is None
        for attribute in ("contextRef", "unitRef", "scale", "decimals", "format", "sign"):
            assert element.get(attribute) == inner[0].get(attribute), (code, attribute)
        assert vsme.check_fact(mapping, code, element.get("name"),
                               periods[element.get("contextRef")],
                               units.get(element.get("unitRef"), ())) == []
        tagged[code] = element.get("name")
    answered = set(published_a.datapoints.exclude(status="not_applicable")
                   .values_list("indicator_code", flat=True))
    assert tagged == {code: m.concept for code, m in mapping.items() if code in answered}
    assert tagged["E-GHG-02"] == "vsme:GrossScope1GreenhouseGasEmissions"
    assert tagged["G-GEN-01"] == "vsme:Turnover"
    assert tagged["S-EMP-01"] == "vsme:NumberOfEmployees"


def _ghg_document(scope2: str) -> str:
    """An inline document with a total of 1,000 tCO2e, Scope 1 of 300 and the given Scope 2."""
    from czesg.engine.xbrl import inline
    from czesg.engine.xbrl.facts import Answer, fact_of
    from czesg.esgreport.xbrl import taxonomy

    tax = taxonomy()
    facts = [fact_of(tax, Answer(code, shown, "tCO2e", float(shown.replace(",", ""))), "en")
             for code, shown in (("E-GHG-01", "1,000"), ("E-GHG-02", "300"),
                                 ("E-GHG-03", scope2))]
    document = inline.Document(
        "GHG", "91320412MA1W8H6X3P", 2024, "en", [("Name", "Alpha")],
        [inline.Section("GHG", [inline.Line(f.concept.name, f.concept.name, f, unit_label="t")
                                for f in facts])], ["Scope 2 location-based"],
        {"profile": "Profile", "notes": "Notes", "indicator": "Indicator", "value": "Value"})
    return inline.render(tax, document, facts)


@pytest.mark.only_on("sqlite")  # Arelle on our files; no database read
def test_arelle_checks_the_catalogue_sums_with_the_calculation_linkbase(package, tmp_path):
    """Total GHG = Scope 1 + Scope 2 (the catalogue's formula of E-GHG-01) is a Calculations
    1.1 relation of the package: 300 + 700 = 1,000 passes, 300 + 500 = 1,000 is reported."""
    results = {}
    for scope2 in ("700", "500"):
        document = tmp_path / f"ghg-{scope2}.xhtml"
        document.write_text(_ghg_document(scope2), encoding="utf-8")
        results[scope2] = validate_inline(document, package, tmp_path / f"facts-{scope2}.csv",
                                          tmp_path / f"log-{scope2}.json")
    assert problems(results["700"]) == []
    found = problems(results["500"])
    assert [e["code"] for e in found] == ["calc11e:inconsistentCalculationUsingRounding"]
    assert "czesg:E-GHG-01" in found[0]["text"]
    assert "reported sum [1000, 1000] computed sum [800, 800]" in found[0]["text"]

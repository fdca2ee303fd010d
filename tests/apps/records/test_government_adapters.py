"""Government register adapters: environmental credit colours, penalty decisions and tax credit
A-lists read into the government records the ratings use, with their provenance."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from czesg.engine.kernel.identifiers import synthetic_uscc

DOCS = Path(__file__).resolve().parents[3] / "docs" / "records"
A, B, C = synthetic_uscc("320402", 1), synthetic_uscc("320402", 2), synthetic_uscc("320411", 3)
WRONG_CHECK = A[:17] + ("X" if A[17] != "X" else "Y")
UNKNOWN = synthetic_uscc("320402", 99)


@pytest.fixture
def registered(make_enterprise):
    return [make_enterprise(uscc=code, division_code=code[2:8]) for code in (A, B, C)]


SOURCES = {"env-credit": "env_credit_evaluation", "penalty-decisions": "penalty_decisions",
           "tax-credit-a": "tax_credit_a_list"}


def run(actor, adapter, data=None, name=None):
    from czesg.records.adapters import adapter_named
    from czesg.records.running import run_import
    from czesg.records.sources import source_of

    name = name or f"{adapter}.csv"
    return run_import(adapter_named(adapter),
                      data if data is not None else (DOCS / f"{adapter}.csv").read_bytes(), name,
                      source=source_of(SOURCES[adapter]), actor=actor)


def held(kind):
    from czesg.records.models import GovernmentRecord

    return list(GovernmentRecord.objects.filter(kind=kind).order_by(
        "enterprise__uscc", "year", "document").values_list(
        "enterprise__uscc", "year", "key", "amount", "document", "decided_on", "source",
        "legal_basis", "record_source__code"))


def test_the_environmental_credit_sample_with_provenance_and_a_re_evaluation(gov, registered):
    from czesg.audit.models import AuditEvent
    from czesg.records.models import GovernmentRecord, RecordImport

    summary = run(gov, "env-credit")
    assert (summary.rows, summary.added, summary.changed, summary.unchanged,
            summary.problems) == (4, 4, 0, 0, [])
    name = "企业环境信用评价结果"
    assert held("environmental_credit_colour") == [
        (A, 2023, "blue", None, "", None, name, "", "env_credit_evaluation"),
        (A, 2024, "green", None, "", None, name, "", "env_credit_evaluation"),
        (B, 2024, "yellow", None, "", None, name, "", "env_credit_evaluation"),
        (C, 2024, "red", None, "", None, name, "", "env_credit_evaluation"),
    ]
    log = RecordImport.objects.get()
    assert GovernmentRecord.objects.filter(imported_in=log, retrieved_at__isnull=False).count() == 4
    again = run(gov, "env-credit")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 4)
    revised = (DOCS / "env-credit.csv").read_text().replace("黄色", "蓝色").encode()
    changed = run(gov, "env-credit", revised, "复评.csv")
    assert (changed.added, changed.changed, changed.unchanged) == (0, 1, 3)
    record = GovernmentRecord.objects.get(enterprise__uscc=B, year=2024)
    assert (record.key, record.imported_in.file_name) == ("blue", "复评.csv")
    assert GovernmentRecord.objects.count() == 4
    event = AuditEvent.objects.filter(action="records.import").order_by("seq").last()
    assert (event.payload["changed"], event.payload["changed_records"]) == (1, [record.pk])


def test_the_penalty_decisions_sample(gov, registered):
    summary = run(gov, "penalty-decisions")
    assert (summary.rows, summary.added, summary.problems) == (3, 3, [])
    authority = "常州市生态环境局"
    assert held("environmental_penalty") == [
        (B, 2024, "", 12.5, "常环罚〔2024〕12号", date(2024, 3, 15), authority,
         "《中华人民共和国大气污染防治法》第九十九条", "penalty_decisions"),
        (C, 2023, "", 0.0, "常环罚〔2023〕88号", date(2023, 11, 20), authority,
         "《中华人民共和国环境影响评价法》第三十一条", "penalty_decisions"),
        (C, 2024, "", 3.0, "常环罚〔2024〕31号", date(2024, 6, 3), authority,
         "《中华人民共和国水污染防治法》第八十三条", "penalty_decisions"),
    ]
    again = run(gov, "penalty-decisions")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)


def test_the_tax_credit_a_list_sample_replaces_another_grade(gov, registered):
    from czesg.records.actions import add_government_record

    add_government_record(registered[1], 2024, "tax_credit_grade", value="B", source="税务局",
                          actor=gov)
    summary = run(gov, "tax-credit-a")
    assert (summary.rows, summary.added, summary.changed, summary.problems) == (2, 1, 1, [])
    assert [(u, y, k, s) for u, y, k, *_, s in held("tax_credit_grade")] == [
        (A, 2024, "A", "tax_credit_a_list"), (B, 2024, "A", "tax_credit_a_list")]
    assert run(gov, "tax-credit-a").unchanged == 2


def test_bad_environmental_credit_rows_are_named_and_the_rest_written(gov, registered):
    data = ("uscc,year,colour\n"
            f"{A},2024,绿\n"              # 2: good
            f"{WRONG_CHECK},2024,绿\n"    # 3: wrong check character
            f"{UNKNOWN},2024,蓝\n"        # 4: not registered
            f"{B},2024,Not Reported\n"    # 5: no colour
            f"{B},2024,—\n"              # 6
            f"{C},2024,Excluded\n"        # 7
            f"{A},2024,蓝\n"              # 8: duplicate of row 2
            f"{C},二〇二四,黑\n")          # 9: not a year
    summary = run(gov, "env-credit", data.encode())
    assert [(p.row, p.column) for p in summary.problems] == [
        (3, "uscc"), (4, "uscc"), (5, "colour"), (6, "colour"), (7, "colour"), (8, "uscc"),
        (9, "year")]
    assert "check character" in summary.problems[0].text()
    assert "already appears in row 2" in summary.problems[5].text()
    assert (summary.rows, summary.added) == (8, 1)
    assert [row[:3] for row in held("environmental_credit_colour")] == [(A, 2024, "green")]


def test_bad_penalty_rows_are_named(gov, registered):
    data = ("决定书文号,统一社会信用代码,处罚决定日期,处罚机关,罚款金额,金额单位,年度\n"
            f"D1,{B},2024-03-15,局,5000,元,2024\n"           # 2: good, 0.5 万元
            f",{B},2024-03-15,局,1,,2024\n"                   # 3: no decision number
            f"D3,{B},2023-12-31,局,1,,2024\n"                 # 4: outside the year
            f"D4,{B},2024-02-30,局,1,,2024\n"                 # 5: not a date
            f"D5,{B},2024-04-01,局,Not Reported,,2024\n"      # 6: no figure
            f"D6,{B},2024-04-01,局,1,kWh,2024\n"              # 7: not money
            f"D7,{B},2024-04-01,局,-2,,2024\n"                # 8: negative
            f"D1,{B},2024-03-15,局,5000,元,2024\n"            # 9: duplicate decision
            f"D9,{WRONG_CHECK},2024-04-01,局,1,,2024\n")      # 10: wrong check character
    summary = run(gov, "penalty-decisions", data.encode())
    assert [(p.row, p.column) for p in summary.problems] == [
        (3, "document"), (4, "decided_on"), (5, "decided_on"), (6, "amount"), (7, "unit"),
        (8, "amount"), (9, "uscc"), (10, "uscc")]
    assert "outside the file's year 2024" in summary.problems[1].text()
    assert [(r[0], r[3], r[4]) for r in held("environmental_penalty")] == [(B, 0.5, "D1")]


def test_bad_tax_rows_and_files_of_the_wrong_kind(gov, registered):
    from czesg.engine.kernel.errors import CatalogueError
    from czesg.engine.records.tables import RecordFileError
    from czesg.records.models import GovernmentRecord, RecordImport

    summary = run(gov, "tax-credit-a", f"uscc,year,grade\n{A},2024,B\n{A},24,A\n".encode())
    assert [(p.row, p.column) for p in summary.problems] == [(2, "grade"), (3, "year")]
    with pytest.raises(RecordFileError):
        run(gov, "env-credit", (DOCS / "tax-credit-a.csv").read_bytes())
    from czesg.records.adapters import adapter_named
    from czesg.records.running import run_import
    from czesg.records.sources import source_of

    with pytest.raises(CatalogueError):  # a register read on a utility's page
        run_import(adapter_named("env-credit"), (DOCS / "env-credit.csv").read_bytes(), "x.csv",
                   source=source_of("utility_gas"), actor=gov)
    assert GovernmentRecord.objects.count() == 0
    assert RecordImport.objects.count() == 1  # only the tax file with its two refused rows


def test_the_ratings_read_records_written_by_the_adapters(gov, registered):
    from czesg.ratings.inputs import records_of

    run(gov, "env-credit")
    run(gov, "penalty-decisions")
    run(gov, "tax-credit-a")
    steel = records_of(registered[2], 2024)
    assert (steel["env_credit"], steel["env_penalty_count"], steel["env_penalty_amount"]) == (
        "red", 1, 3.0)
    assert records_of(registered[0], 2024)["tax_credit"] == "A"

"""Importing a register of installation emissions: exact records, idempotence, corrections."""

from __future__ import annotations

from pathlib import Path

import pytest

from czesg.engine.kernel.errors import PermissionRefused
from czesg.engine.kernel.identifiers import synthetic_uscc

SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "records" / "installation-emissions.csv"


@pytest.fixture
def registered(make_enterprise):
    return [make_enterprise(uscc=synthetic_uscc(d, n), division_code=d)
            for d, n in (("320402", 1), ("320402", 2), ("320411", 3))]


def run(actor, data=None, name="installation-emissions.csv"):
    from czesg.records.adapters import adapter_named
    from czesg.records.importing import import_record_file
    from czesg.records.sources import source_of

    return import_record_file(adapter_named("installation-emissions"),
                              data if data is not None else SAMPLE.read_bytes(), name,
                              source=source_of("installation_register"), actor=actor)


def test_the_sample_file_becomes_records_with_its_source(gov, registered):
    from czesg.audit.models import AuditEvent
    from czesg.records.models import Record, RecordImport

    summary = run(gov)
    assert (summary.rows, summary.added, summary.changed, summary.unchanged) == (5, 4, 0, 0)
    # The steel works printed "Not Reported": its enterprise is refused, named by row.
    assert [(p.row, p.column, p.uscc) for p in summary.problems] == [
        (6, "value", synthetic_uscc("320411", 3))]
    assert summary.refused_enterprises == {synthetic_uscc("320411", 3): 0}
    rows = list(Record.objects.order_by("enterprise__uscc", "year", "subject").values_list(
        "enterprise__uscc", "year", "indicator_code", "subject", "value_number", "unit",
        "entered_value", "entered_unit", "visibility", "version", "current"))
    a, b = synthetic_uscc("320402", 1), synthetic_uscc("320402", 2)
    assert rows == [
        (a, 2023, "E-GHG-02", "CZ-GEN-0001", 12345.6, "tCO2e", "12,345.6", "tCO2e", "public", 1,
         True),
        (a, 2023, "E-GHG-02", "CZ-GEN-0002", 12000.0, "tCO2e", "1.2万", "tCO2e", "public", 1,
         True),
        (a, 2024, "E-GHG-02", "CZ-GEN-0001", 11980.0, "tCO2e", "11,980", "tCO2e", "public", 1,
         True),
        (b, 2024, "E-GHG-02", "CZ-CEM-0101", 35000.0, "tCO2e", "3.5", "万吨二氧化碳当量",
         "public", 1, True),
    ]
    log = RecordImport.objects.get()
    assert (log.rows, log.added, log.refused, log.adapter) == (5, 4, 1, "installation-emissions")
    event = AuditEvent.objects.get(action="records.import")
    assert event.payload["added"] == 4 and event.payload["refused_rows"] == 1


def test_running_the_same_file_again_changes_nothing(gov, registered):
    from czesg.records.models import Record

    run(gov)
    again = run(gov)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 4)
    assert Record.objects.count() == 4


def test_a_corrected_figure_is_a_new_version_that_supersedes_the_old(gov, registered):
    from czesg.records.models import Record

    run(gov)
    corrected = SAMPLE.read_text().replace('"11,980"', '"12,001"').encode()
    summary = run(gov, corrected, "register-corrected.csv")
    assert (summary.added, summary.changed, summary.unchanged) == (0, 1, 3)
    versions = list(Record.objects.filter(year=2024, subject="CZ-GEN-0001")
                    .order_by("version").values_list("value_number", "version", "current"))
    assert versions == [(11980.0, 1, False), (12001.0, 2, True)]
    newest = Record.objects.get(year=2024, subject="CZ-GEN-0001", current=True)
    assert newest.supersedes.value_number == 11980.0
    assert newest.reason == "register-corrected.csv"


def test_a_file_of_the_wrong_kind_is_refused_naming_the_missing_columns(gov, registered):
    from czesg.engine.records.tables import RecordFileError
    from czesg.records.models import Record, RecordImport

    with pytest.raises(RecordFileError) as refused:
        run(gov, b"uscc,year,indicator,value,unit\n", "bulk.csv")
    assert "installation_id" in refused.value.render()
    assert Record.objects.count() == 0 and RecordImport.objects.count() == 0


def test_gbk_files_from_government_offices_are_read(gov, registered):
    from czesg.records.models import Record

    text = ("装置编号,统一社会信用代码,年份,排放量,单位\n"
            f"CZ-GEN-0009,{synthetic_uscc('320402', 1)},2024,\"2,500\",吨二氧化碳当量\n")
    summary = run(gov, text.encode("gb18030"), "登记簿.csv")
    assert (summary.added, summary.problems) == (1, [])
    assert Record.objects.get(subject="CZ-GEN-0009").value_number == 2500.0


def test_only_government_users_import(make_user, registered):
    with pytest.raises(PermissionRefused):
        run(make_user("someone"))


def test_a_file_longer_than_one_chunk_imports_whole_and_again_changes_nothing(gov, make_enterprise):
    """The file is read and checked a chunk of rows at a time: a duplicate and a refusal in the
    second chunk still refuse their enterprises' rows in the first, and the counts are exact."""
    from czesg.engine.records.tables import CHUNK_ROWS, read_chunks
    from czesg.records.models import Record, RecordImport

    a, b, c, d = (make_enterprise(uscc=synthetic_uscc("320402", n)).uscc for n in range(1, 5))
    lines = ["installation_id,uscc,year,emissions,unit",
             f"C-0001,{c},2023,100,tCO2e",  # row 2: valid, refused with C's row at the end
             f"D-0001,{d},2023,200,tCO2e"]  # row 3: valid, then given again at the end
    figures = CHUNK_ROWS + 50
    for i in range(figures):
        lines.append(f"I-{i:06d},{a if i % 2 else b},{2010 + i % 15},\"{1000 + i:,}.5\",tCO2e")
    lines.append(f"C-0002,{c},2024,Not Reported,tCO2e")
    lines.append(f"D-0001,{d},2023,201,tCO2e")
    data = ("\n".join(lines) + "\n").encode()
    last = len(lines)  # the header is row 1
    chunks = [frame.height for frame in read_chunks(data, "big.csv")]
    assert len(chunks) > 1 and sum(chunks) == CHUNK_ROWS + 54

    summary = run(gov, data, "big.csv")
    assert (summary.rows, summary.added, summary.changed, summary.unchanged) == (
        figures + 4, figures, 0, 0)
    assert [(p.row, p.column, p.uscc, p.params) for p in summary.problems] == [
        (last - 1, "value", c, {"code": "E-GHG-02", "value": "Not Reported"}),
        (last, "indicator", d, {"first": 3}),
    ]
    assert summary.refused_enterprises == {c: 1, d: 1}
    assert Record.objects.count() == figures
    assert set(Record.objects.values_list("enterprise__uscc", flat=True).distinct()) == {a, b}
    assert Record.objects.get(subject=f"I-{CHUNK_ROWS + 49:06d}").value_number == (
        1000 + CHUNK_ROWS + 49 + 0.5)

    again = run(gov, data, "big.csv")
    assert (again.added, again.changed, again.unchanged) == (0, 0, figures)
    assert Record.objects.count() == figures and RecordImport.objects.count() == 2
    assert not Record.objects.filter(version__gt=1).exists()

"""Utility adapters: monthly consumption per account summed into enterprise-year records, and the
account table that links a utility's accounts to enterprises."""

from __future__ import annotations

from pathlib import Path

import pytest

from czesg.engine.kernel.identifiers import synthetic_uscc

DOCS = Path(__file__).resolve().parents[3] / "docs" / "records"
A, B, C = synthetic_uscc("320402", 1), synthetic_uscc("320402", 2), synthetic_uscc("320411", 3)


@pytest.fixture
def registered(make_enterprise):
    return [make_enterprise(uscc=code, division_code=code[2:8]) for code in (A, B, C)]


def source(code="utility_electricity"):
    from czesg.records.sources import source_of

    return source_of(code)


def link(actor, data=None, code="utility_electricity", name="account-links.csv"):
    from czesg.records.accounts import link_accounts

    return link_accounts(data if data is not None else (DOCS / "account-links.csv").read_bytes(),
                         name, source=source(code), actor=actor)


def run(actor, adapter="electricity-monthly", data=None, code="utility_electricity",
        name="electricity-monthly.csv"):
    from czesg.records.adapters import adapter_named
    from czesg.records.importing import import_record_file

    return import_record_file(adapter_named(adapter),
                              data if data is not None else (DOCS / name).read_bytes(), name,
                              source=source(code), actor=actor)


def rows_of(data: str, *extra: str) -> bytes:
    return ("account,month,consumption,unit\n" + data + "".join(extra)).encode()


def year_of(account: str, value: str = "100", unit: str = "kWh", skip=(), year=2024) -> str:
    return "".join(f"{account},{year}-{m:02d},{value},{unit}\n" for m in range(1, 13)
                   if m not in skip)


def test_the_account_table_links_accounts_and_loading_it_again_changes_nothing(gov, registered):
    from czesg.audit.models import AuditEvent
    from czesg.records.models import AccountLink, RecordImport

    first = link(gov)
    assert (first.rows, first.added, first.changed, first.unchanged, first.problems) == (
        4, 4, 0, 0, [])
    assert sorted(AccountLink.objects.values_list("account", "enterprise__uscc")) == [
        ("3204001001", A), ("3204001002", A), ("3204002001", B), ("3204003001", C)]
    again = link(gov)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 4)
    moved = link(gov, f"account,uscc\n3204002001,{A}\n".encode(), name="moved.csv")
    assert (moved.added, moved.changed, moved.unchanged) == (0, 1, 0)
    assert AccountLink.objects.get(account="3204002001").enterprise.uscc == A
    log = RecordImport.objects.filter(adapter="account-links").first()
    assert (log.file_name, log.changed) == ("moved.csv", 1)
    events = AuditEvent.objects.filter(action="records.link_accounts").order_by("seq")
    assert [e.payload["added"] for e in events] == [4, 0, 0]
    assert events.last().payload["moved"] == ["3204002001"]


def test_a_bad_account_table_names_each_refused_row(gov, registered):
    from czesg.records.models import AccountLink

    wrong_check = A[:17] + ("X" if A[17] != "X" else "Y")
    unknown = synthetic_uscc("320402", 99)
    summary = link(gov, (f"户号,统一社会信用代码\n1,{A}\n,{A}\n2,{wrong_check}\n3,{unknown}\n"
                         f"1,{B}\n").encode(), name="户号.csv")
    assert [(p.row, p.column) for p in summary.problems] == [
        (3, "account"), (4, "uscc"), (5, "uscc"), (6, "account")]
    assert "check character" in summary.problems[1].text()
    assert "already appears in row 2" in summary.problems[3].text()
    assert list(AccountLink.objects.values_list("account", flat=True)) == ["1"]


def test_only_utilities_have_account_tables(gov, registered):
    from czesg.engine.kernel.errors import CatalogueError

    with pytest.raises(CatalogueError):
        link(gov, code="installation_register")


def test_the_electricity_sample_becomes_annual_records_per_account(gov, registered):
    from czesg.records.models import Record, RecordImport

    link(gov)
    summary = run(gov)
    # 47 monthly rows read; three account-years recorded.
    assert (summary.rows, summary.added, summary.changed, summary.unchanged) == (47, 3, 0, 0)
    # The steel works' account has 11 months: refused at its first row, naming the gap.
    assert [(p.row, p.column, p.uscc) for p in summary.problems] == [(38, "month", C)]
    assert "missing: 2024-12" in summary.problems[0].text()
    assert summary.refused_enterprises == {C: 0}
    rows = list(Record.objects.order_by("enterprise__uscc", "subject").values_list(
        "enterprise__uscc", "year", "indicator_code", "subject", "value_number", "unit",
        "entered_value", "entered_unit", "visibility", "method"))
    assert rows == [
        (A, 2024, "E-ENG-01-ELEC", "3204001001", 1278.0, "MWh", "1278000", "kWh",
         "restricted", "summed-monthly-bills"),
        (A, 2024, "E-ENG-01-ELEC", "3204001002", 30.0, "MWh", "30000", "kWh", "restricted",
         "summed-monthly-bills"),
        (B, 2024, "E-ENG-01-ELEC", "3204002001", 600.0, "MWh", "600000", "kWh", "restricted",
         "summed-monthly-bills"),
    ]
    log = RecordImport.objects.get(adapter="electricity-monthly")
    assert (log.rows, log.added, log.refused) == (47, 3, 1)
    assert log.problems[0]["template"].startswith("Account %(account)s has %(count)s")
    again = run(gov)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)
    assert Record.objects.count() == 3


@pytest.mark.parametrize("adapter,code,name,indicator,number,unit", [
    ("gas-monthly", "utility_gas", "gas-monthly.csv", "E-ENG-01-GAS", 1.2, "万Nm3"),
    ("water-monthly", "utility_water", "water-monthly.csv", "E-WAT-01-MUN", 9600.0, "m3"),
    ("heat-monthly", "utility_heat", "heat-monthly.csv", "E-ENG-01-HEAT", 1800.0, "GJ"),
])
def test_gas_water_and_heat_samples(gov, registered, adapter, code, name, indicator, number,
                                    unit):
    from czesg.records.models import Record

    account = (DOCS / name).read_text().splitlines()[1].split(",")[0]
    link(gov, f"account,uscc\n{account},{A}\n".encode(), code=code)
    summary = run(gov, adapter, code=code, name=name)
    assert (summary.added, summary.problems) == (1, [])
    record = Record.objects.get()
    assert (record.indicator_code, record.subject, record.unit, record.visibility) == (
        indicator, account, unit, "restricted")
    assert record.value_number == pytest.approx(number, rel=1e-12)
    assert (run(gov, adapter, code=code, name=name).unchanged, Record.objects.count()) == (1, 1)


def test_bad_rows_are_named_and_their_enterprise_is_refused_whole(gov, registered):
    from czesg.records.models import Record

    link(gov)
    data = rows_of(
        year_of("3204001001", skip=(3, 4, 5, 6, 7)),
        "3204001001,2024-03,Not Reported,kWh\n",   # row 9: no figure
        "3204001001,2024-04,Excluded,kWh\n",       # row 10
        "3204001001,2024-05,—,kWh\n",              # row 11
        "3204001001,2024-06,100,Nm3\n",            # row 12: a unit of another kind
        "3204001001,2023-07,100,kWh\n",            # row 13: outside the file's year
        "9999,2024-01,100,kWh\n",                  # row 14: unknown account
        "3204001002,2024-13,100,kWh\n",            # row 15: not a month
        year_of("3204002001", skip=(1,)),          # rows 16-26
        "3204002001,2024-01,100,kWh\n",            # row 27
        "3204002001,2024-01,100,kWh\n",            # row 28: duplicate of row 27
        year_of("3204003001"),                     # rows 29-40: a good enterprise
    )
    summary = run(gov, data=data, name="bad.csv")
    assert [(p.row, p.column) for p in summary.problems] == [
        (9, "consumption"), (10, "consumption"), (11, "consumption"), (12, "unit"),
        (13, "month"), (14, "account"), (15, "month"), (28, "month")]
    texts = [p.text() for p in summary.problems]
    assert "no figure" in texts[0] and "no figure" in texts[2]
    assert "outside the file's year 2024" in texts[4]
    assert "“9999” is not in this source's account table" in texts[5]
    assert "already appears in row 27" in texts[7]
    assert set(summary.refused_enterprises) == {A, B}
    [(subject, number)] = Record.objects.values_list("subject", "value_number")
    assert (subject, number) == ("3204003001", pytest.approx(1.2, rel=1e-12))


def test_a_file_of_the_wrong_kind_is_refused_whole(gov, registered):
    from czesg.engine.kernel.errors import CatalogueError
    from czesg.engine.records.tables import RecordFileError
    from czesg.records.models import Record, RecordImport

    link(gov)
    with pytest.raises(RecordFileError):
        run(gov, data=(DOCS / "installation-emissions.csv").read_bytes())
    with pytest.raises(CatalogueError):  # a utility's file read as a register's
        run(gov, code="installation_register")
    assert Record.objects.count() == 0 and RecordImport.objects.filter(
        adapter="electricity-monthly").count() == 0


def test_chinese_headers_and_months_in_gb18030(gov, registered):
    from czesg.records.models import Record

    link(gov, f"用电户号,统一社会信用代码\nCZ-1,{B}\n".encode())
    text = "用电户号,年月,用电量,单位\n" + "".join(
        f"CZ-1,2024年{m}月,0.5,万千瓦时\n" for m in range(1, 13))
    summary = run(gov, data=text.encode("gb18030"), name="国网.csv")
    assert (summary.added, summary.problems) == (1, [])
    assert Record.objects.get().value_number == pytest.approx(60.0, rel=1e-12)


def test_the_command_line_links_accounts_and_imports(registered, capsys):
    import json

    from czesg.cli import main
    from czesg.records.models import AccountLink, Record

    assert main(["records", "link-accounts", str(DOCS / "account-links.csv"), "--source",
                 "utility_electricity", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 4
    assert AccountLink.objects.count() == 4
    # One account-year is refused (11 months): exit 1, with the row named.
    assert main(["records", "import", "electricity-monthly",
                 str(DOCS / "electricity-monthly.csv"), "--source", "utility_electricity",
                 "--format", "json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["added"], summary["problems"][0]["row"]) == (3, 38)
    assert Record.objects.count() == 3

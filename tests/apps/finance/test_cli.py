"""``czesg finance import-loans``: the loan-book import from the command line, through the action."""

from __future__ import annotations

import json

import pytest

from czesg.cli import main
from czesg.finance.models import Exposure, LoanBook

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "exposure,uscc,instrument,outstanding,currency,as_of\n"


def test_import_loans_names_refused_rows_then_imports(tmp_path, capsys, firm_a, bank_a):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"L1,{firm_a.uscc},term_loan,-5,CNY,2024-12-31\n"
                   f"L2,{firm_a.uscc},term_loan,100,USD,2024-12-31\n", encoding="utf-8")
    assert main(["finance", "import-loans", str(bad), "--bank", "bank_a", "--year", "2024",
                 "--format", "json"]) == 1
    refused = json.loads(capsys.readouterr().out)
    assert refused["ok"] is False
    assert [(p["row"], p["column"]) for p in refused["problems"]] == [
        (2, "outstanding"), (3, "currency")]
    assert not LoanBook.objects.exists()

    good = tmp_path / "book.csv"
    good.write_text(HEADER + f"L1,{firm_a.uscc},term_loan,5000000,CNY,2024-12-31\n",
                    encoding="utf-8")
    assert main(["finance", "import-loans", str(good), "--bank", "bank_a", "--year", "2024"]) == 0
    assert "1 exposures imported" in capsys.readouterr().out
    assert Exposure.objects.get().outstanding == 5000000


def test_import_loans_refuses_an_unknown_bank(tmp_path, capsys, db):
    path = tmp_path / "book.csv"
    path.write_text(HEADER, encoding="utf-8")
    assert main(["finance", "import-loans", str(path), "--bank", "nobody", "--year", "2024"]) == 1
    assert "no user 'nobody'" in capsys.readouterr().out

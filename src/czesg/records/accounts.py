"""The account table of a source: which enterprise each utility account belongs to.

Format (CSV or XLSX; header names in English or Chinese; sample
``docs/records/account-links.csv``):

=======  ==========================================  ==========================================
column   also accepted as                            meaning
=======  ==========================================  ==========================================
account  户号, 用户编号, 客户编号, 用电户号, 用气户号,      the source's account number
         用水户号, 用热户号, account number
uscc     统一社会信用代码, credit code                  the account holder's credit code
name     户名, 用户名称, 企业名称                        the holder's name as the utility prints it
                                                     (read for people, not checked)
=======  ==========================================  ==========================================

Each row links one account to a registered enterprise. Refused, named by row and column: an
empty account, a credit code that is not valid (wrong check character) or not registered, the
second and later rows of one account. The other rows are written in one transaction: a new
account is added, an account linked to another enterprise is moved (changed), an account already
linked so is unchanged, so that loading the same table again changes nothing. The load is kept
as a :class:`~czesg.records.models.RecordImport` of the source (adapter ``account-links``) with
one audit entry ``records.link_accounts``.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from czesg.accounts.permissions import require_government
from czesg.audit.recording import record
from czesg.engine.kernel.errors import CatalogueError, CzesgError, gettext_noop
from czesg.engine.kernel.identifiers import validate_uscc
from czesg.engine.kernel.problems import Problem, row_problem
from czesg.engine.records.tables import pick_columns, read_table
from czesg.enterprises.models import Enterprise
from czesg.records.importing import RecordImportSummary, stored_problems
from czesg.records.models import AccountLink, RecordImport, RecordSource, SourceKind

LINK_ADAPTER = "account-links"
COLUMNS: dict[str, tuple[str, ...]] = {
    "account": ("户号", "用户编号", "客户编号", "用电户号", "用气户号", "用水户号", "用热户号",
                "account number"),
    "uscc": ("统一社会信用代码", "credit code"),
    "name": ("户名", "用户名称", "企业名称"),
}


def link_accounts(data: bytes, file_name: str, *, source: RecordSource, actor
                  ) -> RecordImportSummary:
    """Load a table of account -> credit code into ``source``'s account links (government)."""
    require_government(actor)
    if source.kind != SourceKind.UTILITY:
        raise CatalogueError(gettext_noop(
            "Only a utility's accounts are linked to enterprises; %(code)s is not a utility."),
            code=source.code, field="source")
    frame = pick_columns(read_table(data, file_name), COLUMNS, ("account", "uscc"))
    problems: list[Problem] = []
    codes: dict[str, str] = {}
    for code in set(frame["uscc"].to_list()):
        try:
            codes[code] = validate_uscc(code)
        except CzesgError as exc:
            codes[code] = ""
            codes[f"!{code}"] = exc.render()
    registered = dict(Enterprise.objects.filter(uscc__in=[c for c in codes.values() if c])
                      .values_list("uscc", "pk"))
    held = dict(AccountLink.objects.filter(source=source).values_list("account", "enterprise_id"))
    first: dict[str, int] = {}
    wanted: dict[str, int] = {}
    for row, (account, code) in enumerate(zip(frame["account"], frame["uscc"],
                                              strict=True), start=2):
        uscc = codes.get(code) or code
        if not account:
            problems.append(row_problem(row, "account", uscc, gettext_noop(
                "The account number is missing.")))
        elif account in first:
            problems.append(row_problem(row, "account", uscc, gettext_noop(
                "Account %(account)s already appears in row %(first)s."),
                {"account": account, "first": first[account]}))
        elif not codes.get(code):
            problems.append(row_problem(row, "uscc", code, gettext_noop(
                "“%(uscc)s” is not a valid unified social credit code: %(reason)s"),
                {"uscc": code, "reason": codes.get(f"!{code}", "")}))
        elif uscc not in registered:
            problems.append(row_problem(row, "uscc", uscc, gettext_noop(
                "No enterprise with credit code %(uscc)s is registered."), {"uscc": uscc}))
        else:
            wanted[account] = registered[uscc]
        first.setdefault(account, row)
    added = {a: e for a, e in wanted.items() if a not in held}
    moved = {a: e for a, e in wanted.items() if a in held and held[a] != e}
    summary = RecordImportSummary(rows=frame.height, problems=problems, added=len(added),
                                  changed=len(moved),
                                  unchanged=len(wanted) - len(added) - len(moved))
    now = timezone.now()
    with transaction.atomic():
        log = RecordImport.objects.create(
            source=source, adapter=LINK_ADAPTER, file_name=file_name[:200],
            sha256=hashlib.sha256(data).hexdigest(), imported_by=actor, started_at=now,
            finished_at=timezone.now(), rows=summary.rows, added=summary.added,
            changed=summary.changed, unchanged=summary.unchanged,
            refused=summary.refused_rows, problems=stored_problems(problems))
        summary.import_id = log.pk
        AccountLink.objects.bulk_create(
            [AccountLink(source=source, account=a, enterprise_id=e) for a, e in added.items()],
            batch_size=2000)
        for account, enterprise_id in moved.items():
            AccountLink.objects.filter(source=source, account=account).update(
                enterprise_id=enterprise_id)
        record(actor, "records.link_accounts", log, source=source.code, file=file_name[:200],
               sha256=log.sha256, rows=summary.rows, added=summary.added,
               changed=summary.changed, unchanged=summary.unchanged,
               refused_rows=summary.refused_rows, moved=sorted(moved))
    return summary

"""`czesg backup` and `czesg restore`: a backup of enterprises, a disclosure with evidence, audit
entries and a checkpoint restores into a fresh database (run as a separate process, as an
operator would) with every row counted, the evidence file intact and `audit verify` passing."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from czesg.audit.backup import restore, table_counts
from czesg.audit.models import AuditEvent
from czesg.cli import main
from czesg.disclosures import actions
from czesg.engine.kernel.errors import StateConflict

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database of the kind the tests run on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"czesg_restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    yield f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def czesg(database_url: str, var_dir, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "CZESG_VAR_DIR": str(var_dir)}
    env.pop("CZESG_AUDIT_CHECKPOINT_DIR", None)
    return subprocess.run([sys.executable, "-m", "czesg.cli", *argv], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_every_row_and_a_verified_chain(
    settings, tmp_path, make_enterprise, draft_a, alice, fill_basic, fresh_database, capsys
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CZESG_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    for _ in range(3):
        make_enterprise()
    fill_basic(draft_a, alice)
    evidence = actions.attach_evidence(
        draft_a, "E-ENG-01-ELEC", SimpleUploadedFile("电费发票.pdf", PDF), actor=alice
    )
    assert main(["audit", "checkpoint"]) == 0
    actions.set_value(draft_a, "S-EMP-01", 121, "人", actor=alice)  # after the checkpoint
    capsys.readouterr()
    source = table_counts()
    entries = AuditEvent.objects.count()
    assert source["enterprises_enterprise"] == 4 and source["disclosures_evidence"] == 1

    archive = tmp_path / "out" / "czesg.backup.tar"
    assert main(["backup", str(archive), "--format", "json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["tables"] == source and manifest["audit"]["seq"] == entries
    assert f"media/{evidence.file.name}" in manifest["files"]
    assert any(name.startswith("checkpoints/") for name in manifest["files"])
    with tarfile.open(archive) as tar:
        assert set(tar.getnames()) == {"manifest.json", *manifest["files"]}

    var = tmp_path / "restored-var"
    result = czesg(fresh_database, var, "restore", str(archive), "--format", "json")
    assert result.returncode == 0, result.stderr
    restored = json.loads(result.stdout)
    assert restored["ok"] and restored["mismatched"] == []
    assert restored["tables"] == source and restored["rows"] == sum(source.values())
    assert restored["audit"]["ok"] and restored["audit"]["entries"] == entries
    assert restored["audit"]["checkpoints"] == 1
    assert (var / "media" / evidence.file.name).read_bytes() == PDF

    verified = czesg(fresh_database, var, "audit", "verify", "--format", "json")
    assert verified.returncode == 0, verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] and report["entries"] == entries and report["checkpoints"] == 1

    # The restored database is no longer empty: a second restore needs --force.
    again = czesg(fresh_database, var, "restore", str(archive))
    assert again.returncode == 1 and "not empty" in again.stderr
    forced = czesg(fresh_database, var, "restore", str(archive), "--force", "--format", "json")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["tables"] == source


def test_a_damaged_archive_is_refused_before_anything_is_written(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "manifest.json").write_text(json.dumps({
        "format": "czesg-backup/1", "vendor": connection.vendor, "database": "database.x",
        "tables": {}, "audit": {}, "files": {"database.x": {"sha256": "0" * 64, "size": 3}},
    }))
    (tmp_path / "database.x").write_bytes(b"abc")
    archive = tmp_path / "damaged.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(tmp_path / "manifest.json", "manifest.json")
        tar.add(tmp_path / "database.x", "database.x")
    before = table_counts()
    with pytest.raises(StateConflict, match="database.x does not match its checksum"):
        restore(archive, force=True)
    with pytest.raises(StateConflict, match="not a czesg backup archive"):
        restore(tmp_path / "database.x")
    assert table_counts() == before and not settings.MEDIA_ROOT.exists()

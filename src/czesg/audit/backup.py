"""``czesg backup`` and ``czesg restore``: the database, the evidence files and the audit
checkpoints in one tar archive with a manifest of checksums and row counts.

The database goes in as a ``pg_dump`` custom-format dump on PostgreSQL and as a copy made with
SQLite's online backup API on SQLite (both consistent while the server runs). Restore checks
every file's checksum first, refuses a database or evidence folder that is not empty unless
``--force``, then loads, counts every table against the manifest and verifies the audit chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from czesg.audit.checkpoints import checkpoint_dir, verify_with_checkpoints
from czesg.audit.models import AuditHead
from czesg.engine.kernel.errors import StateConflict, gettext_noop
from czesg.engine.kernel.ledger import GENESIS_HASH

FORMAT = "czesg-backup/1"
DUMP = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pg_binary(name: str) -> str:
    """The PostgreSQL client program ``name``: from CZESG_PG_BIN, the newest installed server
    version's bin folder, or the PATH."""
    folders = [os.environ["CZESG_PG_BIN"]] if os.environ.get("CZESG_PG_BIN") else []
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True,
    )
    for folder in [*folders, *map(str, installed)]:
        if (Path(folder) / name).exists():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if not found:
        raise StateConflict(gettext_noop("The PostgreSQL program %(name)s is not installed."),
                            name=name)
    return found


def _pg_args(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise StateConflict(
            gettext_noop("%(program)s failed: %(error)s"),
            program=Path(command[0]).name, error=result.stderr.strip()[-500:],
        )


def table_counts() -> dict[str, int]:
    """Rows in every table of the installed apps, by table name."""
    names = sorted(connection.introspection.django_table_names(only_existing=True,
                                                               include_views=False))
    counts = {}
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cursor.fetchone()[0]
    return counts


def _dump_database(target: Path) -> tuple[dict[str, int], tuple[int, str]]:
    """Dump the database to ``target``; returns the row counts and audit head of the dump."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_args(db)
        command = [pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                   "--file", str(target), *args]
        if connection.in_atomic_block:  # cannot open a snapshot of its own: counts are close
            _run(command, env)
            return table_counts(), _head()
        # pg_dump reads the snapshot this transaction exported, so the counts and head read
        # here describe exactly what it dumps, however busy the server is.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts, head = table_counts(), _head()
            _run([*command, f"--snapshot={snapshot}"], env)
        return counts, head
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
            # Counted in the copy itself.
            names = sorted(connection.introspection.django_table_names(
                only_existing=True, include_views=False))
            counts = {n: destination.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]
                      for n in names}
            row = destination.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
            head = row.fetchone() or (0, GENESIS_HASH)
        finally:
            destination.close()
        return counts, (head[0], head[1])
    raise StateConflict(gettext_noop("Backups support PostgreSQL and SQLite only."))


def _head() -> tuple[int, str]:
    return AuditHead.objects.filter(id=1).values_list("seq", "hash").first() or (0, GENESIS_HASH)


def _tree(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def backup(path: Path) -> dict[str, Any]:
    """Write the archive at ``path`` and return its manifest."""
    with tempfile.TemporaryDirectory(prefix="czesg-backup-") as tmp:
        dump = Path(tmp) / DUMP.get(connection.vendor, "database")
        counts, head = _dump_database(dump)
        members: list[tuple[Path, str]] = [(dump, dump.name)]
        media = Path(settings.MEDIA_ROOT)
        members += [(p, "media/" + p.relative_to(media).as_posix()) for p in _tree(media)]
        checkpoints = checkpoint_dir()
        members += [(p, "checkpoints/" + p.relative_to(checkpoints).as_posix())
                    for p in _tree(checkpoints) if p.suffix == ".json"]
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": connection.vendor,
            "database": dump.name,
            "tables": counts,
            "audit": {"seq": head[0], "hash": head[1]},
            "files": {name: {"sha256": _sha256(p), "size": p.stat().st_size}
                      for p, name in members},
        }
        manifest_path = Path(tmp) / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(manifest_path, "manifest.json")
            for p, name in members:
                archive.add(p, name)
        os.replace(partial, path)
    return manifest


def _target_is_empty() -> bool:
    tables = connection.introspection.table_names()
    return not tables


def _unpack(path: Path, into: Path) -> dict[str, Any]:
    if not path.is_file():
        raise StateConflict(gettext_noop("No backup archive at %(path)s."), path=str(path))
    try:
        with tarfile.open(path, "r") as archive:
            archive.extractall(into, filter="data")
        manifest = json.loads((into / "manifest.json").read_text("utf-8"))
    except (tarfile.TarError, OSError, ValueError) as exc:
        raise StateConflict(gettext_noop("%(path)s is not a czesg backup archive: %(error)s"),
                            path=str(path), error=str(exc)) from exc
    if manifest.get("format") != FORMAT:
        raise StateConflict(gettext_noop("%(path)s is not a czesg backup archive."),
                            path=str(path))
    for name, meta in manifest["files"].items():
        member = into / name
        if not member.is_file() or _sha256(member) != meta["sha256"]:
            raise StateConflict(
                gettext_noop("The backup archive is damaged: %(file)s does not match its "
                             "checksum."), file=name,
            )
    return manifest


def _drop_partitioned_tables() -> None:
    """Drop the target's partitioned tables with their partitions before ``pg_restore
    --clean``, which would otherwise try to drop each partition's inherited constraints (and
    fail); nothing references these tables (docs/scale.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.oid::regclass::text FROM pg_partitioned_table p "
            "JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE IF EXISTS {name} CASCADE")


def _load_database(dump: Path, vendor: str, force: bool) -> None:
    if vendor != connection.vendor:
        raise StateConflict(
            gettext_noop("This backup is of a %(source)s database; the target is %(target)s."),
            source=vendor, target=connection.vendor,
        )
    db = connection.settings_dict
    if vendor == "postgresql":
        args, env = _pg_args(db)
        clean = ["--clean", "--if-exists"] if force else []
        if force:
            _drop_partitioned_tables()
        connections.close_all()
        _run([pg_binary("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
              *clean, *args, str(dump)], env)
    else:
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connections.close_all()


def _copy_tree(source: Path, target: Path) -> int:
    copied = 0
    for p in _tree(source):
        destination = target / p.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, destination)
        copied += 1
    return copied


def restore(path: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore the archive at ``path``; returns counts, mismatches and the chain's verification."""
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="czesg-restore-") as tmp:
        unpacked = Path(tmp)
        manifest = _unpack(path, unpacked)
        if not force and (not _target_is_empty() or _tree(media)):
            raise StateConflict(
                gettext_noop("The target database or evidence folder (%(media)s) is not empty; "
                             "restore into a fresh one, or pass --force to overwrite it."),
                media=str(media),
            )
        _load_database(unpacked / manifest["database"], manifest["vendor"], force)
        files = _copy_tree(unpacked / "media", media)
        files += _copy_tree(unpacked / "checkpoints", checkpoint_dir())
    counts = table_counts()
    mismatched = [
        f"{name}: {expected} in the backup, {counts.get(name)} restored"
        for name, expected in manifest["tables"].items() if counts.get(name) != expected
    ]
    checked = verify_with_checkpoints()
    return {
        "ok": not mismatched and checked.ok,
        "tables": counts,
        "rows": sum(counts.values()),
        "files": files,
        "mismatched": mismatched,
        "audit": checked.as_dict(),
    }

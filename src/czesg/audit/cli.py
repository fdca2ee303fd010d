"""``czesg audit verify|checkpoint`` (the keyed audit chain and its signed checkpoints) and
``czesg backup|restore`` (the database, the evidence files and the checkpoints in one archive)."""

from __future__ import annotations

import argparse
from pathlib import Path

from czesg.console import EXIT_FAILED, EXIT_OK, add_format, emit, setup_django


def _chain_text(d: dict) -> str:
    if d["ok"]:
        latest = d.get("latest_checkpoint")
        anchored = (
            f"; matches {d['checkpoints']} signed checkpoint(s), latest at entry {latest['seq']}"
            if latest else "; no checkpoint yet (run `czesg audit checkpoint`)"
        )
        return f"audit chain intact: {d['entries']} entries, head {d['head_hash'][:16]}…{anchored}"
    where = f" at entry {d['broken_seq']}" if d.get("broken_seq") is not None else ""
    return f"audit chain BROKEN{where}: {d['reason']}"


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify the chain against its head and its checkpoints; exit 1 naming the first break."""
    setup_django()
    # Imported once Django is set up: the audit log is a model.
    from czesg.audit.checkpoints import verify_with_checkpoints

    paths = [Path(p) for p in args.checkpoint] if args.checkpoint else None
    checked = verify_with_checkpoints(paths)
    emit(checked.as_dict(), args.format, _chain_text)
    return EXIT_OK if checked.ok else EXIT_FAILED


def cmd_checkpoint(args: argparse.Namespace) -> int:
    """Verify the chain, then write and print a signed checkpoint of its head."""
    setup_django()
    from czesg.audit.checkpoints import write_checkpoint

    checked, checkpoint = write_checkpoint()
    if checkpoint is None:
        emit(checked.as_dict(), args.format, lambda d: "no checkpoint written: " + _chain_text(d))
        return EXIT_FAILED

    def text(c: dict) -> str:
        return (
            f"audit checkpoint: entry {c['seq']} hash {c['hash']}\n"
            f"taken {c['created_at']}, signature {c['signature']}\n"
            f"written to {c['path']} (publish this line or the file outside the server)"
        )

    emit(checkpoint, args.format, text)
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    """Write the database, evidence files and checkpoints into one checked archive."""
    setup_django()
    from czesg.audit.backup import backup

    manifest = backup(Path(args.path))

    def text(m: dict) -> str:
        rows = sum(m["tables"].values())
        return (
            f"backup written to {args.path}: {len(m['tables'])} tables, {rows} rows, "
            f"{len(m['files']) - 1} files, audit head entry {m['audit']['seq']}"
        )

    emit(manifest, args.format, text)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore an archive into an empty database (or, with --force, over a used one)."""
    setup_django()
    from czesg.audit.backup import restore

    result = restore(Path(args.path), force=args.force)

    def text(r: dict) -> str:
        lines = [f"restored {r['rows']} rows in {len(r['tables'])} tables, {r['files']} files"]
        lines += [f"  count differs: {t}" for t in r["mismatched"]]
        lines.append(_chain_text(r["audit"]))
        return "\n".join(lines)

    emit(result, args.format, text)
    return EXIT_OK if result["ok"] else EXIT_FAILED


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``czesg audit``, ``czesg backup`` and ``czesg restore`` to the ``czesg`` command."""
    p = sub.add_parser("audit", help="the keyed, hash-chained audit log and its checkpoints")
    asub = p.add_subparsers(dest="action", metavar="ACTION")
    asub.required = True
    v = asub.add_parser(
        "verify", help="verify the chain and its signed checkpoints; exit 1 naming the first break"
    )
    v.add_argument(
        "--checkpoint", action="append", metavar="FILE",
        help="verify against this checkpoint file (e.g. a published copy) instead of the "
        "checkpoint directory; may be repeated",
    )
    add_format(v)
    v.set_defaults(func=cmd_verify)
    c = asub.add_parser(
        "checkpoint", help="verify, then write and print a signed checkpoint of the chain's head"
    )
    add_format(c)
    c.set_defaults(func=cmd_checkpoint)

    b = sub.add_parser(
        "backup", help="archive the database, evidence files and audit checkpoints into PATH"
    )
    b.add_argument("path", help="the archive to write (a tar file)")
    add_format(b)
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="restore an archive written by `czesg backup`")
    r.add_argument("path", help="the archive to read")
    r.add_argument(
        "--force", action="store_true",
        help="restore even though the database or the evidence folder is not empty",
    )
    add_format(r)
    r.set_defaults(func=cmd_restore)

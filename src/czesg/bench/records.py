"""The records import at the real shape: a register of installation emissions with one figure per
installation-year, 167,700 rows over 15,000 enterprises and 17 years (issue 14), read from the
CSV file's bytes to the committed rows."""

from __future__ import annotations

import io
import os
import time

import numpy as np
import polars as pl

YEARS = range(2008, 2025)  # 17 years
ROWS = 167_700
ENTERPRISES = 15_000


def register_file(usccs: list[str], rows: int, seed: int = 3) -> bytes:
    """A register CSV: ``rows`` distinct (enterprise, year) figures, printed as registers print
    them (thousands separators on a third of them)."""
    rng = np.random.default_rng(seed)
    grid = len(usccs) * len(YEARS)
    picked = np.sort(rng.choice(grid, size=min(rows, grid), replace=False))
    who, year = picked // len(YEARS), picked % len(YEARS)
    values = rng.lognormal(8, 1.5, len(picked)).round(1)
    printed = [f"{v:,.1f}" if i % 3 == 0 else f"{v:.1f}" for i, v in enumerate(values.tolist())]
    frame = pl.DataFrame({
        "installation_id": [f"INST-{w:06d}" for w in who.tolist()],
        "uscc": np.array(usccs, dtype=object)[who],
        "year": (year + YEARS.start).astype(str),
        "emissions": printed,
        "unit": ["tCO2e"] * len(picked),
    })
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    return buffer.getvalue()


# The import as ``czesg records import`` runs it, in a process of its own: Django set up, the
# file read from disk, the import timed; the process reports its resident set before the import
# and its peak (VmHWM, the kernel's high-water mark of the whole process's resident memory).
CHILD = """
import json, sys, time
from pathlib import Path

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

from czesg.console import setup_django
setup_django()
from czesg.accounts.actors import system_actor
from czesg.records.adapters import adapter_named
from czesg.records.importing import import_record_file
from czesg.records.sources import source_of

path = Path(sys.argv[1])
adapter, source, actor = (adapter_named("installation-emissions"),
                          source_of("installation_register"), system_actor())
data = path.read_bytes()
before = status("VmRSS")
t0, c0 = time.perf_counter(), time.process_time()
summary = import_record_file(adapter, data, path.name, source=source, actor=actor)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"seconds": seconds, "cpu_s": cpu, "before_mb": before, "peak_mb": status("VmHWM"),
                  "summary": summary.as_dict()}))
"""


def import_in_own_process(data: bytes) -> dict:
    """Import the register file in a fresh process, as the command line does; its seconds, its
    resident memory before the import and its peak, and the import's summary."""
    import json
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from django.db import connections

    connections.close_all()  # the child writes; this process holds no transaction open
    with tempfile.TemporaryDirectory(prefix="czesg-bench-") as folder:
        path = Path(folder) / "register.csv"
        path.write_bytes(data)
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                              text=True, check=False,
                              env={**os.environ, "CZESG_TASKS": "database"})
    if done.returncode:
        raise RuntimeError(f"the import's process failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_records(scale: float, fresh_enterprises) -> dict:
    """Import the register file twice: the first run adds every figure, the second (the same
    file again) must change nothing.

    The first import runs in a process of its own, as ``czesg records import`` runs it:
    ``records_import_167k_s`` is its import's seconds (file bytes to committed records, Django
    set up before; as in production, the public profiles it touches are rebuilt afterwards by
    the worker, whatever CZESG_ENV the bench runs under), ``records_import_cpu_s`` the CPU seconds the import's process spent in it
    (the database server's excluded: a figure that a busy machine disturbs less than the wall
    time), ``records_import_peak_mb`` the peak resident memory of that whole process
    (Django, Polars and the file's bytes included), ``records_import_growth_mb`` the peak less
    its resident memory just before the import. The benchmark's own process is not measured: it
    holds what setting the benchmark up left behind (migrations, 15,000 enterprises registered,
    the file generated), which an import does not need. The second import runs here."""
    from czesg.accounts.actors import system_actor
    from czesg.records.adapters import adapter_named
    from czesg.records.importing import import_record_file
    from czesg.records.sources import source_of

    usccs = fresh_enterprises(max(10, int(ENTERPRISES * scale)))
    data = register_file(usccs, max(10, int(ROWS * scale)))
    first = import_in_own_process(data)
    summary = first["summary"]
    assert not summary["problems"] and summary["added"] == summary["rows"], summary["problems"][:3]
    adapter, source, actor = (adapter_named("installation-emissions"),
                              source_of("installation_register"), system_actor())
    t2 = time.perf_counter()
    again = import_record_file(adapter, data, "register.csv", source=source, actor=actor)
    t3 = time.perf_counter()
    assert again.unchanged == summary["rows"] and again.added == 0
    return {
        "records_import_167k_s": round(first["seconds"], 3),
        "records_import_cpu_s": round(first["cpu_s"], 3),
        "records_import_peak_mb": round(first["peak_mb"], 1),
        "records_import_growth_mb": round(first["peak_mb"] - first["before_mb"], 1),
        "records_reimport_unchanged_s": round(t3 - t2, 3),
        "records_import_rows": summary["rows"],
    }

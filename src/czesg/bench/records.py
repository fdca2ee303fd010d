"""The records import at the real shape: a register of installation emissions with one figure per
installation-year, 167,700 rows over 15,000 enterprises and 17 years (issue 14), read from the
CSV file's bytes to the committed rows."""

from __future__ import annotations

import io
import os
import threading
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


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakMemory:
    """The process's resident memory sampled every 10 ms while the block runs (Polars allocates
    outside Python's tracemalloc, so the resident set is what counts)."""

    def __enter__(self) -> PeakMemory:
        self.before = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def bench_records(scale: float, fresh_enterprises) -> dict:
    """Import the register file twice: the first run adds every figure, the second (the same
    file again) must change nothing."""
    from czesg.accounts.actors import system_actor
    from czesg.records.adapters import adapter_named
    from czesg.records.importing import import_record_file
    from czesg.records.sources import source_of

    usccs = fresh_enterprises(max(10, int(ENTERPRISES * scale)))
    data = register_file(usccs, max(10, int(ROWS * scale)))
    adapter, source, actor = (adapter_named("installation-emissions"),
                              source_of("installation_register"), system_actor())
    with PeakMemory() as memory:
        t0 = time.perf_counter()
        first = import_record_file(adapter, data, "register.csv", source=source, actor=actor)
        t1 = time.perf_counter()
    assert not first.problems and first.added == first.rows, first.as_dict()["problems"][:3]
    t2 = time.perf_counter()
    again = import_record_file(adapter, data, "register.csv", source=source, actor=actor)
    t3 = time.perf_counter()
    assert again.unchanged == first.rows and again.added == 0
    return {
        "records_import_167k_s": round(t1 - t0, 3),
        "records_import_peak_mb": round(memory.peak, 1),
        "records_import_growth_mb": round(memory.peak - memory.before, 1),
        "records_reimport_unchanged_s": round(t3 - t2, 3),
        "records_import_rows": first.rows,
    }

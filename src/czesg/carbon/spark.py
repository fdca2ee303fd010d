"""A year's batch carbon totals computed on Spark: Parquet by enterprise hash out, the engine's
:func:`~czesg.engine.carbon.batch_totals` per partition, the totals back.

Imports no Django (Spark's Python workers import this module to run its task function) and
imports PySpark only through :func:`czesg.storage.spark.session`, inside :func:`compute`.

:func:`compute` is the compute step of a batch run
(:func:`czesg.carbon.actions.run_carbon_batch` with ``engine="spark"``); reading the rows before
it and storing the totals, the run's status and its audit entry after it are the same action
as in process:

1. export: the year's activity rows are written as Parquet partitioned by a hash of the credit
   code (``part=<p>/``), so every enterprise-year's rows are in one partition, in their order;
2. one Spark task per partition calls ``batch_totals`` on its rows with the run's factor set
   and GWP set and writes the totals as Parquet (or returns the input problems it refused);
3. the driver reads the totals back in the in-process order (credit code, year).

Totals of an enterprise-year depend on its own rows only (the factors come from the factor
set, not from other enterprises), and ``batch_totals`` sums each one's rows in row order, so
the totals equal the in-process run's bit for bit (a test holds them equal).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from czesg.engine import carbon
from czesg.storage.spark import exchange_folder, export_by_hash, session

ORDER = "_order"  # the rows' position in the year's frame, kept through the export


@dataclass(frozen=True)
class Job:
    """What every task needs: the run's versions and the results folder."""

    factor_set: str
    gwp_set: str | None
    output: str


@dataclass
class Computed:
    """The totals frame (:data:`czesg.engine.carbon.TOTAL_COLUMNS`) and the step timings."""

    totals: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def totals_task(paths: Iterator[str], job: Job) -> Iterator[tuple[str, Any]]:
    """Spark task: the totals of the partition's files, written as Parquet
    (``("written", path)``), or the problems that refused them (``("problems", [...])``)."""
    for path in paths:
        rows = pl.read_parquet(path).sort(ORDER).drop(ORDER)
        if not rows.height:
            continue
        try:
            totals = carbon.batch_totals(rows, factor_set=job.factor_set, gwp_set=job.gwp_set)
        except carbon.CarbonInputError as exc:
            yield "problems", list(exc.problems)
            continue
        out = Path(job.output) / f"{Path(path).parent.name}.parquet"
        totals.write_parquet(out)
        yield "written", str(out)


def compute(rows: pl.DataFrame, *, year: int, factor_set: str, gwp_set: str | None, master: str,
            folder: Path, partitions: int = 8) -> Computed:
    """The totals of ``rows`` computed on Spark (see the module's steps), ordered by credit code
    and year as ``batch_totals`` orders them; raises :class:`~czesg.engine.carbon.CarbonInputError`
    with every task's problems."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with exchange_folder(folder, f"carbon-{year}") as work:
        source, output = work / "inputs", work / "results"
        output.mkdir(parents=True)
        paths = export_by_hash(rows.with_row_index(ORDER), "uscc", partitions, source)
        timings["export_s"] = time.perf_counter() - started
        t0 = time.perf_counter()
        context = session(master).sparkContext
        timings["session_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        job = Job(factor_set=factor_set, gwp_set=gwp_set, output=str(output))
        done = context.parallelize(paths, max(len(paths), 1)).mapPartitions(
            lambda part: totals_task(part, job)).collect()
        timings["compute_s"] = time.perf_counter() - t1
        problems = [p for kind, found in done if kind == "problems" for p in found]
        if problems:
            raise carbon.CarbonInputError(problems)
        t2 = time.perf_counter()
        written = [path for kind, path in done if kind == "written"]
        totals = (pl.concat([pl.read_parquet(p) for p in written], how="vertical")
                  .sort("uscc", "year") if written else pl.DataFrame())
        timings["read_back_s"] = time.perf_counter() - t2
    timings["total_s"] = time.perf_counter() - started
    return Computed(totals=totals, timings={k: round(v, 3) for k, v in timings.items()})


"""A year's rating computed on Spark: partitioned Parquet out, the engine per partition, fields back.

Imports no Django (Spark's Python workers import this module to run its task functions) and
imports PySpark only inside :func:`compute`, so that nothing else pays for it.

:func:`compute` is the compute step of a rating run (:func:`czesg.ratings.actions.run_rating`
with ``engine="spark"``); reading the inputs before it and writing the results, the run's
status and its audit entry after it are the same actions as in process:

1. export: the run's :class:`~czesg.engine.rating.RatingInput`, one row per enterprise
   (:func:`~czesg.engine.rating.partitioned.inputs_frame`), is written as Parquet partitioned
   by a hash of the credit code (``part=<p>/``);
2. first pass: one Spark task per partition lists the reported values of every percentile
   column by peer group (:func:`~czesg.engine.rating.partitioned.peer_values`); the driver
   merges them into the sorted peer distribution and broadcasts it;
3. second pass: one task per partition rates its enterprises with the engine's own ``rate`` and
   ``green_score`` against the broadcast distribution and the population's inputs hash, builds
   the stored fields (:mod:`czesg.ratings.fields`) and writes them as Parquet;
4. the driver reads the fields back in the inputs' order. Peer positions by final score are
   computed by the caller over every score.

The results equal the in-process run's bit for bit (a test holds them equal). The tasks read
and write the Parquet files themselves (Polars), so the exchange folder must be one every
executor sees (``CZESG_BATCH_DIR``: a local folder in local mode, shared storage on a cluster).
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from czesg.engine import rating as engine
from czesg.engine.rating import partitioned
from czesg.ratings.fields import GREEN_FIELDS, RATING_FIELDS, green_fields, rating_fields
from czesg.storage.spark import export_by_hash, session


@dataclass(frozen=True)
class Job:
    """What every task needs: versions, the population's keys and hash, the folders."""

    year: int
    methodology_version: str
    green_version: str
    codes: tuple[str, ...]
    group_keys: tuple[str, ...]
    inputs_hash: str
    output: str


@dataclass
class Computed:
    """A run's fields per enterprise in the inputs' order, and the step timings."""

    rating: dict[str, list[Any]]
    green: dict[str, list[Any]]
    timings: dict[str, float] = field(default_factory=dict)


def _read_part(path: str, job: Job) -> engine.RatingInput:
    frame = pl.read_parquet(path)
    return partitioned.inputs_from_frame(frame, year=job.year, codes=job.codes,
                                         group_keys=job.group_keys)


def first_pass(paths: Iterator[str], job: Job) -> Iterator[partitioned.PeerValues]:
    """Spark task of the first pass: the reported values of the partition's files."""
    methodology = engine.load_methodology(job.methodology_version)
    green = engine.load_green_methodology(job.green_version)
    for path in paths:
        yield partitioned.peer_values(_read_part(path, job), methodology, green)


def second_pass(paths: Iterator[str], job: Job, peers: Any) -> Iterator[tuple[str, int]]:
    """Spark task of the second pass: rate the partition's files and write their fields."""
    methodology = engine.load_methodology(job.methodology_version)
    green = engine.load_green_methodology(job.green_version)
    distribution: partitioned.PeerDistribution = peers.value
    for path in paths:
        inputs = _read_part(path, job)
        if not len(inputs):
            continue
        result = partitioned.rate_partition(inputs, methodology, distribution, job.inputs_hash)
        scores = partitioned.green_partition(inputs, green, distribution, job.inputs_hash)
        columns: dict[str, Any] = {"enterprise": list(inputs.enterprises)}
        columns.update({f"r_{k}": v for k, v in rating_fields(result).items()})
        columns.update({f"g_{k}": v for k, v in green_fields(scores).items()})
        out = Path(job.output) / f"{Path(path).parent.name}.parquet"
        pl.DataFrame(columns, schema_overrides=_SCHEMA).write_parquet(out)
        yield str(out), len(inputs)


_SCHEMA = {f"r_{k}": pl.Float64 for k in ("score", "total", "deductions", "pillar_e",
                                          "pillar_s", "pillar_g")} | {
    f"g_{k}": pl.Float64 for k in ("score", "total", "deductions")}


def compute(inputs: engine.RatingInput, methodology: engine.Methodology,
            green: engine.GreenMethodology, *, master: str, folder: Path,
            partitions: int = 8) -> Computed:
    """Rate ``inputs`` on Spark (see the module's steps); the fields in the inputs' order."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    work = Path(folder) / f"rating-{inputs.year}-{uuid.uuid4().hex[:12]}"
    source, output = work / "inputs", work / "results"
    output.mkdir(parents=True)
    try:
        paths = export_by_hash(partitioned.inputs_frame(inputs), "enterprise", partitions,
                               source)
        timings["export_s"] = time.perf_counter() - started
        job = Job(year=inputs.year, methodology_version=methodology.version,
                  green_version=green.version, codes=inputs.codes,
                  group_keys=inputs.group_keys, inputs_hash=inputs.hash(),
                  output=str(output))
        t0 = time.perf_counter()
        spark = session(master)
        context = spark.sparkContext
        timings["session_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        files = context.parallelize(paths, len(paths))
        peers = partitioned.merge_peer_values(
            files.mapPartitions(lambda part: first_pass(part, job)).collect())
        shared = context.broadcast(peers)
        timings["first_pass_s"] = time.perf_counter() - t1
        timings["broadcast_values"] = peers.size()
        t2 = time.perf_counter()
        written = files.mapPartitions(lambda part: second_pass(part, job, shared)).collect()
        shared.unpersist()
        timings["second_pass_s"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        fields = _read_back(inputs, [path for path, _ in written])
        timings["read_back_s"] = time.perf_counter() - t3
    finally:
        shutil.rmtree(work, ignore_errors=True)
    timings["total_s"] = time.perf_counter() - started
    fields.timings = {k: round(v, 3) for k, v in timings.items()}
    return fields


def _read_back(inputs: engine.RatingInput, paths: list[str]) -> Computed:
    """The tasks' fields, one row per enterprise in the inputs' order (every one present)."""
    found = pl.concat([pl.read_parquet(p) for p in paths], how="vertical") if paths else None
    order = pl.DataFrame({"enterprise": list(inputs.enterprises),
                          "_at": np.arange(len(inputs), dtype=np.int64)})
    if found is None or found.height != len(inputs):
        raise RuntimeError(f"the Spark job returned {0 if found is None else found.height} "
                           f"ratings for {len(inputs)} enterprises")
    aligned = order.join(found, on="enterprise", how="left").sort("_at")
    return Computed(
        rating={k: aligned.get_column(f"r_{k}").to_list() for k in RATING_FIELDS},
        green={k: aligned.get_column(f"g_{k}").to_list() for k in GREEN_FIELDS},
    )

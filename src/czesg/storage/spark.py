"""Spark plumbing shared by the batch jobs (``czesg batch rate``, ``czesg batch carbon``): the
session, the exchange folder and the export of a frame as Parquet partitioned by a key's hash.

Imports no Django and no app (Spark's Python workers import the task modules that use it) and
imports PySpark only inside :func:`session`, so that nothing else pays for it.

The session is created with ``getOrCreate``: in one process every job (and every test of a
pytest worker) shares the one JVM that the first call started; nothing here stops it.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl


def session(master: str, app: str = "czesg-batch") -> Any:
    """A Spark session on ``master``, its Python workers on this interpreter (the running
    session of this process when there is one)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if master.startswith("local"):  # one machine: keep Spark's sockets on the loopback
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession  # heavy: loaded only for a Spark run

    builder = SparkSession.builder.master(master).appName(app)
    if master.startswith("local"):
        # In local mode the driver's JVM is the executor and only schedules: the quick
        # compiler and the serial collector halve its start on a small machine.
        builder = builder.config("spark.driver.extraJavaOptions", os.environ.get(
            "CZESG_SPARK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"))
    return (builder
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", os.environ.get("CZESG_SPARK_DRIVER_MEMORY", "2g"))
            .config("spark.python.worker.reuse", "true")
            .getOrCreate())


@contextmanager
def exchange_folder(folder: str | Path, name: str) -> Iterator[Path]:
    """A fresh folder ``<folder>/<name>-<random>`` for one job's Parquet files, removed with
    everything in it when the job ends (also on failure)."""
    work = Path(folder) / f"{name}-{uuid.uuid4().hex[:12]}"
    work.mkdir(parents=True)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def export_by_hash(frame: pl.DataFrame, key: str, partitions: int, target: Path) -> list[str]:
    """Write ``frame`` as Parquet under ``target/part=<p>/``, ``p`` a hash of ``key`` modulo
    ``partitions`` (every row of one key in one partition); the files' paths, sorted."""
    frame.with_columns(
        part=(pl.col(key).hash(seed=0) % max(int(partitions), 1)).cast(pl.Int32)
    ).write_parquet(target, partition_by="part")
    return sorted(str(p) for p in Path(target).rglob("*.parquet"))

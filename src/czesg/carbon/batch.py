"""The inputs of a batch carbon run: the activity rows of every enterprise-year's latest stored
calculation of a year, as one columnar frame for :func:`czesg.engine.carbon.batch_totals`.

The rows are the calculations' canonical input rows as stored (``CarbonCalculation.inputs``),
in the calculations' order by credit code, each calculation's rows in their stored order (the
order the engine sums in). The latest calculation of an enterprise-year is the one created last
(a recalculation with a newer factor set included); the others are not read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import polars as pl

from czesg.carbon.models import CarbonCalculation

# The canonical input columns (czesg.engine.carbon.inputs.inputs_frame) and their types.
INPUT_SCHEMA: dict[str, pl.DataType] = {
    "uscc": pl.String(), "year": pl.Int64(), "activity": pl.String(), "quantity": pl.Float64(),
    "unit": pl.String(), "facility": pl.String(), "region": pl.String(),
    "measured_factor": pl.Float64(), "row": pl.Int64(),
}
CHUNK = 2_000  # calculations read per query


@dataclass(frozen=True)
class BatchInputs:
    """A year's activity rows and, per credit code, the enterprise and calculation they are of."""

    year: int
    frame: pl.DataFrame
    enterprise_of: dict[str, int]
    calculation_of: dict[str, int]
    inputs_hash: str

    @property
    def calculations(self) -> int:
        """How many calculations the rows come from (one per enterprise-year)."""
        return len(self.calculation_of)


def latest_calculations(year: int) -> list[int]:
    """The id of each enterprise's latest calculation of ``year`` (created last; the highest id
    among equal times)."""
    chosen: dict[int, tuple] = {}
    for pk, enterprise_id, created in CarbonCalculation.objects.filter(year=year).values_list(
        "pk", "enterprise_id", "created_at"
    ):
        key = (created, pk)
        if enterprise_id not in chosen or key > chosen[enterprise_id][0]:
            chosen[enterprise_id] = (key, pk)
    return sorted(pk for _, pk in chosen.values())


def fetch_batch_inputs(year: int) -> BatchInputs:
    """The rows of every enterprise's latest calculation of ``year`` (an empty frame when none)."""
    ids = latest_calculations(year)
    found: list[tuple[str, int, int, str, str]] = []
    for start in range(0, len(ids), CHUNK):
        found.extend(CarbonCalculation.objects.filter(pk__in=ids[start:start + CHUNK]).values_list(
            "enterprise__uscc", "enterprise_id", "pk", "inputs_hash", "inputs"
        ).order_by())
    found.sort(key=lambda item: item[0])
    columns: dict[str, list] = {name: [] for name in INPUT_SCHEMA}
    digest = hashlib.sha256(b"czesg.carbon.batch-inputs/1\n")
    for uscc, _enterprise, _pk, inputs_hash, inputs in found:
        digest.update(f"{uscc}\t{year}\t{inputs_hash}\n".encode())
        for row in json.loads(inputs):
            for name, values in columns.items():
                values.append(row.get(name))
    frame = pl.DataFrame(columns, schema=INPUT_SCHEMA)
    return BatchInputs(
        year=year, frame=frame,
        enterprise_of={uscc: enterprise for uscc, enterprise, _, _, _ in found},
        calculation_of={uscc: pk for uscc, _, pk, _, _ in found},
        inputs_hash=digest.hexdigest() if found else "",
    )

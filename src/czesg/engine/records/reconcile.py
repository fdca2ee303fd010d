"""How far a disclosed value may stray from a record of a named source before a warning
(``data/records/reconcile.toml``)."""

from __future__ import annotations

from functools import lru_cache

from czesg.engine.datafiles import DATA_DIR
from czesg.engine.datafiles.files import parse_toml, read_data_file

RECONCILE_FILE = DATA_DIR / "records" / "reconcile.toml"


@lru_cache(maxsize=1)
def tolerance() -> float:
    """The largest relative difference between a disclosed value and a record left unwarned."""
    name = "records/reconcile.toml"
    table = parse_toml(read_data_file(RECONCILE_FILE, name), name)
    table.text("source")
    table.text("confidence")
    return table.number("tolerance", low=0.0, high=1.0)


def difference(disclosed: float, recorded: float) -> float | None:
    """The disclosed value's relative difference from the record (−0.3: 30% below it); ``None``
    where the record is zero and no share can be given."""
    if recorded == 0:
        return None
    return (disclosed - recorded) / abs(recorded)

"""The document the main screen showed at a past minute: from `mc_snapshot_minutes` while the
database keeps it, from the archive's Parquet object of that day beyond."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from archive.minutes import LOOKBACK, decode, stored_at
from archive.parquet_store import ParquetStore
from archive.tables import minutes


@dataclass(frozen=True)
class Replay:
    """`document` is the snapshot kept for `minute` (at most LOOKBACK before the minute asked)."""

    minute: datetime
    document: dict
    source: str  # "database" | "archive"


def replay_at(engine: Engine, store: ParquetStore | None, minute: datetime) -> Replay | None:
    """The snapshot kept for `minute` (or the nearest before it, within LOOKBACK); None when
    neither the database nor the archive keeps one."""
    found = stored_at(engine, minute)
    if found is not None:
        return Replay(found[0], found[1], "database")
    if store is None:
        return None
    earliest = minute - LOOKBACK
    # The day's object, and the day before's when the lookback crosses midnight.
    for day in dict.fromkeys((minute.date(), earliest.date())):
        table = store.read(minutes.name, day, filters=[("minute", "<=", minute), ("minute", ">=", earliest)])
        if table is not None and table.num_rows:
            best = max(table.to_pylist(), key=lambda r: r["minute"])
            return Replay(best["minute"], decode(best["document"]), "archive")
    return None

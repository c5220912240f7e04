"""The archive pass, run in the producer's heavy cycle: rows past DASHBOARD_HISTORY_RETENTION
are written to Parquet (one object per table and UTC day), read back and compared, and only
then deleted; a day that fails is left whole in the database and the pass stops there.

Only whole UTC days are archived: a row becomes archivable once every row of its day is past
the retention (so rows leave the database up to a day later than the retention says), which
keeps each day's object complete when it is first written. Without an archive (MC_ARCHIVE_URL
unset) the snapshot minutes past the retention are simply deleted, like the alert history.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pyarrow as pa
from sqlalchemy import Column, Table, delete, func, select
from sqlalchemy.engine import Engine

from alerts.tables import EXPIRING
from archive.parquet_store import ArchiveError, ParquetStore, arrow_schema, json_columns, verify
from archive.tables import minutes

log = logging.getLogger(__name__)

DELETE_BATCH = 500


@dataclass(frozen=True)
class Expiring:
    """Rows of `table` dated by `at` that expire once `finished` holds."""

    table: Table
    at: Column
    finished: tuple = ()

    @property
    def key(self) -> list[str]:
        return [c.name for c in self.table.primary_key.columns]


# Snapshot minutes first: they are most of the bytes.
ARCHIVED: tuple[Expiring, ...] = (
    Expiring(minutes, minutes.c.minute),
    *(Expiring(table, at, finished) for table, at, finished in EXPIRING.values()),
)


@dataclass
class PassReport:
    """What one pass did: `archived` = (table, day, rows) written and pruned; `error` when a day failed."""

    archived: list[tuple[str, date, int]] = field(default_factory=list)
    deleted: int = 0
    error: str | None = None


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """The first instant NOT archived yet: midnight UTC of the day `retention_days` before `now`."""
    return datetime.combine((now - timedelta(days=retention_days)).date(), time())


def run_pass(engine: Engine, store: ParquetStore | None, now: datetime, retention_days: int, days: int) -> PassReport:
    """Archive (then prune) at most `days` table-days past the retention; without a `store`,
    delete the snapshot minutes past the retention. Never raises: a failure is in the report."""
    report = PassReport()
    if store is None:
        cutoff = now - timedelta(days=retention_days)
        with engine.begin() as conn:
            report.deleted = conn.execute(delete(minutes).where(minutes.c.minute < cutoff)).rowcount
        return report
    cutoff = retention_cutoff(now, retention_days)
    budget = days
    for spec in ARCHIVED:
        while budget > 0:
            day = _oldest_day(engine, spec, cutoff)
            if day is None:
                break
            budget -= 1
            try:
                count = archive_day(engine, store, spec, day)
            except Exception as exc:
                report.error = f"{spec.table.name} {day}: {_one_line(exc)}"
                log.error("archive failed, nothing of that day was pruned: %s", report.error)
                return report
            report.archived.append((spec.table.name, day, count))
            log.info("archived %s rows of %s for %s, then pruned them", count, spec.table.name, day)
    return report


def archive_day(engine: Engine, store: ParquetStore, spec: Expiring, day: date) -> int:
    """Write `spec`'s finished rows of `day` to the day's object, read it back, and delete the
    rows found equal in it; returns the number of rows archived."""
    lo = datetime.combine(day, time())
    hi = lo + timedelta(days=1)
    with engine.connect() as conn:
        found = conn.execute(select(spec.table).where(spec.at >= lo, spec.at < hi, *spec.finished)).mappings().all()
    rows = [plain_row(spec.table, dict(r)) for r in found]
    schema = arrow_schema(spec.table)
    store.write_day(spec.table.name, day, pa.Table.from_pylist(rows, schema=schema), spec.key)
    back = store.read(spec.table.name, day)
    if back is None:
        raise ArchiveError("the object written is not there when read back")
    verify(back, rows, spec.key)
    _delete(engine, spec, [tuple(r[k] for k in spec.key) for r in rows], (spec.at >= lo, spec.at < hi, *spec.finished))
    return len(rows)


def plain_row(table: Table, row: dict) -> dict:
    """A row as the archive holds it: JSON columns as JSON text, binary as bytes."""
    for name in json_columns(table):
        if row.get(name) is not None:
            row[name] = json.dumps(row[name], separators=(",", ":"), sort_keys=True, default=str)
    for name, value in row.items():
        if isinstance(value, memoryview):  # psycopg2's bytea
            row[name] = bytes(value)
    return row


def _oldest_day(engine: Engine, spec: Expiring, cutoff: datetime) -> date | None:
    with engine.connect() as conn:
        oldest = conn.execute(select(func.min(spec.at)).where(spec.at < cutoff, *spec.finished)).scalar()
    if oldest is None:
        return None
    if isinstance(oldest, str):  # SQLite aggregates hand back text
        oldest = datetime.fromisoformat(oldest)
    return oldest.date()


def _delete(engine: Engine, spec: Expiring, keys: list[tuple], still: tuple) -> None:
    """Delete the rows archived, by primary key, in batches (one transaction); `still` repeats
    the selection, so a row changed since it was read (an alert firing again) is kept."""
    (pk,) = spec.table.primary_key.columns  # every archived table has a one-column key
    with engine.begin() as conn:
        for start in range(0, len(keys), DELETE_BATCH):
            conn.execute(delete(spec.table).where(pk.in_([k[0] for k in keys[start : start + DELETE_BATCH]]), *still))


def _one_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300] or type(exc).__name__

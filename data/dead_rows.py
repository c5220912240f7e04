"""Writing rows so that one bad row never blocks the others: `store_rows` and `set_aside`.

A batch insert fails as a whole when one row is unstorable (an integer out of range, a
constraint). Retrying the batch forever then blocks every later row behind it. `store_rows`
tells the two failures apart: the database being unreachable (keep the rows, retry later) and
a row the database refuses (insert the others one by one, set the refused one aside in
`mc_dead_rows` with the reason, and log it).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.mc_tables import dead_rows

log = logging.getLogger(__name__)


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says the database could not be reached (worth retrying the same rows)."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError))


def set_aside(engine: Engine, destination: str, row: dict, error: BaseException) -> bool:
    """Keep `row` in mc_dead_rows with the reason; False when even that failed (then only logged)."""
    reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:1000]
    log.warning("a row for %s could not be stored and was set aside: %s", destination, reason)
    try:
        with engine.begin() as conn:
            conn.execute(
                dead_rows.insert(),
                {
                    "at": datetime.now(UTC).replace(tzinfo=None),
                    "destination": destination,
                    "row": json.dumps(row, default=str)[:100_000],
                    "error": reason,
                },
            )
        return True
    except Exception as exc:
        log.error("a row for %s was dropped (mc_dead_rows unwritable: %s): %r", destination, exc, row)
        return False


def store_rows(engine: Engine, table, rows: list[dict]) -> tuple[list[dict], int]:
    """Insert `rows` into `table`. Returns (rows still to write because the database is
    unreachable, number of rows set aside as unstorable). Never raises for a bad row."""
    if not rows:
        return [], 0
    try:
        with engine.begin() as conn:
            conn.execute(table.insert(), rows)
        return [], 0
    except Exception as exc:
        if is_outage(exc):
            return rows, 0
    # Some row is refused: find which, one row per transaction, and let the rest through.
    refused = 0
    for i, row in enumerate(rows):
        try:
            with engine.begin() as conn:
                conn.execute(table.insert(), [row])
        except Exception as exc:
            if is_outage(exc):
                return rows[i:], refused
            set_aside(engine, table.name, row, exc)
            refused += 1
    return [], refused

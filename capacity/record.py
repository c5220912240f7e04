"""The forecast record: every drain forecast the producer makes (mc_drain_forecasts), resolved
later against what happened, and the error of the last N resolved ones.

Only the elected producer writes (from its heavy step), so there is one row per cycle per
deployment. Resolution is two UPDATEs per cycle, each touching only unresolved rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Engine

from capacity.forecast import ErrorSummary, Forecast, error_minutes, summarise
from capacity.tables import drain_forecasts as t
from common.timestamps import to_datetime

# At most one forecast per this interval, whatever the heavy cycle (tests and small TTLs).
MIN_INTERVAL = timedelta(seconds=55)


def last_made_at(mc: Engine) -> datetime | None:
    with mc.connect() as conn:
        return to_datetime(conn.execute(select(t.c.made_at).order_by(t.c.made_at.desc()).limit(1)).scalar())


def record(mc: Engine, fc: Forecast, window_min: float) -> bool:
    """Store `fc` (a queue holding jobs only; one a minute at most); True when stored."""
    if fc.depth <= 0:
        return False
    last = last_made_at(mc)
    if last is not None and fc.made_at - last < MIN_INTERVAL:
        return False
    with mc.begin() as conn:
        conn.execute(
            insert(t).values(
                made_at=fc.made_at,
                depth=fc.depth,
                satellites=fc.satellites,
                per_satellite=fc.per_satellite,
                arrivals=fc.arrivals,
                rate=fc.net_rate,
                window_min=float(window_min),
                predicted_empty_at=fc.empty_at,
                reason=fc.reason,
            )
        )
    return True


def resolve(mc: Engine, now: datetime, depth: int | None) -> int:
    """Note what `now` shows: an empty queue ends every open forecast made before now; a
    forecast whose predicted time has come gets the depth now. Returns rows updated."""
    if depth is None:
        return 0
    changed = 0
    with mc.begin() as conn:
        if depth <= 0:
            changed += conn.execute(
                update(t).where(and_(t.c.actual_empty_at.is_(None), t.c.made_at < now)).values(actual_empty_at=now)
            ).rowcount
        changed += conn.execute(
            update(t)
            .where(
                and_(
                    t.c.depth_at_predicted.is_(None),
                    t.c.predicted_empty_at.is_not(None),
                    t.c.predicted_empty_at <= now,
                )
            )
            .values(depth_at_predicted=int(depth))
        ).rowcount
    return changed


def prune(mc: Engine, now: datetime, days: int) -> int:
    """Forget forecasts older than `days`."""
    with mc.begin() as conn:
        return conn.execute(delete(t).where(t.c.made_at < now - timedelta(days=days))).rowcount


@dataclass(frozen=True)
class Track:
    """How the last forecasts did: the error summary of the resolved ones (minutes), how many
    said 'not emptying' yet the queue emptied, how many are still open, and the rows."""

    summary: ErrorSummary
    missed: int
    open: int
    rows: list[dict]


MAX_SAMPLES = 1000


def track_record(mc: Engine, samples: int) -> Track:
    """The last `samples` forecasts (newest first, at most MAX_SAMPLES) and their error."""
    samples = max(1, min(int(samples), MAX_SAMPLES))
    with mc.connect() as conn:
        result = conn.execute(
            select(
                t.c.made_at,
                t.c.depth,
                t.c.satellites,
                t.c.per_satellite,
                t.c.arrivals,
                t.c.predicted_empty_at,
                t.c.actual_empty_at,
                t.c.depth_at_predicted,
                t.c.reason,
            )
            .order_by(t.c.made_at.desc())
            .limit(samples)
        )
        rows = [dict(r._mapping) for r in result]
    errors, missed, still_open = [], 0, 0
    for row in rows:
        predicted, actual = to_datetime(row["predicted_empty_at"]), to_datetime(row["actual_empty_at"])
        row["error_min"] = None
        if actual is None:
            still_open += 1
        elif predicted is None:
            missed += 1
        else:
            row["error_min"] = error_minutes(predicted, actual)
            errors.append(row["error_min"])
    return Track(summarise(errors), missed, still_open, rows)

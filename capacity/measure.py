"""The drain forecast's inputs, measured from Link Profiler's storage: jobs finished and jobs
arrived over a recent window (crawl_jobs), and the satellites running now (the fleet).

Both counts are range counts on one timestamp column each; with the opt-in indexes
(`python -m analytics.setup --create-indexes`: mc_crawl_jobs_completed, mc_crawl_jobs_created)
they are index-only range scans on PostgreSQL whatever the size of crawl_jobs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from capacity.forecast import Rates
from data.frames import scalar

# A job counts as finished by the fleet when it completed or failed (a cancelled one was
# stopped by an operator, not worked through).
FINISHED = ("completed", "failed")


def finished_between(engine: Engine, since: datetime, until: datetime) -> int:
    """Jobs that completed or failed in (since, until]."""
    return int(
        scalar(
            engine,
            "SELECT COUNT(*) FROM crawl_jobs WHERE completed_date > :since AND completed_date <= :until "
            "AND status IN ('completed', 'failed')",
            {"since": since, "until": until},
        )
        or 0
    )


def arrived_between(engine: Engine, since: datetime, until: datetime) -> int:
    """Jobs created in (since, until] that went into the queue (a `pending` one waits for its
    scheduled time and is not queued yet)."""
    return int(
        scalar(
            engine,
            "SELECT COUNT(*) FROM crawl_jobs WHERE created_at > :since AND created_at <= :until "
            "AND (status IS NULL OR status <> 'pending')",
            {"since": since, "until": until},
        )
        or 0
    )


def running_satellites(fleet: list[dict]) -> int:
    """Satellites alive and not paused, from the fleet rows of a snapshot (data.fleet.FLEET_COLUMNS)."""
    return sum(1 for s in fleet if s.get("alive") and s.get("status") != "paused")


def measure(engine: Engine, now: datetime, window_min: float, satellites: int) -> Rates:
    """Rates over the `window_min` minutes before `now`, for `satellites` running satellites."""
    since = now - timedelta(minutes=window_min)
    return Rates(
        finished=finished_between(engine, since, now),
        arrived=arrived_between(engine, since, now),
        satellites=satellites,
        window_min=float(window_min),
    )

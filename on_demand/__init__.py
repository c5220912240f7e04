"""Every query a viewer's action runs on demand (a drill-down click, a picker search, an alert
history filter), in one place, each bounded. Pages call these only from their model; tick
refreshes never come here (they read the snapshot or the memoised rollup models).

Each function takes the AppContext and plain parameters and returns a DataFrame or plain data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from analytics import discovery, domains
from commands import audit

if TYPE_CHECKING:
    from archive.replay import Replay
    from runtime.context import AppContext

DRILL_LIMIT = discovery.DRILL_LIMIT
PICKER_LIMIT = 50


def links_found_on(ctx: AppContext, day: str, scope: list[str] | None, bucket: int | None = None) -> pd.DataFrame:
    """Links first seen on `day` (optionally of one authority bucket), at most DRILL_LIMIT."""
    svc = ctx.services
    return discovery.links_found_on(svc.engine, svc.schema, day, scope, bucket, mc=svc.mc_engine)


def links_lost_on(ctx: AppContext, day: str, scope: list[str] | None) -> pd.DataFrame:
    """Links lost on `day`, at most DRILL_LIMIT."""
    svc = ctx.services
    return discovery.links_lost_on(svc.engine, svc.mc_engine, svc.schema, day, scope)


def domain_names(ctx: AppContext, prefix: str) -> list[str]:
    """Scored domain names starting with `prefix` (the calculator's picker), best first."""
    return domains.domain_names(ctx.services.mc_engine, prefix[:100], PICKER_LIMIT)


# --- Alert center (pages/alerts) ---------------------------------------------------------------
# Kept together at the end of the module so that blocks added by other pages merge cleanly.


def alert_history(
    ctx: AppContext,
    hours: float,
    severity: str | None,
    alert_type: str | None,
    event: str | None,
    text: str | None,
    limit: int,
) -> list[dict]:
    """Alert history events of the last `hours` (newest first), filtered, at most `limit` rows:
    the store's rows (see alerts.store.AlertStore.history). Empty when the alert engine is off."""
    if ctx.alerts is None:
        return []
    return ctx.alerts.store.history(
        since=ctx.alerts.clock() - timedelta(hours=hours),
        severity=severity,
        alert_type=alert_type,
        event=event,
        text=text,
        limit=limit,
    )


# --- Time travel (pages/mission, `/?at=`) ------------------------------------------------------


def snapshot_at(ctx: AppContext, minute: datetime) -> Replay | None:
    """The snapshot document kept for the naive UTC `minute` (the database, else the archive;
    archive.replay.replay_at); None when none is kept or the archive is not set up."""
    return None if ctx.archive is None else ctx.archive.replay(minute)


# --- Jobs, queues and capacity (pages/jobs, pages/queues, pages/capacity) ------------------------
# Kept together at the end of the module so that blocks added by other pages merge cleanly.


def jobs_page(ctx: AppContext, f, page: int, size: int):
    """One page of the jobs list and its (capped) total: data.job_search.search_jobs."""
    from data.job_search import search_jobs

    svc = ctx.services
    return search_jobs(svc.engine, svc.mc_engine, f, page, size)


def job_detail(ctx: AppContext, job_id: str) -> dict | None:
    """One job: its row, errors, progress history, satellites and alerts (each bounded); None
    when there is no such job."""
    from data import job_search as js

    svc = ctx.services
    row = js.job_row(svc.engine, svc.schema, job_id)
    if row is None:
        return None
    try:
        alerts = js.job_alerts(svc.mc_engine, job_id)
    except Exception:  # the alert tables are ours; a deployment without them shows none
        alerts = pd.DataFrame(columns=js.ALERT_COLUMNS)
    return {
        "row": row,
        "errors": js.job_errors(row.get("errors")),
        "history": js.progress_history(svc.engine, svc.schema, job_id),
        "satellites": js.job_satellites(svc.engine, svc.mc_engine, svc.schema, job_id),
        "alerts": alerts,
    }


def job_row(ctx: AppContext, job_id: str) -> dict | None:
    """One job's own row (no history, errors or alerts); None when there is no such job."""
    from data import job_search as js

    return js.job_row(ctx.services.engine, ctx.services.schema, job_id)


def queue_page(ctx: AppContext, queue: str, offset: int, count: int, now):
    """One page (≤ data.queue_entries.MAX_PAGE entries) of a Link Profiler queue: `queue` is a
    field of config.RedisKeys (job_queue, scheduled, dead_letter)."""
    from data.queue_entries import read_page

    key = getattr(ctx.services.settings.redis_keys, queue)
    return read_page(ctx.services.redis, key, queue, offset, count, now)


def forecast_track(ctx: AppContext, samples: int):
    """The last `samples` drain forecasts and their error (capacity.record.track_record)."""
    from capacity.record import track_record

    return track_record(ctx.services.mc_engine, samples)


# -- the audit log (pages/audit) -------------------------------------------------------------
def audit_page(ctx: AppContext, filters, offset: int, limit: int) -> tuple[list[dict], int]:
    """One page of the audit log (newest first) and the number of records matching `filters`
    (a commands.audit.AuditFilter)."""
    return audit.page(ctx.services.mc_engine, filters, offset, limit)


def audit_users(ctx: AppContext) -> list[str]:
    """The users the audit log names (the page's user filter)."""
    return audit.users(ctx.services.mc_engine)

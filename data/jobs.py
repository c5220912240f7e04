"""Crawl-job queries for the main view (table `crawl_jobs`, same columns in both variants).

"Active" means status `in_progress` (Link Profiler has no `running`). Times are naive UTC.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from common.timestamps import to_datetime
from data.frames import parse_json, query_frame

ACTIVE = "in_progress"
WAITING = ("pending", "queued")


def job_status_counts(engine: Engine) -> dict[str, int]:
    """{status: number of jobs} over the whole table."""
    frame = query_frame(engine, "SELECT status, COUNT(*) AS n FROM crawl_jobs GROUP BY status")
    return {str(s): int(n) for s, n in zip(frame.get("status", []), frame.get("n", [])) if s is not None}


def eta_seconds(progress: float | None, started: datetime | None, now: datetime) -> float | None:
    """Seconds until 100 % at the job's average progress rate so far; None when unknowable.

    Rate = progress / elapsed since start. A job with no progress yet, no start time or a
    start in the future has no ETA (showing one would be a guess, not a measurement).
    """
    if progress is None or started is None or pd.isna(progress):
        return None
    elapsed = (now - started).total_seconds()
    if progress <= 0 or elapsed <= 0:
        return None
    if progress >= 100:
        return 0.0
    return (100.0 - float(progress)) / (float(progress) / elapsed)


# A job's own columns every job listing shows (the active board, the jobs page's list).
JOB_COLUMNS = [
    "id",
    "target_url",
    "job_type",
    "status",
    "priority",
    "progress_percentage",
    "urls_crawled",
    "links_found",
    "created_at",
    "started_date",
]
ACTIVE_COLUMNS = [*JOB_COLUMNS, "last_fetched_at", "eta_seconds"]


def active_jobs(engine: Engine, now: datetime, limit: int = 200) -> pd.DataFrame:
    """Jobs in progress with an `eta_seconds` column, highest priority first (ACTIVE_COLUMNS)."""
    frame = query_frame(
        engine,
        "SELECT id, target_url, job_type, status, priority, progress_percentage, urls_crawled, links_found, "
        "created_at, started_date, last_fetched_at FROM crawl_jobs WHERE status = :s "
        "ORDER BY priority DESC, started_date ASC LIMIT :lim",
        {"s": ACTIVE, "lim": limit},
        columns=ACTIVE_COLUMNS[:-1],
    )
    frame["eta_seconds"] = [
        eta_seconds(p, to_datetime(s), now) for p, s in zip(frame["progress_percentage"], frame["started_date"])
    ]
    return frame[ACTIVE_COLUMNS]


FINISHED_COLUMNS = ["id", "status", "started_date", "completed_date", "urls_crawled"]


def jobs_touched_24h(engine: Engine, now: datetime) -> pd.DataFrame:
    """Jobs that finished in the last 24 h plus those in progress (FINISHED_COLUMNS)."""
    return query_frame(
        engine,
        "SELECT id, status, started_date, completed_date, urls_crawled FROM crawl_jobs "
        "WHERE completed_date >= :since OR status = :active",
        {"since": now - timedelta(hours=24), "active": ACTIVE},
        columns=FINISHED_COLUMNS,
    )


def duration_seconds(started, completed) -> float | None:
    s, c = to_datetime(started), to_datetime(completed)
    return None if s is None or c is None else (c - s).total_seconds()


def summarise_24h(frame: pd.DataFrame) -> dict:
    """Completed / failed counts, pages crawled and mean completion time from `jobs_touched_24h`.

    Pages crawled counts `urls_crawled` of jobs that finished in the window plus the jobs still
    in progress (a job running for more than 24 h is rare; its pages are counted whole).
    Mean completion time is over jobs *completed* in the window: completed_date − started_date.
    """
    finished = frame[frame["status"] != ACTIVE]
    completed = finished[finished["status"] == "completed"]
    durations = [
        d for d in map(duration_seconds, completed["started_date"], completed["completed_date"]) if d is not None
    ]
    return {
        "completed": len(completed),
        "failed": int((finished["status"] == "failed").sum()),
        "pages_crawled": int(pd.to_numeric(frame["urls_crawled"], errors="coerce").fillna(0).sum()),
        "avg_completion_seconds": (sum(durations) / len(durations)) if durations else None,
    }


def jobs_last_24h(engine: Engine, now: datetime) -> dict:
    """`summarise_24h` of the jobs touched in the last 24 h."""
    return summarise_24h(jobs_touched_24h(engine, now))


ERROR_COLUMNS = [
    "job_id",
    "job_type",
    "target_url",
    "timestamp",
    "error_type",
    "message",
    "url",
    "details",
    "severity",
]
SEVERITIES = ("info", "warning", "critical")
# Severity words other writers use, mapped onto Link Profiler's three.
SEVERITY_WORDS = {
    "debug": "info",
    "notice": "info",
    "information": "info",
    "warn": "warning",
    "error": "critical",
    "fatal": "critical",
    "severe": "critical",
}


def severity_of(value, default: str = "warning") -> str:
    """An error object's severity as one of Link Profiler's three. Link Profiler writes its own
    (`CrawlError.severity`, default warning); other words map by meaning; none → `default`."""
    word = str(value or "").strip().lower()
    if word in SEVERITIES:
        return word
    return SEVERITY_WORDS.get(word, default)


def details_text(value) -> str | None:
    """An error's `details` as Link Profiler types it (Optional[str]): text kept, anything else as JSON."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value[:2000]
    try:
        return json.dumps(value, default=str, sort_keys=True)[:2000]
    except (TypeError, ValueError):
        return str(value)[:2000]


def recent_job_errors(engine: Engine, now: datetime, limit: int = 20, hours: int = 24) -> pd.DataFrame:
    """The newest error objects of jobs that failed in the last `hours`, one row per error, in
    the shape of Link Profiler's `CrawlErrorResponse` (timestamp, url, error_type, message,
    details, severity) plus the job's id, type and target.

    `errors` is a JSON list of `CrawlError` objects in Link Profiler; strings, junk and nulls are
    tolerated. `url` is the error's own URL, else the job's target; `severity` is the error's
    own, else Link Profiler's default (warning). A failed job with no error record gets one
    row saying so, `critical` (the job failed and nothing says why).
    """
    frame = query_frame(
        engine,
        "SELECT id, job_type, target_url, completed_date, errors FROM crawl_jobs "
        "WHERE status = 'failed' AND completed_date >= :since ORDER BY completed_date DESC LIMIT :lim",
        {"since": now - timedelta(hours=hours), "lim": limit},
        columns=["id", "job_type", "target_url", "completed_date", "errors"],
    )
    rows = []
    for job in frame.itertuples(index=False):
        errors = parse_json(job.errors)
        if not isinstance(errors, list) or not errors:
            errors = [{"message": "failed without an error record", "severity": "critical", "type": "job_failed"}]
        for err in errors[-3:]:
            err = err if isinstance(err, dict) else {"message": str(err)}
            rows.append(
                {
                    "job_id": job.id,
                    "job_type": job.job_type,
                    "target_url": job.target_url,
                    "timestamp": to_datetime(err.get("timestamp")) or to_datetime(job.completed_date),
                    "error_type": str(err.get("error_type") or err.get("type") or "error"),
                    "message": str(err.get("message") or err.get("error") or "")[:500],
                    "url": str(err.get("url") or job.target_url or ""),
                    "details": details_text(err.get("details")),
                    "severity": severity_of(err.get("severity")),
                }
            )
    return pd.DataFrame(rows[:limit], columns=ERROR_COLUMNS)


TIMELINE_COLUMNS = [
    "id",
    "target_url",
    "job_type",
    "status",
    "progress_percentage",
    "created_at",
    "started_date",
    "completed_date",
    "priority",
]


def timeline_jobs(engine: Engine, now: datetime, hours: int = 6, limit: int = 30) -> pd.DataFrame:
    """Jobs in progress plus those that finished in the last `hours`, newest activity first."""
    return query_frame(
        engine,
        "SELECT id, target_url, job_type, status, progress_percentage, created_at, started_date, "
        "completed_date, priority FROM crawl_jobs "
        "WHERE status = :active OR (completed_date >= :since AND started_date IS NOT NULL) "
        "ORDER BY CASE WHEN status = :active THEN 0 ELSE 1 END, COALESCE(completed_date, started_date) DESC "
        "LIMIT :lim",
        {"active": ACTIVE, "since": now - timedelta(hours=hours), "lim": limit},
        columns=TIMELINE_COLUMNS,
    )


def links_found_by_job(engine: Engine, job_ids: list[str]) -> dict[str, int]:
    """{job id: links_found} for the given jobs (used to turn counters into a per-minute rate)."""
    if not job_ids:
        return {}
    params = {f"j{i}": j for i, j in enumerate(job_ids)}
    frame = query_frame(
        engine,
        "SELECT id, links_found FROM crawl_jobs WHERE id IN (" + ", ".join(f":{k}" for k in params) + ")",
        params,
    )
    return {str(i): int(n or 0) for i, n in zip(frame.get("id", []), frame.get("links_found", []))}

"""The jobs list and one job's page, read from crawl_jobs (both schema variants) and our own
mc_ records. Every query is parameterised and bounded (a page of rows, a capped count).

On PostgreSQL with millions of jobs the list is served by the opt-in indexes of
`python -m analytics.setup --create-indexes` (README "Jobs, queues and capacity planning"):
created_at, (status, created_at), (job_type, created_at) for the newest-first pages, and a
trigram index on target_url (when pg_trgm is installed) for the substring search. The total is
counted up to COUNT_CAP rows, so a broad filter never counts millions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine

from data.frames import parse_json, query_frame
from data.jobs import JOB_COLUMNS, details_text, severity_of
from data.lp_tables import JOB_STATUSES, JOB_TYPES
from data.schema import SchemaInfo

PAGE_SIZES = (25, 50, 100)
# The most rows one call returns (the CSV export of a filter; common.csv_export.MAX_ROWS).
MAX_ROWS = 10_000
COUNT_CAP = 100_000
# A satellite filter looks at this many of the satellite's newest jobs (our job → satellite record).
SATELLITE_JOBS_CAP = 5_000
LIST_COLUMNS = [*JOB_COLUMNS, "completed_date"]


@dataclass(frozen=True)
class JobFilter:
    """What the jobs list shows. Values are already validated (pages' model checks them)."""

    status: str | None = None
    job_type: str | None = None
    target: str | None = None  # substring of target_url, case-insensitive
    created_from: datetime | None = None
    created_to: datetime | None = None  # exclusive
    satellite: str | None = None
    newest_first: bool = True

    def __post_init__(self):
        if self.status is not None and self.status not in JOB_STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.job_type is not None and self.job_type not in JOB_TYPES:
            raise ValueError(f"unknown job type {self.job_type!r}")


@dataclass(frozen=True)
class JobPage:
    rows: pd.DataFrame
    total: int
    capped: bool  # the total is at least `total` (counting stopped at COUNT_CAP)
    notes: list[str] = field(default_factory=list)


def like_pattern(value: str) -> str:
    """'%value%' with LIKE's wildcards in `value` escaped (backslash is the escape)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def satellite_job_ids(mc: Engine, satellite: str) -> list[str]:
    """The newest SATELLITE_JOBS_CAP job ids our record says `satellite` ran."""
    frame = query_frame(
        mc,
        "SELECT job_id FROM mc_rollup_satellite_jobs WHERE satellite_id = :s ORDER BY started_at DESC LIMIT :cap",
        {"s": satellite, "cap": SATELLITE_JOBS_CAP},
        columns=["job_id"],
    )
    return [str(j) for j in frame["job_id"]]


def _where(engine: Engine, f: JobFilter, job_ids: list[str] | None) -> tuple[str, dict, bool]:
    """(WHERE clause, params, uses the expanding id list) from fixed fragments and bound values."""
    clauses: list[str] = []
    params: dict = {}
    if f.status:
        clauses.append("status = :status")
        params["status"] = f.status
    if f.job_type:
        clauses.append("job_type = :job_type")
        params["job_type"] = f.job_type
    if f.target:
        # ILIKE is served by a pg_trgm index; SQLite's LIKE is case-insensitive for ASCII.
        op = "ILIKE" if engine.dialect.name == "postgresql" else "LIKE"
        clauses.append(f"target_url {op} :target ESCAPE '\\'")
        params["target"] = like_pattern(f.target)
    if f.created_from:
        clauses.append("created_at >= :created_from")
        params["created_from"] = f.created_from
    if f.created_to:
        clauses.append("created_at < :created_to")
        params["created_to"] = f.created_to
    expanding = job_ids is not None
    if expanding:
        clauses.append("id IN :ids")
        params["ids"] = job_ids
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params, expanding


def _run(engine: Engine, sql: str, params: dict, expanding: bool) -> tuple[list, list[str]]:
    stmt = text(sql)
    if expanding:
        stmt = stmt.bindparams(bindparam("ids", expanding=True))
    with engine.connect() as conn:
        result = conn.execute(stmt, params)
        return list(result.fetchall()), list(result.keys())


def list_statements(engine: Engine, f: JobFilter, job_ids: list[str] | None = None) -> tuple[str, str, dict, bool]:
    """(page SQL with :lim/:off, capped count SQL with :cap, params, uses an expanding :ids)
    for filter `f`: fixed fragments, every value bound."""
    where, params, expanding = _where(engine, f, job_ids)
    order = "DESC" if f.newest_first else "ASC"
    page_sql = (
        f"SELECT {', '.join(LIST_COLUMNS)} FROM crawl_jobs{where} "
        f"ORDER BY created_at {order}, id {order} LIMIT :lim OFFSET :off"
    )
    count_sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM crawl_jobs{where} LIMIT :cap) AS matched"
    return page_sql, count_sql, params, expanding


def search_jobs(engine: Engine, mc: Engine, f: JobFilter, page: int, size: int) -> JobPage:
    """Page `page` (0-based) of `size` jobs matching `f`, newest (or oldest) first, with the
    total (capped at COUNT_CAP). Columns: LIST_COLUMNS."""
    size = max(1, min(int(size), MAX_ROWS))
    page = max(0, int(page))
    notes = []
    job_ids = None
    if f.satellite:
        job_ids = satellite_job_ids(mc, f.satellite)
        if len(job_ids) >= SATELLITE_JOBS_CAP:
            notes.append(f"the satellite filter looks at its newest {SATELLITE_JOBS_CAP:,} jobs")
        if not job_ids:
            return JobPage(pd.DataFrame(columns=LIST_COLUMNS), 0, False, notes)
    page_sql, count_sql, params, expanding = list_statements(engine, f, job_ids)
    rows, names = _run(engine, page_sql, {**params, "lim": size, "off": page * size}, expanding)
    counted, _ = _run(engine, count_sql, {**params, "cap": COUNT_CAP + 1}, expanding)
    total = int(counted[0][0])
    frame = pd.DataFrame(rows, columns=names) if rows else pd.DataFrame(columns=LIST_COLUMNS)
    return JobPage(frame, min(total, COUNT_CAP), total > COUNT_CAP, notes)


# --- one job -------------------------------------------------------------------------------------

MAX_ERRORS = 200
MAX_HISTORY = 500
MAX_ALERTS = 50


def job_row(engine: Engine, schema: SchemaInfo, job_id: str) -> dict | None:
    """Every crawl_jobs column of one job (those the variant has), or None."""
    cols = sorted(schema.columns.get("crawl_jobs", ()))
    if not cols:
        return None
    frame = query_frame(engine, f"SELECT {', '.join(cols)} FROM crawl_jobs WHERE id = :id", {"id": job_id})
    return None if frame.empty else frame.iloc[0].to_dict()


ERROR_COLUMNS = ["timestamp", "error_type", "severity", "url", "message", "details"]


def job_errors(errors_cell) -> pd.DataFrame:
    """The job's `errors` JSON as rows (newest MAX_ERRORS); strings and junk tolerated."""
    errors = parse_json(errors_cell)
    if isinstance(errors, dict):
        errors = [errors]
    if not isinstance(errors, list):
        return pd.DataFrame(columns=ERROR_COLUMNS)
    rows = []
    for err in errors[-MAX_ERRORS:]:
        err = err if isinstance(err, dict) else {"message": err}
        rows.append(
            {
                "timestamp": str(err.get("timestamp") or "")[:32] or None,
                "error_type": str(err.get("error_type") or err.get("type") or "error")[:200],
                "severity": severity_of(err.get("severity")),
                "url": str(err.get("url") or "")[:2000] or None,
                "message": str(err.get("message") or err.get("error") or "")[:2000],
                "details": details_text(err.get("details")),
            }
        )
    return pd.DataFrame(rows[::-1], columns=ERROR_COLUMNS)


HISTORY_COLUMNS = ["timestamp", "satellite_id", "progress", "pages_crawled", "links_extracted", "errors_logged"]


def progress_history(engine: Engine, schema: SchemaInfo, job_id: str) -> pd.DataFrame | None:
    """The job's progress as its satellites logged it (variant O's satellite_performance_logs
    name their current job), oldest first; None when the variant does not record it (M)."""
    if not schema.has("satellite_performance_logs", "current_job_id"):
        return None
    return query_frame(
        engine,
        "SELECT timestamp, satellite_id, current_job_progress AS progress, pages_crawled, links_extracted, "
        "errors_logged FROM satellite_performance_logs WHERE current_job_id = :id ORDER BY timestamp DESC LIMIT :lim",
        {"id": job_id, "lim": MAX_HISTORY},
        columns=HISTORY_COLUMNS,
    ).iloc[::-1]


SATELLITE_COLUMNS = ["satellite_id", "started_at", "completed_at", "source"]


def job_satellites(engine: Engine, mc: Engine, schema: SchemaInfo, job_id: str) -> pd.DataFrame:
    """The satellites that ran the job: our job → satellite record (from heartbeats) and, on
    variant O, the performance logs that name the job."""
    rows = []
    ours = query_frame(
        mc,
        "SELECT satellite_id, started_at, completed_at FROM mc_rollup_satellite_jobs WHERE job_id = :id",
        {"id": job_id},
    )
    for r in ours.to_dict("records"):
        rows.append({**r, "source": "heartbeats (mc_rollup_satellite_jobs)"})
    if schema.has("satellite_performance_logs", "current_job_id"):
        logged = query_frame(
            engine,
            "SELECT satellite_id, MIN(timestamp) AS started_at, MAX(timestamp) AS completed_at "
            "FROM satellite_performance_logs WHERE current_job_id = :id GROUP BY satellite_id",
            {"id": job_id},
        )
        for r in logged.to_dict("records"):
            rows.append({**r, "source": "performance logs (first and last log)"})
    return pd.DataFrame(rows, columns=SATELLITE_COLUMNS)


ALERT_COLUMNS = ["at", "event", "severity", "type", "message"]


def job_alerts(mc: Engine, job_id: str) -> pd.DataFrame:
    """Alert events (mc_alert_history) whose affected jobs name the job, newest first."""
    # affected_jobs is a JSON list; its text holds the id quoted, whatever the database.
    return query_frame(
        mc,
        "SELECT at, event, severity, type, message FROM mc_alert_history "
        "WHERE CAST(affected_jobs AS TEXT) LIKE :needle ESCAPE '\\' ORDER BY at DESC LIMIT :lim",
        {"needle": like_pattern(json.dumps(job_id)), "lim": MAX_ALERTS},
        columns=ALERT_COLUMNS,
    )

"""`mission_control_summary`: Mission Control's own materialized view over 24 h of crawl jobs
(PostgreSQL only), per job type and status: jobs, pages crawled, links found, mean duration.

Created only by the explicit setup command (`python -m analytics.setup --create-views`), in
Link Profiler's database (it reads crawl_jobs). It is refreshed CONCURRENTLY (readers are
never blocked; that needs the unique index created with it): by pg_cron every minute when the
server loads it and `--schedule-cron` was run (analytics.cron), otherwise by the producer's
analytics refresh under its advisory lock. Without the view (SQLite, or setup not run) the page runs the
same query on crawl_jobs directly; the table is small and the query bounded to 24 h.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from analytics import cron
from analytics.dialect import frame

VIEW = "mission_control_summary"
COLUMNS = ["job_type", "status", "jobs", "pages_crawled", "links_found", "avg_duration_s"]

CREATE_SQL = f"""
CREATE MATERIALIZED VIEW IF NOT EXISTS {VIEW} AS
SELECT COALESCE(job_type, '') AS job_type, COALESCE(status, '') AS status, COUNT(*) AS jobs,
       COALESCE(SUM(urls_crawled), 0) AS pages_crawled, COALESCE(SUM(links_found), 0) AS links_found,
       AVG(EXTRACT(EPOCH FROM completed_date - started_date))
           FILTER (WHERE status = 'completed' AND completed_date IS NOT NULL AND started_date IS NOT NULL) AS avg_duration_s,
       (now() AT TIME ZONE 'UTC') AS refreshed_at
FROM crawl_jobs
WHERE COALESCE(completed_date, started_date, created_at) >= (now() AT TIME ZONE 'UTC') - interval '24 hours'
GROUP BY 1, 2
"""
INDEX_SQL = f"CREATE UNIQUE INDEX IF NOT EXISTS {VIEW}_key ON {VIEW} (job_type, status)"
REFRESH_SQL = f"REFRESH MATERIALIZED VIEW CONCURRENTLY {VIEW}"


def exists(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text("SELECT 1 FROM pg_matviews WHERE matviewname = :v AND schemaname = ANY (current_schemas(false))"),
                {"v": VIEW},
            ).scalar()
        )


def refresh(engine: Engine) -> bool:
    """Refresh the view when it exists and pg_cron does not; returns whether it ran."""
    if not exists(engine) or cron.runs_refresh(engine):
        return False
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(REFRESH_SQL))
    return True


def summary(engine: Engine, now: datetime) -> tuple[pd.DataFrame, str]:
    """(rows with COLUMNS, where they came from: the view and when it was refreshed, or "crawl_jobs").

    The view's 24 h window ends at its last refresh, not at `now`: that is what a materialized
    view is, so the source line says when."""
    if exists(engine):
        rows = frame(
            engine,
            f"SELECT {', '.join(COLUMNS)}, refreshed_at FROM {VIEW} ORDER BY jobs DESC, job_type, status",
            columns=[*COLUMNS, "refreshed_at"],
        )
        refreshed = rows["refreshed_at"].max() if not rows.empty else None
        source = f"{VIEW}, refreshed {refreshed:%H:%M:%S} UTC" if refreshed is not None else VIEW
        return rows[COLUMNS], source
    if engine.dialect.name == "postgresql":
        duration = "EXTRACT(EPOCH FROM completed_date - started_date)"
    else:
        duration = "(julianday(completed_date) - julianday(started_date)) * 86400.0"
    return frame(
        engine,
        (
            f"SELECT COALESCE(job_type, '') AS job_type, COALESCE(status, '') AS status, COUNT(*) AS jobs, "
            f"COALESCE(SUM(urls_crawled), 0) AS pages_crawled, COALESCE(SUM(links_found), 0) AS links_found, "
            f"AVG(CASE WHEN status = 'completed' AND completed_date IS NOT NULL AND started_date IS NOT NULL "
            f"THEN {duration} END) AS avg_duration_s FROM crawl_jobs "
            f"WHERE COALESCE(completed_date, started_date, created_at) >= :since GROUP BY 1, 2 "
            f"ORDER BY jobs DESC, job_type, status"
        ),
        {"since": now - timedelta(hours=24)},
        columns=COLUMNS,
    ), "crawl_jobs"

"""Incremental rollups of `satellite_performance_logs`: per satellite and hour, per target site
and hour, and which satellite ran which job.

Logs are written as they happen, so a watermark on `timestamp` with a re-scan overlap
(MC_ROLLUP_LATE_S) captures them; the hours from (watermark − late) are re-aggregated and
replaced. A log row's target site is the host of the job its satellite was running: the row's
`current_job_id` (variant O), else the job the producer saw in that satellite's heartbeats
(`mc:job_satellite:{day}`, recorded here for good in `mc_rollup_satellite_jobs`) whose
start..completion contains the row's time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy.engine import Engine

from analytics import tables as t
from analytics.dialect import ts, day_start, execute, frame, hour_key, hour_sql, in_list, insert_rows, upsert

from data.schema import SchemaInfo

log = logging.getLogger(__name__)

JOB_SATELLITE_KEY = "mc:job_satellite:"  # written by the producer (producer.series)
KEEP_DAYS = 35
SITE_BACKFILL_DAYS = 7
METRICS = {
    "speed": "crawl_speed_pages_per_minute",
    "success": "success_rate_percentage",
    "response": "avg_response_time_ms",
    "cpu": "cpu_utilization_percent",
    "memory": "memory_utilization_percent",
    "network": "network_io_mbps",
}


def site_of(url) -> str | None:
    """The host of a URL without `www.` (how backlinks name target domains)."""
    try:
        host = urlsplit(str(url)).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _records(df: pd.DataFrame) -> list[dict]:
    from analytics.link_rollups import _records as records

    return records(df)


def record_satellite_jobs(
    lp: Engine, mc: Engine, redis_client, schema: SchemaInfo, now: datetime, extra: dict[str, str] | None = None
) -> int:
    """Store job → satellite from the producer's heartbeat record (two days) plus `extra`, with
    each job's site, status and times from crawl_jobs; returns how many jobs were stored."""
    seen: dict[str, str] = {}
    if redis_client is not None:
        for d in (now - timedelta(days=1), now):
            try:
                seen.update(redis_client.hgetall(JOB_SATELLITE_KEY + d.strftime("%Y%m%d")) or {})
            except Exception as exc:  # WRONGTYPE or Redis down: the database still answers
                log.debug("job → satellite record unreadable: %s", exc)
    seen.update(extra or {})
    if not seen or not schema.has("crawl_jobs"):
        return 0
    rows = []
    ids = sorted(seen)
    with lp.connect() as conn:
        for i in range(0, len(ids), 500):
            marks, params = in_list("j", ids[i : i + 500])
            jobs = frame(
                conn,
                f"SELECT id, target_url, status, started_date, completed_date FROM crawl_jobs WHERE id IN ({marks})",
                params,
            )
            for r in jobs.to_dict("records"):
                rows.append(
                    {
                        "job_id": str(r["id"]),
                        "satellite_id": str(seen[str(r["id"])]),
                        "site": site_of(r["target_url"]),
                        "status": r["status"],
                        "started_at": ts(r["started_date"]),
                        "completed_at": ts(r["completed_date"]),
                    }
                )
    with mc.begin() as conn:
        upsert(
            conn,
            t.satellite_jobs,
            rows,
            ["job_id"],
            merge={
                c: (lambda _old, new, _d: new) for c in ("satellite_id", "site", "status", "started_at", "completed_at")
            },
        )
    return len(rows)


def refresh_fleet(
    lp: Engine, mc: Engine, redis_client, schema: SchemaInfo, now: datetime, watermark: datetime | None, late_s: float
) -> tuple[datetime | None, dict]:
    """Re-aggregate the hours from (watermark − late) (the last KEEP_DAYS when None)."""
    if not schema.has("satellite_performance_logs"):
        return watermark, {"hours": 0}
    dialect = lp.dialect.name
    start = (
        day_start(now - timedelta(days=KEEP_DAYS))
        if watermark is None
        else min(watermark, now) - timedelta(seconds=late_s)
    )
    start = start.replace(minute=0, second=0, microsecond=0)
    sums = ", ".join(f"COALESCE(SUM({col}), 0) AS {m}_sum, COUNT({col}) AS {m}_n" for m, col in METRICS.items())
    job_col = ", current_job_id" if schema.has("satellite_performance_logs", "current_job_id") else ""
    with lp.connect() as conn:
        hourly = frame(
            conn,
            (
                f"SELECT {hour_sql(dialect, 'timestamp')} AS hour, satellite_id, COUNT(*) AS samples, "
                f"COALESCE(SUM(pages_crawled), 0) AS pages, COALESCE(SUM(links_extracted), 0) AS links, "
                f"COALESCE(SUM(errors_logged), 0) AS errors, {sums}, MAX(timestamp) AS newest "
                f"FROM satellite_performance_logs WHERE timestamp >= :start GROUP BY 1, 2"
            ),
            {"start": start},
        )
        site_from = max(start, now - timedelta(days=SITE_BACKFILL_DAYS)).replace(minute=0, second=0, microsecond=0)
        logs = frame(
            conn,
            (
                f"SELECT satellite_id, timestamp, avg_response_time_ms AS response, pages_crawled AS pages, "
                f"errors_logged AS errors{job_col} FROM satellite_performance_logs WHERE timestamp >= :start"
            ),
            {"start": site_from},
        )
    extra = {}
    if job_col and not logs.empty:
        extra = {
            str(j): str(s) for s, j in zip(logs["satellite_id"], logs["current_job_id"]) if isinstance(j, str) and j
        }
    record_satellite_jobs(lp, mc, redis_client, schema, now, extra)
    sites = _site_hours(mc, logs, now)
    newest = [v for v in (ts(x) for x in hourly.get("newest", [])) if v is not None]
    new_mark = min(max(newest), now) if newest else (watermark or now)
    with mc.begin() as conn:
        execute(
            conn,
            "DELETE FROM mc_rollup_satellite_hourly WHERE hour >= :h OR hour < :old",
            {"h": hour_key(start), "old": hour_key(now - timedelta(days=KEEP_DAYS))},
        )
        insert_rows(conn, t.satellite_hourly, _records(hourly.drop(columns=["newest"], errors="ignore")))
        execute(
            conn,
            "DELETE FROM mc_rollup_site_hourly WHERE hour >= :h OR hour < :old",
            {"h": hour_key(site_from), "old": hour_key(now - timedelta(days=KEEP_DAYS))},
        )
        insert_rows(conn, t.site_hourly, sites)
    return new_mark, {"hours": len(hourly), "site_hours": len(sites)}


def _site_hours(mc: Engine, logs: pd.DataFrame, now: datetime) -> list[dict]:
    """Attribute each log row to its job's site and sum per (hour, site)."""
    if logs.empty:
        return []
    logs = logs.copy()
    logs["timestamp"] = pd.to_datetime(logs["timestamp"].map(ts))
    jobs = frame(
        mc,
        "SELECT job_id, satellite_id, site, started_at, completed_at FROM mc_rollup_satellite_jobs "
        "WHERE site IS NOT NULL AND (completed_at IS NULL OR completed_at >= :since)",
        {"since": logs["timestamp"].min().to_pydatetime()},
        columns=["job_id", "satellite_id", "site", "started_at", "completed_at"],
    )
    logs["site"] = None
    if "current_job_id" in logs and not jobs.empty:
        by_job = dict(zip(jobs["job_id"].astype(str), jobs["site"]))
        logs["site"] = [by_job.get(str(j)) if isinstance(j, str) else None for j in logs["current_job_id"]]
    missing = logs["site"].isna()
    if missing.any() and not jobs.empty:
        jobs = jobs.copy()
        jobs["started_at"] = pd.to_datetime(jobs["started_at"].map(ts))
        jobs["completed_at"] = pd.to_datetime(jobs["completed_at"].map(ts))
        jobs = jobs.dropna(subset=["started_at"]).sort_values("started_at")
        left = logs[missing].reset_index().sort_values("timestamp")
        if not jobs.empty and not left.empty:
            matched = pd.merge_asof(
                left,
                jobs[["satellite_id", "site", "started_at", "completed_at"]].rename(columns={"site": "job_site"}),
                left_on="timestamp",
                right_on="started_at",
                by="satellite_id",
                direction="backward",
            )
            ok = matched["job_site"].notna() & (
                matched["completed_at"].isna() | (matched["timestamp"] <= matched["completed_at"])
            )
            logs.loc[matched.loc[ok, "index"], "site"] = matched.loc[ok, "job_site"].to_numpy()
    logs = logs[logs["site"].notna()]
    if logs.empty:
        return []
    logs["hour"] = logs["timestamp"].dt.strftime("%Y-%m-%d %H")
    logs["response"] = pd.to_numeric(logs["response"], errors="coerce")
    grouped = (
        logs.groupby(["hour", "site"])
        .agg(
            samples=("satellite_id", "size"),
            response_sum=("response", "sum"),
            response_n=("response", "count"),
            pages=("pages", lambda s: int(pd.to_numeric(s, errors="coerce").fillna(0).sum())),
            errors=("errors", lambda s: int(pd.to_numeric(s, errors="coerce").fillna(0).sum())),
            satellites=("satellite_id", "nunique"),
        )
        .reset_index()
    )
    return _records(grouped)

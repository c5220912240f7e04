"""The snapshot document: Link Profiler's real-time payload plus our extras under "mc".

`build_document` is pure: this tick's inputs (read by `producer.fast_step`, the heavy sections
kept in `producer.state`) in, the document dict out; no I/O, no state. The fast step then lets
the alert engine add its sections and publishes the result.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from data import fleet, jobs
from data.frames import iso
from producer.contract import Shaper
from producer.series import value_at

MINUTE_S = 60


def epoch_of(dt: datetime) -> float:
    """Epoch seconds of a naive UTC datetime (never the machine's local zone)."""
    return calendar.timegm(dt.timetuple()) + dt.microsecond / 1e6


@dataclass(frozen=True)
class TickInputs:
    """Everything one document is built from.

    `jobs`: the jobs section read this tick (counts, active, touched, day, errors, timeline; empty
    when the table is missing); `redis`: the Redis section (fleet_frame, problems, queues,
    queue_problems, queue_trend, links_per_minute, assignments); either may be the last good
    value when its source is down. `heavy`: the heavy analytics sections and `heavy_built_at`.
    `sources`: each source's health as a dict. `queue_threshold`: the queue-overflow alert's
    threshold, drawn on the gauge.
    """

    now: datetime
    jobs: dict[str, Any]
    redis: dict[str, Any]
    quota_statuses: list[dict]
    heavy: dict[str, Any]
    heavy_built_at: float | None
    schema_variant: str | None
    missing_tables: tuple[str, ...]
    sources: dict[str, dict]
    heartbeat_timeout_s: int
    refresh_rate_ms: int
    simulated: bool
    queue_threshold: float


def build_document(inputs: TickInputs) -> dict:
    """The snapshot document of `inputs` (without `alerts`' content, `producer` and `build_ms`,
    which the fast step adds)."""
    now = inputs.now
    now_epoch = epoch_of(now)
    job_part, redis_part, heavy = inputs.jobs, inputs.redis, inputs.heavy
    fleet_frame = redis_part.get("fleet_frame", pd.DataFrame(columns=fleet.FLEET_COLUMNS))
    summary = fleet.utilisation(fleet_frame)
    qd = redis_part.get("queues", {})
    active = job_part.get("active", pd.DataFrame(columns=jobs.ACTIVE_COLUMNS))
    day = job_part.get("day", {})
    trend = redis_part.get("queue_trend", [])
    shape = Shaper()
    counts = job_part.get("counts", {})
    backlinks, backlinks_mc = shape.backlinks(heavy.get("backlinks") or {})
    domains, domains_mc = shape.domains(heavy.get("domains") or {})
    performance, performance_mc = shape.performance(heavy.get("performance") or {})
    status = {
        "active_jobs_count": int(counts.get(jobs.ACTIVE, 0)),
        "queued_jobs_count": int(sum(counts.get(s, 0) for s in jobs.WAITING)),
        "completed_jobs_24h_count": int(day.get("completed", 0)),
        "failed_jobs_24h_count": int(day.get("failed", 0)),
        "total_pages_crawled_24h": int(day.get("pages_crawled", 0)),
        "queue_depth": shape.whole("crawler_mission_status.queue_depth", qd.get("job_queue")),
        "active_satellites_count": int(summary["alive"]),
        "total_satellites_count": int(summary["total"]),
        # An empty fleet is 0.0 % utilised (measured: nothing is busy), not unknown.
        "satellite_utilization_percentage": float(summary["utilisation_pct"]),
        "avg_job_completion_time_seconds": shape.number(
            "crawler_mission_status.avg_job_completion_time_seconds", _round(day.get("avg_completion_seconds"))
        ),
        "recent_job_errors": [e for e in records(job_part.get("errors", pd.DataFrame())) if e.get("timestamp")],
    }
    return {
        "timestamp": iso(now),
        "crawler_mission_status": status,
        "backlink_discovery_metrics": backlinks,
        "api_quota_statuses": inputs.quota_statuses,
        "domain_intelligence_metrics": domains,
        "performance_optimization_metrics": performance,
        "alerts": [],
        "satellite_fleet_status": _fleet_status(fleet_frame, job_part, redis_part.get("assignments", {}), heavy),
        "mc": {
            "built_at": now_epoch,
            "heavy_built_at": inputs.heavy_built_at,
            "schema_variant": inputs.schema_variant,
            "missing_tables": list(inputs.missing_tables),
            "sources": inputs.sources,
            "problems": redis_part.get("problems", []) + redis_part.get("queue_problems", []),
            "jobs_by_status": job_part.get("counts", {}),
            "active_jobs": _board(active, fleet_frame),
            "timeline": records(job_part.get("timeline", pd.DataFrame())),
            "fleet": records(fleet_frame),
            "fleet_summary": summary,
            "queues": {k: v for k, v in qd.items() if k != "problems"},
            "queue_trend": trend,
            "links_per_minute": redis_part.get("links_per_minute", []),
            "discovery_by_target": heavy.get("radar", []),
            # The contract's lists of names, with their figures (Link Profiler lists strings only).
            **backlinks_mc,
            **domains_mc,
            **performance_mc,
            # Contract floats sent as 0 only because nothing was measured ("section.key").
            "unmeasured": shape.unmeasured,
            "bottlenecks": heavy.get("bottlenecks", []),
            # The drain forecast's measured rates (capacity.cycle), for the capacity page.
            "capacity": heavy.get("capacity"),
            "heartbeat_timeout_s": inputs.heartbeat_timeout_s,
            "refresh_rate_ms": inputs.refresh_rate_ms,
            "simulated": inputs.simulated,
            # The gauge's red line: the queue-overflow alert's threshold (ALERT_QUEUE_OVERFLOW_THRESHOLD).
            "queue_threshold": _whole(inputs.queue_threshold),
            # The gauge's delta reference: the trend point closest in time to a minute before
            # this document (whatever the refresh rate), None without a trend.
            "queue_depth_minute_ago": value_at(trend, now_epoch - MINUTE_S),
        },
    }


def records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-ready dicts: timestamps as ISO text, NaN as None."""
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, (pd.Timestamp, datetime)):
                clean[k] = iso(v)
            elif (
                (isinstance(v, float) and v != v)
                or v is pd.NaT
                or (not isinstance(v, (list, dict, str)) and pd.isna(v))
            ):
                clean[k] = None
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out


def _board(active: pd.DataFrame, fleet_frame: pd.DataFrame) -> list[dict]:
    running_on = {
        str(j): str(s)
        for s, j in zip(fleet_frame.get("satellite_id", []), fleet_frame.get("current_job_id", []))
        if isinstance(j, str)
    }
    rows = records(active)
    for row in rows:
        row["satellite_id"] = running_on.get(str(row["id"]))
    return rows


def _fleet_status(frame: pd.DataFrame, job_part: dict, assignments: dict[str, str], heavy: dict) -> list[dict]:
    """The contract's `satellite_fleet_status` list."""
    touched = job_part.get("touched", pd.DataFrame(columns=jobs.FINISHED_COLUMNS))
    active = job_part.get("active", pd.DataFrame(columns=jobs.ACTIVE_COLUMNS))
    done = touched[touched["status"] == "completed"] if not touched.empty else touched
    per_sat: dict[str, list[float]] = {}
    for jid, s, c in zip(done.get("id", []), done.get("started_date", []), done.get("completed_date", [])):
        sat = assignments.get(str(jid))
        if sat:
            per_sat.setdefault(sat, [])
            d = jobs.duration_seconds(s, c)
            if d is not None:
                per_sat[sat].append(d)
    errors = heavy.get("errors_24h", {})
    job_info = {str(r["id"]): r for r in active.to_dict("records")} if not active.empty else {}
    out = []
    for r in records(frame):
        sat = r["satellite_id"]
        job = job_info.get(str(r["current_job_id"])) if r["current_job_id"] else None
        durations = per_sat.get(sat, [])
        out.append(
            {
                "satellite_id": sat,
                "status": "unresponsive"
                if r["status"] == "unresponsive"
                else ("active" if r["current_job_id"] else "idle"),
                "last_heartbeat": _last_heartbeat(r),
                "jobs_completed_24h": len(per_sat.get(sat, [])),
                "errors_24h": int(errors.get(sat, 0)),
                "avg_job_duration_seconds": _round(sum(durations) / len(durations)) if durations else None,
                "current_job_id": r["current_job_id"],
                "current_job_type": (job or {}).get("job_type") or r.get("current_job_type"),
                "current_job_progress": _round((job or {}).get("progress_percentage"))
                if job
                else r.get("current_job_progress"),
            }
        )
    return out


def _last_heartbeat(row: dict) -> str:
    """The heartbeat's time, else (expired from Redis) the newest performance-log time: Link
    Profiler's `last_heartbeat` is a required datetime."""
    if row.get("last_heartbeat") is not None:
        return str(iso(datetime.fromtimestamp(row["last_heartbeat"], UTC).replace(tzinfo=None)))
    return str(iso(row.get("last_logged")) or iso(datetime(1970, 1, 1)))


def _whole(value: float) -> float | int:
    """1000.0 -> 1000 (a whole threshold reads as a whole number in the document and the figure)."""
    return int(value) if float(value).is_integer() else value


def _round(value, digits: int = 1):
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else round(f, digits)

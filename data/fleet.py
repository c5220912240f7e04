"""The satellite fleet: Redis heartbeats + `crawler_details:*` + the latest performance log.

There is no satellites table in Link Profiler. A satellite exists if it heartbeated or logged
performance in the last 24 h. Status, from the contract:
- unresponsive: last heartbeat older than the timeout (or none at all, only logs);
- paused: alive and its details say "paused";
- active: alive with a current job; idle: alive without one.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pandas as pd
import redis
from sqlalchemy.engine import Engine

from common.timestamps import to_datetime
from config import RedisKeys
from data.frames import query_frame
from data.schema import SchemaInfo

log = logging.getLogger(__name__)

FLEET_COLUMNS = [
    "satellite_id",
    "status",
    "alive",
    "last_heartbeat",
    "heartbeat_age_s",
    "current_job_id",
    "cpu_usage",
    "memory_usage",
    "jobs_processed",
    "code_version",
    "uptime_seconds",
    "details_ok",
    "crawl_speed",
    "success_rate",
    "avg_response_time_ms",
    "current_job_type",
    "current_job_progress",
    "last_logged",
]
DAY_S = 24 * 3600


def read_heartbeats(
    client: redis.Redis, keys: RedisKeys, now_epoch: float
) -> tuple[dict[str, float], dict[str, dict | None], list[str]]:
    """({id: last heartbeat epoch} for the last 24 h, {id: details or None}, problems)."""
    problems: list[str] = []
    kind = str(client.type(keys.heartbeats))  # the client decodes: already a str
    if kind not in ("zset", "none"):
        return {}, {}, [f"{keys.heartbeats} holds a {kind}, not a sorted set"]
    scored: list[tuple[str, float]] = client.zrangebyscore(  # type: ignore[assignment]  # withscores: (member, score) pairs
        keys.heartbeats, now_epoch - DAY_S, "+inf", withscores=True
    )
    beats = dict(scored)
    ids = sorted(beats)
    details: dict[str, dict | None] = {}
    if ids:
        raws = client.mget([f"{keys.details_prefix}{i}" for i in ids])
        for sat, raw in zip(ids, raws):
            details[sat] = _parse_details(sat, raw, problems)
    return beats, details, problems


def _parse_details(sat: str, raw, problems: list[str]) -> dict | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError("not an object")
        return value
    except ValueError:
        problems.append(f"crawler_details:{sat} is not valid JSON")
        return None


def latest_performance(engine: Engine, schema: SchemaInfo, now: datetime) -> pd.DataFrame:
    """The newest performance-log row of each satellite that logged in the last 24 h."""
    if not schema.has("satellite_performance_logs"):
        return pd.DataFrame(columns=["satellite_id"])
    extra = ", p.current_job_id, p.current_job_type, p.current_job_progress" if schema.variant == "O" else ""
    return query_frame(
        engine,
        "SELECT p.satellite_id, p.timestamp, p.crawl_speed_pages_per_minute, p.success_rate_percentage, "
        "p.avg_response_time_ms, p.cpu_utilization_percent, p.memory_utilization_percent" + extra + " "
        "FROM satellite_performance_logs p JOIN (SELECT satellite_id, MAX(timestamp) AS ts "
        "FROM satellite_performance_logs WHERE timestamp >= :since GROUP BY satellite_id) l "
        "ON p.satellite_id = l.satellite_id AND p.timestamp = l.ts",
        {"since": now - timedelta(hours=24)},
    ).drop_duplicates("satellite_id", keep="last")


def fleet_status(
    beats: dict[str, float],
    details: dict[str, dict | None],
    perf: pd.DataFrame,
    now_epoch: float,
    timeout_s: float,
) -> pd.DataFrame:
    """One row per satellite seen in 24 h (FLEET_COLUMNS), sorted by id. Pure function."""
    perf_by_id = {r["satellite_id"]: r for r in perf.to_dict("records")} if not perf.empty else {}
    rows = []
    for sat in sorted(set(beats) | set(perf_by_id)):
        beat = beats.get(sat)
        age = None if beat is None else max(0.0, now_epoch - beat)
        alive = age is not None and age <= timeout_s
        info = details.get(sat) or {}
        p = perf_by_id.get(sat, {})
        job = info.get("current_job_id") or None
        if not alive:
            status = "unresponsive"
        elif str(info.get("status", "")).lower() == "paused":
            status = "paused"
        elif job:
            status = "active"
        else:
            status = "idle"
        rows.append(
            {
                "satellite_id": str(sat),
                "status": status,
                "alive": alive,
                "last_heartbeat": beat,
                "heartbeat_age_s": age,
                "current_job_id": str(job) if job and alive else None,
                "cpu_usage": _num(info.get("cpu_usage"), p.get("cpu_utilization_percent")),
                "memory_usage": _num(info.get("memory_usage"), p.get("memory_utilization_percent")),
                "jobs_processed": _num(info.get("jobs_processed")),
                "code_version": info.get("code_version"),
                "uptime_seconds": _num(info.get("uptime_seconds")),
                "details_ok": sat in details and details[sat] is not None,
                "crawl_speed": _num(p.get("crawl_speed_pages_per_minute")),
                "success_rate": _num(p.get("success_rate_percentage")),
                "avg_response_time_ms": _num(p.get("avg_response_time_ms")),
                "current_job_type": p.get("current_job_type"),
                "current_job_progress": _num(p.get("current_job_progress")),
                # The newest performance-log time: the last sign of life of a satellite whose
                # heartbeat has expired from Redis.
                "last_logged": to_datetime(p.get("timestamp")),
            }
        )
    return pd.DataFrame(rows, columns=FLEET_COLUMNS)


def _num(*values):
    for v in values:
        if v is None:
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if f == f:  # not NaN
            return f
    return None


def utilisation(fleet: pd.DataFrame) -> dict:
    """Counts by status and utilisation = busy / total × 100 (busy = alive with a current job)."""
    total = len(fleet)
    counts = fleet["status"].value_counts().to_dict() if total else {}
    busy = int(((fleet["alive"]) & fleet["current_job_id"].notna()).sum()) if total else 0
    alive = int(fleet["alive"].sum()) if total else 0
    return {
        "total": total,
        "alive": alive,
        "busy": busy,
        "active": int(counts.get("active", 0)),
        "idle": int(counts.get("idle", 0)),
        "paused": int(counts.get("paused", 0)),
        "unresponsive": int(counts.get("unresponsive", 0)),
        "utilisation_pct": round(busy / total * 100, 1) if total else 0.0,
    }


def read_fleet(
    client: redis.Redis,
    keys: RedisKeys,
    engine: Engine | None,
    schema: SchemaInfo,
    now: datetime,
    now_epoch: float,
    timeout_s: float,
) -> tuple[pd.DataFrame, list[str]]:
    """The fleet table and any problems found; works without a database (Redis only)."""
    beats, details, problems = read_heartbeats(client, keys, now_epoch)
    perf = latest_performance(engine, schema, now) if engine is not None else pd.DataFrame()
    return fleet_status(beats, details, perf, now_epoch, timeout_s), problems

"""Crawler performance from `satellite_performance_logs` (both variants) for the snapshot."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from data.frames import as_list, query_frame
from data.schema import SchemaInfo

# Used to name bottlenecks where the log has no bottlenecks_detected column (variant O).
THRESHOLDS = {"cpu": 90.0, "memory": 90.0, "success_rate": 80.0, "response_ms": 2000.0}


def performance_summary(engine: Engine, schema: SchemaInfo, now: datetime, hours: int = 1, top: int = 3) -> dict:
    """Averages over the last `hours`, named bottlenecks, and best / worst satellites by speed."""
    if not schema.has("satellite_performance_logs"):
        return {}
    extra = ", bottlenecks_detected" if schema.has("satellite_performance_logs", "bottlenecks_detected") else ""
    frame = query_frame(
        engine,
        "SELECT satellite_id, crawl_speed_pages_per_minute AS speed, success_rate_percentage AS success, "
        "avg_response_time_ms AS response, cpu_utilization_percent AS cpu, memory_utilization_percent AS memory"
        + extra
        + " FROM satellite_performance_logs WHERE timestamp >= :since",
        {"since": now - timedelta(hours=hours)},
    )
    if frame.empty:
        return {
            "avg_crawl_speed_pages_per_minute": None,
            "avg_success_rate_percentage": None,
            "avg_response_time_ms": None,
            "bottlenecks_detected": [],
            "top_performing_satellites": [],
            "worst_performing_satellites": [],
        }
    for col in ("speed", "success", "response", "cpu", "memory"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    per_sat = (
        frame.groupby("satellite_id")
        .agg(
            speed=("speed", "mean"),
            success=("success", "mean"),
            response=("response", "mean"),
            cpu=("cpu", "mean"),
            memory=("memory", "mean"),
        )
        .reset_index()
        .sort_values(["speed", "satellite_id"], ascending=[False, True])
    )

    def ranked(rows: pd.DataFrame) -> list[dict]:
        return [
            {
                "satellite_id": str(r.satellite_id),
                "crawl_speed_pages_per_minute": _r(r.speed),
                "success_rate_percentage": _r(r.success),
                "avg_response_time_ms": _r(r.response),
            }
            for r in rows.itertuples(index=False)
        ]

    return {
        "avg_crawl_speed_pages_per_minute": _r(frame["speed"].mean()),
        "avg_success_rate_percentage": _r(frame["success"].mean()),
        "avg_response_time_ms": _r(frame["response"].mean()),
        "bottlenecks_detected": bottlenecks(frame, per_sat),
        "top_performing_satellites": ranked(per_sat.head(top)),
        # With fewer than 2 × top satellites the two lists overlap; both are still true.
        "worst_performing_satellites": ranked(per_sat.iloc[::-1].head(top)),
    }


def bottlenecks(frame: pd.DataFrame, per_sat: pd.DataFrame) -> list[str]:
    """Named bottlenecks: what the satellites reported (M), else thresholds on their averages."""
    found: dict[str, None] = {}
    if "bottlenecks_detected" in frame:
        for cell in frame["bottlenecks_detected"]:
            for name in as_list(cell):
                found[name] = None
    for r in per_sat.itertuples(index=False):
        if r.cpu is not None and r.cpu > THRESHOLDS["cpu"]:
            found[f"high CPU on {r.satellite_id} ({r.cpu:.0f}%)"] = None
        if r.memory is not None and r.memory > THRESHOLDS["memory"]:
            found[f"high memory on {r.satellite_id} ({r.memory:.0f}%)"] = None
        if r.success is not None and r.success < THRESHOLDS["success_rate"]:
            found[f"low success rate on {r.satellite_id} ({r.success:.0f}%)"] = None
        if r.response is not None and r.response > THRESHOLDS["response_ms"]:
            found[f"slow responses on {r.satellite_id} ({r.response:.0f} ms)"] = None
    return list(found)[:20]


def satellite_history_24h(engine: Engine, schema: SchemaInfo, now: datetime) -> pd.DataFrame:
    """Per satellite over 24 h: errors logged (sum) — feeds `satellite_fleet_status.errors_24h`."""
    if not schema.has("satellite_performance_logs"):
        return pd.DataFrame(columns=["satellite_id", "errors_24h"])
    return query_frame(
        engine,
        "SELECT satellite_id, SUM(errors_logged) AS errors_24h FROM satellite_performance_logs "
        "WHERE timestamp >= :since GROUP BY satellite_id",
        {"since": now - timedelta(hours=24)},
        columns=["satellite_id", "errors_24h"],
    )


def _r(value, digits: int = 1):
    return None if value is None or pd.isna(value) else round(float(value), digits)

"""Recent job transitions read from `crawl_jobs` (bounded by a time window and a row limit).

Link Profiler records no transition log, so a status change is recognised by the timestamp
that goes with the new status: `completed_date` for completed / failed / cancelled / stopped,
`started_date` for in_progress, `created_at` for pending / queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from data.frames import as_list, iso, parse_json, query_frame
from data.schema import SchemaInfo

ROW_LIMIT = 500
FINISHED = ("completed", "failed", "cancelled", "stopped")
WAITING = ("pending", "queued", "paused")


def recent_jobs(
    engine: Engine, schema: SchemaInfo, now: datetime, window_s: float, waiting_too: bool = False
) -> list[dict]:
    """Jobs that finished (or, with `waiting_too`, were created) in the last `window_s` seconds.

    Each row: id, job_type, target_url, status, changed_at (ISO), completed_date (ISO), errors
    (list), anomalies (list; variant M only), progress_percentage, urls_crawled.
    """
    if not schema.has("crawl_jobs"):
        return []
    since = now - timedelta(seconds=window_s)
    anomalies = ", anomalies_detected" if schema.has("crawl_jobs", "anomalies_detected") else ""
    cols = (
        "id, job_type, target_url, status, completed_date, created_at, errors, progress_percentage, urls_crawled"
        + anomalies
    )
    frame = query_frame(
        engine,
        f"SELECT {cols} FROM crawl_jobs WHERE completed_date >= :since ORDER BY completed_date DESC LIMIT :lim",
        {"since": since, "lim": ROW_LIMIT},
    )
    rows = [_row(r, "completed_date") for r in frame.to_dict("records")]
    if waiting_too:
        frame = query_frame(
            engine,
            f"SELECT {cols} FROM crawl_jobs WHERE created_at >= :since AND status IN ('pending', 'queued', 'paused') "
            "ORDER BY created_at DESC LIMIT :lim",
            {"since": since, "lim": ROW_LIMIT},
        )
        rows += [_row(r, "created_at") for r in frame.to_dict("records")]
    return rows


def _row(r: dict, changed_column: str) -> dict:
    errors = parse_json(r.get("errors"))
    progress = r.get("progress_percentage")
    return {
        "id": str(r["id"]),
        "job_type": r.get("job_type"),
        "target_url": r.get("target_url"),
        "status": r.get("status"),
        "changed_at": iso(r.get(changed_column)),
        "completed_date": iso(r.get("completed_date")),
        "errors": errors if isinstance(errors, list) else [],
        "anomalies": as_list(r.get("anomalies_detected")),
        "progress_percentage": None if progress is None or progress != progress else float(progress),
        "urls_crawled": _int(r.get("urls_crawled")),
    }


def _int(value) -> int | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else int(f)

"""Write Link Profiler rows and Redis keys the way Link Profiler does, for tests.

Each helper takes the `Services` of a bootstrapped database and fills the variant's columns
(M: discovered_date / last_seen_date, O: first_seen / last_seen, ...) so the same test data
works on both schema variants.
"""

from __future__ import annotations

import calendar
import json
import uuid
from datetime import datetime

from data.lp_tables import build_metadata


def epoch(dt: datetime) -> float:
    return calendar.timegm(dt.timetuple()) + dt.microsecond / 1e6


def _table(services, name):
    return build_metadata(services.schema.variant or "M").tables[name]


def insert(services, table: str, rows: list[dict]) -> None:
    with services.engine.begin() as conn:
        conn.execute(_table(services, table).insert(), rows)


def job(
    status: str,
    *,
    created=None,
    started=None,
    completed=None,
    progress=None,
    urls=0,
    links=0,
    job_type="backlink_discovery",
    target="https://target.example/page",
    errors=None,
    priority=5,
    job_id=None,
) -> dict:
    return {
        "id": job_id or str(uuid.uuid4()),
        "target_url": target,
        "job_type": job_type,
        "status": status,
        "created_at": created or started,
        "started_date": started,
        "completed_date": completed,
        "progress_percentage": progress,
        "urls_crawled": urls,
        "links_found": links,
        "errors": errors,
        "priority": priority,
    }


def domain(services, name: str, authority: float, **extra) -> dict:
    row = {
        "name": name,
        "authority_score": authority,
        "trust_score": extra.pop("trust", 50.0),
        "spam_score": extra.pop("spam", 5.0),
        "is_registered": extra.pop("is_registered", True),
        **extra,
    }
    if services.schema.variant == "O":
        row["id"] = str(uuid.uuid4())
        row["spam_score"] = str(row["spam_score"])
    return row


def backlink(
    services,
    source_domain: str,
    target_domain: str,
    first_seen: datetime,
    *,
    authority=None,
    spam="none",
    active=True,
    link_type="dofollow",
    anchor="anchor",
    n: int = 0,
) -> dict:
    row = {
        "id": str(uuid.uuid4()),
        "source_url": f"https://{source_domain}/p{n}-{uuid.uuid4().hex[:6]}",
        "target_url": f"https://{target_domain}/",
        "source_domain_name": source_domain,
        "target_domain_name": target_domain,
        "anchor_text": anchor,
        "link_type": link_type,
        "spam_level": spam,
        "is_active": active,
        "http_status": 200,
        "crawl_timestamp": first_seen,
    }
    if services.schema.variant == "O":
        row.update(first_seen=first_seen, last_seen=first_seen, source_domain_authority=authority)
    else:
        row.update(discovered_date=first_seen, last_seen_date=first_seen)
    return row


def perf_log(services, satellite: str, at: datetime, **metrics) -> dict:
    row = {
        "satellite_id": satellite,
        "timestamp": at,
        "pages_crawled": metrics.get("pages", 10),
        "links_extracted": metrics.get("links", 5),
        "errors_logged": metrics.get("errors", 0),
        "crawl_speed_pages_per_minute": metrics.get("speed", 10.0),
        "success_rate_percentage": metrics.get("success", 99.0),
        "avg_response_time_ms": metrics.get("response", 300.0),
        "cpu_utilization_percent": metrics.get("cpu", 40.0),
        "memory_utilization_percent": metrics.get("memory", 50.0),
        "network_io_mbps": 1.0,
    }
    if services.schema.variant == "O":
        row["id"] = str(uuid.uuid4())
    return row


def heartbeat(
    services,
    satellite: str,
    at: datetime,
    *,
    job_id=None,
    status="running",
    cpu=20.0,
    memory=30.0,
    details: bool = True,
) -> None:
    keys = services.settings.redis_keys
    services.redis.zadd(keys.heartbeats, {satellite: epoch(at)})
    if details:
        services.redis.set(
            f"{keys.details_prefix}{satellite}",
            json.dumps(
                {
                    "id": satellite,
                    "last_seen": at.isoformat(),
                    "status": status,
                    "jobs_processed": 3,
                    "current_job_id": job_id,
                    "cpu_usage": cpu,
                    "memory_usage": memory,
                    "code_version": "1.4.2",
                    "uptime_seconds": 3600,
                }
            ),
            ex=15,
        )

"""Row builders: one dict per Link Profiler row, with exactly the columns of schema variant M or O.

Each builder takes the caller's `random.Random`, the variant and the values that matter to
the caller, and draws the rest from distributions shaped like a real crawl: domain authority
from a beta distribution (most sites weak, a long tail of strong ones), spam mostly "none",
links mostly dofollow. Every row a builder returns has the same keys, so a list of them can
go to one executemany.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from simulator import names

LINK_TYPE_WEIGHTS = (
    ("dofollow", 66),
    ("nofollow", 20),
    ("ugc", 5),
    ("sponsored", 4),
    ("redirect", 2),
    ("canonical", 1),
    ("external", 1),
    ("internal", 0.5),
    ("broken", 0.5),
)
SPAM_WEIGHTS = (("none", 78), ("low", 16), ("medium", 4.5), ("high", 1.5))
SPAMMY_WEIGHTS = (("none", 2), ("low", 8), ("medium", 40), ("high", 50))
POSITIONS_O = ("content", "content", "content", "sidebar", "footer", "header", "comments")


def weighted(rng: random.Random, table) -> str:
    """Pick a value from ((value, weight), ...)."""
    values, weights = zip(*table)
    return rng.choices(values, weights)[0]


def authority(rng: random.Random, spammy: bool = False) -> float:
    """A 0-100 domain authority: beta(1.3, 4.5) gives median ~20 and a thin tail above 70."""
    if spammy:
        return round(rng.uniform(0, 12), 1)
    return round(100 * rng.betavariate(1.3, 4.5), 1)


def iso(ts: datetime) -> str:
    return ts.isoformat()


def domain_row(
    rng: random.Random,
    variant: str,
    name: str,
    now: datetime,
    *,
    authority_score: float,
    spammy: bool = False,
    expired: bool | None = None,
) -> dict:
    """A `domains` row. `expired` None = draw (about 12 % expired: unregistered or past expiry)."""
    if expired is None:
        expired = rng.random() < 0.12
    registered = now - timedelta(days=rng.randrange(90, 7000))
    if expired:
        # Both ways Link Profiler marks an available domain: the flag, or an expiry in the past.
        lapsed = rng.random() < 0.5
        expiration = now - timedelta(days=rng.randrange(1, 400))
        is_registered = not lapsed
    else:
        expiration = now + timedelta(days=rng.randrange(20, 1500))
        is_registered = True
    trust = round(max(0.0, min(100.0, authority_score * rng.uniform(0.6, 1.1))), 1)
    spam = round(rng.uniform(55, 95) if spammy else 100 * rng.betavariate(1.2, 9), 1)
    ip = f"{rng.randrange(11, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    registrar = rng.choice(names.REGISTRARS)
    whois = {
        "registrar": registrar,
        "creation_date": iso(registered),
        "expiration_date": iso(expiration),
        "status": "active" if is_registered else "available",
    }
    row = {
        "name": name,
        "authority_score": authority_score,
        "trust_score": trust,
        "spam_score": spam if variant == "M" else str(spam),
        "registered_date": registered,
        "expiration_date": expiration,
        "registrar": registrar,
        "is_registered": is_registered,
        "is_parked": expired and rng.random() < 0.4,
        "is_dead": expired and rng.random() < 0.2,
        "whois_raw": whois if variant == "M" else json.dumps(whois),
        "dns_records": {"A": [ip], "MX": [f"mx.{name}"] if rng.random() < 0.7 else []},
        "ip_address": ip,
        "country": rng.choice(names.COUNTRIES),
        "seo_metrics": {
            "organic_traffic": int(authority_score**2 * rng.uniform(5, 50)),
            "referring_domains": int(authority_score * rng.uniform(2, 40)),
            "category": names.niche_of(name),
        },
        "last_checked": now - timedelta(hours=rng.randrange(0, 24 * 14)),
    }
    if variant == "O":
        row["id"] = names.new_uuid(rng)
    return row


def backlink_row(
    rng: random.Random,
    variant: str,
    *,
    source_domain: str,
    source_authority: float,
    target_domain: str,
    seen_at: datetime,
    last_seen: datetime | None = None,
    spammy: bool = False,
    hostile: bool = False,
    active: bool = True,
) -> dict:
    """A `backlinks` row discovered at `seen_at` (last seen at `last_seen`, default the same)."""
    link_type = "dofollow" if spammy and rng.random() < 0.7 else weighted(rng, LINK_TYPE_WEIGHTS)
    spam_level = weighted(rng, SPAMMY_WEIGHTS if spammy else SPAM_WEIGHTS)
    anchor_text = names.anchor(rng, spammy=spammy, hostile=hostile)
    rel = [link_type] if link_type in ("nofollow", "ugc", "sponsored") else []
    passes = link_type in ("dofollow", "redirect", "canonical")
    is_image = rng.random() < 0.08
    last_seen = last_seen or seen_at
    row = {
        "id": names.new_uuid(rng),
        "source_url": names.source_url(rng, source_domain, hostile=hostile and rng.random() < 0.5),
        "target_url": names.target_url(rng, target_domain),
        "source_domain_name": source_domain,
        "target_domain_name": target_domain,
        "anchor_text": anchor_text,
        "link_type": link_type,
        "rel_attributes": rel,
        "context_text": names.context(rng, anchor_text),
        "alt_text": anchor_text if is_image else None,
        "position_on_page": rng.randrange(1, 60) if variant == "M" else rng.choice(POSITIONS_O),
        "is_image_link": is_image,
        "is_active": active,
        "authority_passed": round(source_authority * rng.uniform(0.05, 0.6), 2) if passes else 0.0,
        "spam_level": spam_level,
        "http_status": 200 if active else rng.choice((404, 410, 500)),
        "crawl_timestamp": last_seen,
        "source_domain_metrics": {
            "authority_score": source_authority,
            "spam_level": spam_level,
            "outbound_links": rng.randrange(5, 400),
        },
    }
    if variant == "M":
        row["discovered_date"] = seen_at
        row["last_seen_date"] = last_seen
    else:
        row.update(
            first_seen=seen_at,
            last_seen=last_seen,
            nofollow=link_type == "nofollow",
            ugc=link_type == "ugc",
            sponsored=link_type == "sponsored",
            source_page_authority=round(source_authority * rng.uniform(0.3, 0.9), 1),
            source_domain_authority=source_authority,
        )
    return row


def job_row(
    variant: str,
    *,
    job_id: str,
    job_type: str,
    target_url: str,
    status: str,
    priority: int,
    created_at: datetime,
    started: datetime | None = None,
    completed: datetime | None = None,
    progress: float = 0.0,
    urls_crawled: int = 0,
    links_found: int = 0,
    errors: list | None = None,
    scheduled_at: datetime | None = None,
    cron: str | None = None,
    last_fetched: datetime | None = None,
    config: dict | None = None,
    results: dict | None = None,
    anomalies: list | None = None,
) -> dict:
    """A `crawl_jobs` row; `config`, `results` and `anomalies` only exist in variant M."""
    row = {
        "id": job_id,
        "target_url": target_url,
        "job_type": job_type,
        "status": status,
        "created_at": created_at,
        "started_date": started,
        "completed_date": completed,
        "progress_percentage": progress,
        "urls_crawled": urls_crawled,
        "links_found": links_found,
        "errors": errors,
        "priority": priority,
        "scheduled_at": scheduled_at,
        "cron_schedule": cron,
        "last_fetched_at": last_fetched,
    }
    if variant == "M":
        row.update(config=config or {}, results=results, anomalies_detected=anomalies or [])
    return row


def perf_row(
    rng: random.Random,
    variant: str,
    *,
    satellite_id: str,
    ts: datetime,
    pages: int,
    links: int,
    errors: int,
    minutes: float,
    latency_ms: float,
    cpu: float,
    memory: float,
    job_id: str | None,
    job_type: str | None,
    job_progress: float | None,
) -> dict:
    """A `satellite_performance_logs` row summarising the satellite's last `minutes`."""
    minutes = max(minutes, 1e-6)
    success = 100.0 if pages == 0 else round(100.0 * max(0, pages - errors) / pages, 2)
    response = round(latency_ms * rng.uniform(0.8, 1.25), 1)
    row = {
        "satellite_id": satellite_id,
        "timestamp": ts,
        "pages_crawled": pages,
        "links_extracted": links,
        "errors_logged": errors,
        "crawl_speed_pages_per_minute": round(pages / minutes, 2),
        "success_rate_percentage": success,
        "avg_response_time_ms": response,
        "cpu_utilization_percent": round(cpu, 1),
        "memory_utilization_percent": round(memory, 1),
        "network_io_mbps": round(pages / minutes * rng.uniform(0.02, 0.06), 3),
    }
    if variant == "M":
        bottlenecks = []
        if cpu > 85:
            bottlenecks.append("high_cpu")
        if memory > 85:
            bottlenecks.append("high_memory")
        if response > 1200:
            bottlenecks.append("slow_responses")
        if pages and errors / pages > 0.1:
            bottlenecks.append("high_error_rate")
        row["bottlenecks_detected"] = bottlenecks
    else:
        row.update(
            id=names.new_uuid(rng), current_job_id=job_id, current_job_type=job_type, current_job_progress=job_progress
        )
    return row

"""A small hand-computable Link Profiler world (jobs, fleet, queues, links) and its expected figures."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from tests import lp_rows as lp

NOW = datetime(2026, 11, 28, 12, 0, 0)
S = timedelta(seconds=1)

JOB_A = "job-a-in-progress"
JOB_B = "job-b-just-started"

EXPECTED = {
    "counts": {"in_progress": 2, "completed": 3, "failed": 1, "queued": 1, "pending": 1},
    "completed_24h": 2,
    "failed_24h": 1,
    "pages_24h": 100 + 50 + 7 + 10 + 0,
    "avg_completion": 900.0,
    "eta_a": 300.0,
    "fleet": {
        "sat-1": "active",
        "sat-2": "idle",
        "sat-3": "unresponsive",
        "sat-4": "paused",
        "sat-5": "unresponsive",
        "sat-6": "idle",
    },
    "alive": 4,
    "busy": 1,
    "total": 6,
    "utilisation": 16.7,
    "backlinks_total": 6,
    "backlinks_new_24h": 4,
    "spam_24h": 1,
    "referring_domains": 3,
}
HOSTILE = "<script>alert('x')</script>"


def load(services, queue_type: str = "list") -> None:
    """Write the dataset into `services` (database rows + Redis keys) relative to NOW."""
    lp.insert(
        services,
        "crawl_jobs",
        [
            lp.job("in_progress", started=NOW - 100 * S, progress=25.0, urls=10, links=40, job_id=JOB_A, priority=9),
            lp.job("in_progress", started=NOW - 50 * S, progress=0.0, urls=0, links=0, job_id=JOB_B),
            lp.job(
                "completed",
                started=NOW - timedelta(hours=2),
                completed=NOW - timedelta(hours=2) + 600 * S,
                urls=100,
                progress=100.0,
            ),
            lp.job(
                "completed",
                started=NOW - timedelta(hours=3),
                completed=NOW - timedelta(hours=3) + 1200 * S,
                urls=50,
                progress=100.0,
            ),
            lp.job(
                "completed",
                started=NOW - timedelta(hours=30),
                completed=NOW - timedelta(hours=30) + 999 * S,
                urls=1000,
                progress=100.0,
            ),
            lp.job(
                "failed",
                started=NOW - timedelta(minutes=20),
                completed=NOW - timedelta(minutes=10),
                urls=7,
                progress=40.0,
                errors=[
                    {
                        "type": "timeout",
                        "message": HOSTILE,
                        "url": "javascript:alert(1)",
                        "timestamp": (NOW - timedelta(minutes=10)).isoformat(),
                    }
                ],
            ),
            lp.job("queued", created=NOW - 30 * S),
            lp.job("pending", created=NOW - 20 * S),
        ],
    )
    lp.insert(
        services,
        "domains",
        [
            lp.domain(services, "alpha.example", 80.0),
            lp.domain(services, "beta.example", 20.0),
            lp.domain(services, "gamma.example", 50.0),
            lp.domain(services, "target.example", 60.0),
        ],
    )
    day = timedelta(days=1)
    lp.insert(
        services,
        "backlinks",
        [
            lp.backlink(services, "alpha.example", "target.example", NOW - timedelta(hours=1), authority=80.0, n=1),
            lp.backlink(services, "alpha.example", "target.example", NOW - timedelta(hours=2), authority=80.0, n=2),
            lp.backlink(
                services, "beta.example", "target.example", NOW - timedelta(hours=3), authority=20.0, spam="high", n=3
            ),
            lp.backlink(services, "gamma.example", "target.example", NOW - timedelta(hours=4), authority=50.0, n=4),
            lp.backlink(services, "beta.example", "target.example", NOW - 3 * day, authority=20.0, spam="medium", n=5),
            lp.backlink(
                services, "gamma.example", "target.example", NOW - 5 * day, authority=50.0, anchor=HOSTILE, n=6
            ),
        ],
    )
    lp.insert(
        services,
        "satellite_performance_logs",
        [
            lp.perf_log(services, "sat-1", NOW - 60 * S, speed=20.0, errors=2),
            lp.perf_log(services, "sat-2", NOW - 60 * S, speed=10.0, errors=0),
            lp.perf_log(services, "sat-5", NOW - timedelta(hours=1), speed=5.0, errors=7),
        ],
    )
    lp.heartbeat(services, "sat-1", NOW - 3 * S, job_id=JOB_A)
    lp.heartbeat(services, "sat-2", NOW - 10 * S)
    lp.heartbeat(services, "sat-3", NOW - 40 * S, details=False)
    lp.heartbeat(services, "sat-4", NOW - 2 * S, status="paused")
    lp.heartbeat(services, "sat-6", NOW - 1 * S, details=False)
    keys = services.settings.redis_keys
    services.redis.set(f"{keys.details_prefix}sat-6", "{not json", ex=15)
    fill_queues(services, queue_type)


def fill_queues(services, queue_type: str) -> None:
    r, keys = services.redis, services.settings.redis_keys
    jobs = [json.dumps({"job_id": f"q{i}", "priority": i}) for i in range(3)]
    if queue_type == "list":
        r.lpush(keys.job_queue, *jobs)
    else:
        r.zadd(keys.job_queue, {j: i for i, j in enumerate(jobs)})
    r.rpush(keys.dead_letter, "{}", "{}")
    r.rpush(keys.results, "{}")
    r.zadd(keys.scheduled, {"s1": lp.epoch(NOW) - 5, "s2": lp.epoch(NOW) + 600, "s3": lp.epoch(NOW) + 1200})
    r.set(keys.dispatch_paused, "1")

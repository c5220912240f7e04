"""The simulated coordinator: creates crawl jobs, queues or schedules them, and the job queue itself.

Link Profiler's coordinator inserts a `crawl_jobs` row and pushes the job as JSON onto the
queue key: LPUSH onto a list in some deployments, a sorted set scored by priority in others
(its satellites BZPOPMAX it). `JobQueue` speaks both, so the dashboard's queue readers can be
tested against either.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import datetime, timedelta

import redis

from data.lp_tables import JOB_TYPES
from simulator import names, rows

log = logging.getLogger(__name__)

QUEUE_TYPES = ("list", "zset")

# How often each job type is requested; backlink discovery dominates, as in Link Profiler use.
JOB_TYPE_WEIGHTS = dict(zip(JOB_TYPES, (30, 12, 10, 10, 6, 8, 7, 5, 4, 5, 3)))

CRON_SCHEDULES = ("0 * * * *", "*/30 * * * *", "0 3 * * *", "0 6 * * 1")


def epoch(ts: datetime) -> float:
    """Naive UTC datetime -> epoch seconds."""
    return (ts - datetime(1970, 1, 1)).total_seconds()


class JobQueue:
    """The job queue key as a list (LPUSH / RPOP) or a sorted set (ZADD score=priority / ZPOPMAX)."""

    def __init__(self, client: redis.Redis, key: str, queue_type: str = "list"):
        if queue_type not in QUEUE_TYPES:
            raise ValueError(f"queue_type must be one of {QUEUE_TYPES}, not {queue_type!r}")
        existing = client.type(key)
        found = {"list": "list", "zset": "zset"}.get(existing)
        if found and found != queue_type:
            # Never WRONGTYPE a key a deployment already holds: use the type it has.
            log.warning("%s already holds a %s; queueing onto it as a %s", key, existing, existing)
            queue_type = found
        self.client, self.key, self.type = client, key, queue_type

    def push(self, pipe, payloads: list[dict]) -> None:
        """Queue `payloads` (job dicts with "priority") on the pipeline `pipe`."""
        if not payloads:
            return
        if self.type == "list":
            pipe.lpush(self.key, *(json.dumps(p) for p in payloads))
        else:
            pipe.zadd(self.key, {json.dumps(p): int(p.get("priority") or 0) for p in payloads})

    def pop(self, n: int) -> list[dict]:
        """Take up to `n` jobs: oldest first from a list, highest priority first from a sorted set."""
        if n <= 0:
            return []
        if self.type == "list":
            raw = self.client.rpop(self.key, n) or []
        else:
            raw = [member for member, _score in self.client.zpopmax(self.key, n)]
        out = []
        for item in raw:
            try:
                out.append(json.loads(item))
            except ValueError:
                log.warning("skipping a queue entry that is not JSON")
        return out

    def depth(self) -> int:
        return self.client.llen(self.key) if self.type == "list" else self.client.zcard(self.key)

    def job_ids(self) -> set[str]:
        """Ids of every queued job (used once at start-up to re-sync with the database)."""
        raw = self.client.lrange(self.key, 0, -1) if self.type == "list" else self.client.zrange(self.key, 0, -1)
        ids = set()
        for item in raw:
            try:
                ids.add(json.loads(item).get("id"))
            except (ValueError, AttributeError):
                continue
        return ids


class Coordinator:
    """Decides which jobs exist: new requests, scheduled ones, floods. Pure row/payload builder."""

    def __init__(self, rng: random.Random, variant: str):
        self.rng = rng
        self.variant = variant

    def new_job(
        self, now: datetime, *, job_type: str | None = None, scheduled: bool = False, created_at: datetime | None = None
    ) -> tuple[dict, dict]:
        """One new job: (crawl_jobs row, queue payload). Scheduled jobs are 'pending' until due."""
        rng = self.rng
        job_type = job_type or rows.weighted(rng, tuple(JOB_TYPE_WEIGHTS.items()))
        target = rng.choice(names.TARGET_DOMAINS + names.COMPETITOR_DOMAINS[:2])
        url = names.target_url(rng, target)
        priority = rng.choice((1, 3, 5, 5, 5, 5, 7, 8, 10))
        due = now + timedelta(seconds=rng.randrange(120, 1800)) if scheduled else None
        config = {
            "max_depth": rng.choice((1, 2, 3, 5)),
            "max_pages": rng.choice((100, 500, 1000)),
            "respect_robots_txt": True,
            "render_javascript": rng.random() < 0.3,
        }
        job_id = names.new_uuid(rng)
        row = rows.job_row(
            self.variant,
            job_id=job_id,
            job_type=job_type,
            target_url=url,
            status="pending" if scheduled else "queued",
            priority=priority,
            created_at=created_at or now,
            scheduled_at=due,
            cron=rng.choice(CRON_SCHEDULES) if scheduled and rng.random() < 0.5 else None,
            config=config,
        )
        return row, self.payload(row)

    @staticmethod
    def payload(row: dict) -> dict:
        """The queue JSON for a job row."""
        return {
            "id": row["id"],
            "target_url": row["target_url"],
            "job_type": row["job_type"],
            "priority": row["priority"],
            "status": "queued",
            "created_at": row["created_at"].isoformat() if row["created_at"] else None,
            "scheduled_at": row["scheduled_at"].isoformat() if row.get("scheduled_at") else None,
            "config": row.get("config") or {},
        }

    def arrivals(self, dt: float, satellites: int) -> int:
        """How many jobs are requested in `dt` seconds: keeps a full fleet about 85 % busy."""
        rate = satellites * 0.85 / 125.0
        expected = rate * dt
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

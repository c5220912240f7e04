"""Simulated satellites: crawler processes that heartbeat, take one job at a time and run it.

A `Satellite` holds what a real one keeps in memory (its current job, counters since its last
performance log, uptime). It does not touch storage itself: `advance` returns what happened
during a tick and the world turns that into rows and Redis writes, so a tick stays a handful
of batched statements however many satellites there are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from simulator import names

HEARTBEAT_EVERY_S = 5
DETAILS_TTL_S = 15
PERF_LOG_EVERY_S = 60
CODE_VERSION = "2.3.1"
OLD_CODE_VERSION = "2.2.7"  # one straggler, as real fleets have
MAX_ERRORS_KEPT = 10


@dataclass
class RunningJob:
    """A job while a satellite runs it; its plan (duration, size, failure point) is drawn at start."""

    id: str
    job_type: str
    target_url: str
    priority: int
    started_at: datetime
    duration_s: float
    pages_total: int
    links_per_page: float
    fail_at: float | None  # progress fraction at which it fails; None = it completes
    elapsed_s: float = 0.0
    urls_crawled: int = 0
    links_found: int = 0
    errors: list = field(default_factory=list)

    @property
    def progress(self) -> float:
        return min(1.0, self.elapsed_s / self.duration_s)


@dataclass
class Tick:
    """What one satellite did during one tick: new pages/links/errors and whether its job ended."""

    new_urls: int = 0
    new_links: int = 0
    new_errors: int = 0
    finished: str | None = None  # "completed" / "failed"


@dataclass
class Satellite:
    id: str
    speed: float  # pages per second relative to the fleet's average
    fail_rate: float  # chance a job it runs ends in failure
    page_error_rate: float
    latency_ms: float
    base_cpu: float
    base_memory: float
    code_version: str = CODE_VERSION
    started_at: datetime | None = None
    alive: bool = True
    paused: bool = False
    job: RunningJob | None = None
    jobs_processed: int = 0
    last_heartbeat: datetime | None = None
    last_log: datetime | None = None
    # counters since the last performance log
    window_pages: int = 0
    window_links: int = 0
    window_errors: int = 0
    cpu: float = 10.0
    memory: float = 30.0

    @classmethod
    def create(cls, rng: random.Random, index: int) -> Satellite:
        """Satellite number `index` with its own personality (one slow, one flaky, one hot)."""
        return cls(
            id=names.satellite_id(index),
            speed=rng.uniform(0.8, 1.25) * (0.55 if index == 2 else 1.0),
            fail_rate=0.28 if index == 3 else rng.uniform(0.05, 0.09),
            page_error_rate=0.12 if index == 3 else rng.uniform(0.005, 0.03),
            latency_ms=rng.uniform(220, 480) * (3.2 if index == 2 else 1.0),
            base_cpu=rng.uniform(45, 60) + (28 if index == 1 else 0),
            base_memory=rng.uniform(28, 45),
            code_version=OLD_CODE_VERSION if index == 4 else CODE_VERSION,
        )

    @property
    def busy(self) -> bool:
        return self.job is not None

    def start_job(self, rng: random.Random, payload: dict, now: datetime) -> RunningJob:
        """Take the queued job `payload` (as popped from the queue) and plan its run."""
        # 1-3 minutes of simulated time, slower satellites take longer.
        duration = (
            rng.uniform(60, 180) / max(self.speed, 0.2) * (0.8 if payload["job_type"] == "report_generation" else 1)
        )
        self.job = RunningJob(
            id=payload["id"],
            job_type=payload["job_type"],
            target_url=payload["target_url"],
            priority=int(payload.get("priority") or 0),
            started_at=now,
            duration_s=min(duration, 400),
            pages_total=rng.randrange(40, 600),
            links_per_page=rng.uniform(2, 9),
            fail_at=rng.uniform(0.1, 0.9) if rng.random() < self.fail_rate else None,
        )
        return self.job

    def advance(self, rng: random.Random, dt: float, now: datetime) -> Tick:
        """Run the current job for `dt` simulated seconds; a dead or paused satellite does nothing."""
        tick = Tick()
        self._sample_load(rng)
        job = self.job
        if job is None or not self.alive or self.paused or dt <= 0:
            return tick
        job.elapsed_s += dt
        progress = job.progress
        if job.fail_at is not None and progress >= job.fail_at:
            progress = job.fail_at
            tick.finished = "failed"
        elif progress >= 1.0:
            tick.finished = "completed"
        urls = int(job.pages_total * progress)
        tick.new_urls = max(0, urls - job.urls_crawled)
        tick.new_links = round(tick.new_urls * job.links_per_page * rng.uniform(0.7, 1.3))
        tick.new_errors = sum(1 for _ in range(tick.new_urls) if rng.random() < self.page_error_rate)
        job.urls_crawled = urls
        job.links_found += tick.new_links
        for _ in range(tick.new_errors):
            if len(job.errors) < MAX_ERRORS_KEPT:
                job.errors.append(
                    names.job_error(rng, f"{job.target_url}page-{rng.randrange(1, 999)}", now.isoformat())
                )
        if tick.finished == "failed":
            job.errors.append(names.job_error(rng, job.target_url, now.isoformat()))
        self.window_pages += tick.new_urls
        self.window_links += tick.new_links
        self.window_errors += tick.new_errors
        return tick

    def finish_job(self) -> RunningJob:
        job, self.job = self.job, None
        self.jobs_processed += 1
        return job

    def _sample_load(self, rng: random.Random) -> None:
        busy = self.busy and not self.paused
        self.cpu = min(99.0, max(1.0, (self.base_cpu if busy else 7.0) + rng.gauss(0, 7)))
        self.memory = min(97.0, max(5.0, self.base_memory + (18 if busy else 0) + rng.gauss(0, 3)))

    # -- what it publishes ----------------------------------------------------------------
    def heartbeat_due(self, now: datetime) -> bool:
        return self.alive and (
            self.last_heartbeat is None or (now - self.last_heartbeat).total_seconds() >= HEARTBEAT_EVERY_S
        )

    def details(self, now: datetime) -> dict:
        """The `crawler_details:{id}` document."""
        return {
            "id": self.id,
            "last_seen": now.isoformat(),
            "status": "paused" if self.paused else "running",
            "jobs_processed": self.jobs_processed,
            "current_job_id": self.job.id if self.job else None,
            "cpu_usage": round(self.cpu, 1),
            "memory_usage": round(self.memory, 1),
            "code_version": self.code_version,
            "uptime_seconds": int((now - self.started_at).total_seconds()) if self.started_at else 0,
        }

    def log_due(self, now: datetime) -> bool:
        if not self.alive:
            return False
        if self.last_log is None:
            self.last_log = now  # history up to now was written by the seed
            return False
        return (now - self.last_log).total_seconds() >= PERF_LOG_EVERY_S

    def take_window(self, now: datetime) -> tuple[int, int, int, float]:
        """(pages, links, errors, minutes) since the last log; resets the window."""
        minutes = (now - self.last_log).total_seconds() / 60 if self.last_log else 1.0
        out = (self.window_pages, self.window_links, self.window_errors, minutes)
        self.window_pages = self.window_links = self.window_errors = 0
        self.last_log = now
        return out

    def restart(self, now: datetime) -> None:
        """A revived process: heartbeats again at once; it keeps the job it was running."""
        self.alive = True
        self.paused = False
        self.started_at = now
        self.last_heartbeat = None
        self.last_log = now


def uptime_start(rng: random.Random, now: datetime) -> datetime:
    """When a satellite seen for the first time was started (hours to days ago)."""
    return now - timedelta(seconds=rng.randrange(3600, 3 * 86400))

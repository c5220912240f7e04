"""The producer loop: the one producer of a deployment.

Every worker runs a `ProducerLoop`, but only the holder of the Redis lease builds: every
DASHBOARD_REFRESH_RATE ms it builds the fast snapshot and publishes it; every
MISSION_CONTROL_CACHE_TTL s a second thread refreshes the heavy analytics, so a slow
backlink scan never delays the live figures. Standbys retry the lease every STANDBY_POLL_S and
take over when the producer dies: within `takeover_bound_s` (README "Several instances").
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime

from typing import TYPE_CHECKING

from common import metrics
from common.priority import lower_this_thread
from data.connections import limit_parallel_query
from common.timestamps import utcnow
from producer.fast_step import FastStep
from producer.heavy_step import run_heavy_step
from producer.lease import Lease
from producer.state import ProducerState

if TYPE_CHECKING:
    from runtime.context import AppContext

log = logging.getLogger(__name__)

# The lease outlives a few missed ticks (a slow tick must not hand the lease over) but lapses
# quickly when the holder dies: LEASE_TICKS intervals, at least LEASE_MIN_MS.
LEASE_MIN_MS = 3000
LEASE_TICKS = 3
# A standby asks for the lease this often (one SET NX), whatever the refresh interval.
STANDBY_POLL_S = 0.25


def lease_ms_for(refresh_rate_ms: int) -> int:
    """The producer lease for a refresh interval of `refresh_rate_ms`."""
    return max(LEASE_MIN_MS, LEASE_TICKS * refresh_rate_ms)


def takeover_bound_s(refresh_rate_ms: int, first_build_s: float = 1.0) -> float:
    """Longest time from a producer's death to its successor's first publish: the lease left
    (at most the whole lease: the holder renewed it just before dying), a standby's poll, and
    the successor's first build (`first_build_s`, its budget). 4.25 s at the default 1 s."""
    return lease_ms_for(refresh_rate_ms) / 1000 + STANDBY_POLL_S + first_build_s


class ProducerLoop:
    """Background producer; `tick()` is one iteration (tests call it directly)."""

    def __init__(self, ctx: AppContext, lease_ms: int | None = None):
        self.ctx = ctx
        interval = ctx.settings.refresh_rate_ms / 1000
        self.lease = Lease(ctx.services.redis, lease_ms=lease_ms or lease_ms_for(ctx.settings.refresh_rate_ms))
        self.state = ProducerState()
        self.fast = FastStep(ctx, self.state)
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{self.lease.token[:6]}"
        self.interval = interval
        self.leader = False
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._heavy_due = 0.0
        self._heavy_lock = threading.Lock()
        self._last_publish: float | None = None

    # -- one iteration ---------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> int | None:
        """Build and publish once if we hold the lease; returns the version or None."""
        was_leader = self.leader
        try:
            self.leader = self.lease.hold()
        except Exception as exc:
            self.ctx.services.mark("redis", False, exc)
            self.leader = False
            return None
        finally:
            metrics.PRODUCER_LEADER.set(1 if self.leader else 0)
        if self.leader != was_leader:
            if self.leader:  # another producer kept the series meanwhile: continue from Redis
                self.state.forget_series()
                self._last_publish = None
            log.info("producer %s is now %s", self.identity, "the leader" if self.leader else "a standby")
        if not self.leader:
            return None
        now = now or utcnow()
        if self.state.heavy_built_at is None and not self._threads:
            # Driven by hand (tests, one-shot use): build the analytics inline. When running,
            # the analytics thread does it, so a slow first scan never delays the live figures.
            self.refresh_heavy(now)
        started = time.perf_counter()
        doc = self.fast.run(now)
        doc["mc"]["producer"] = self.identity
        for hook in self.ctx.tick_hooks:
            try:
                hook(doc, now)
            except Exception:
                log.exception("tick hook %r failed", hook)
        try:
            version = self.ctx.snapshots.publish(doc)
        except Exception as exc:
            self.ctx.services.mark("redis", False, exc)
            return None
        self._published(time.perf_counter() - started)
        if self.ctx.archive is not None:  # one document a minute, for replays (archive/)
            self.ctx.archive.record_minute(doc, version, now)
        return version

    def _published(self, took: float) -> None:
        # The refresh rate achieved: the interval between this producer's own publishes
        # (a standby's first publish after taking over starts a new series).
        metrics.PRODUCER_TICK.labels("fast").observe(took)
        metrics.SNAPSHOTS_PUBLISHED.inc()
        at = time.monotonic()
        if self._last_publish is not None:
            metrics.SNAPSHOT_INTERVAL.observe(at - self._last_publish)
        self._last_publish = at

    def refresh_heavy(self, now: datetime | None = None) -> float:
        """Rebuild the heavy analytics now; returns the seconds it took."""
        started = time.monotonic()
        with self._heavy_lock:
            run_heavy_step(self.ctx, self.state, now or utcnow())
            if self.ctx.archive is not None:  # rows past the retention: to the archive, then pruned
                self.ctx.archive.run_pass(now or utcnow())
        took = time.monotonic() - started
        metrics.PRODUCER_TICK.labels("heavy").observe(took)
        log.info("analytics refreshed in %.2f s", took)
        return took

    # -- threads ---------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        svc = self.ctx.services
        # Viewers first on a small machine: the refresh's aggregates run on one core (by default).
        for engine in {id(e): e for e in (svc.engine, svc.read_engine, svc.mc_engine)}.values():
            limit_parallel_query(engine, self.ctx.settings.analytics_parallel_workers)
        log.info(
            "producer %s running: lease %d ms, standby poll %.2f s", self.identity, self.lease.lease_ms, STANDBY_POLL_S
        )
        for target, name in ((self._run_fast, "mc-producer"), (self._run_heavy, "mc-analytics")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=10)
        self._threads.clear()
        if self.leader:
            metrics.PRODUCER_LEADER.set(0)
            try:
                self.lease.release()
            except Exception:  # Redis gone at shutdown: the lease simply lapses
                log.debug("lease release failed", exc_info=True)

    def _run_fast(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except Exception:
                log.exception("producer tick failed")
            # A standby only asks for the lease: it does so often, so takeover waits on the lease alone.
            every = self.interval if self.leader else min(self.interval, STANDBY_POLL_S)
            self._stop.wait(max(0.05, every - (time.monotonic() - started)))

    def _run_heavy(self) -> None:
        ttl = self.ctx.settings.cache_ttl_s
        # Viewers first: under CPU contention the analytics wait, not the web workers.
        lower_this_thread(self.ctx.settings.analytics_nice)
        while not self._stop.wait(0.2):
            # After the first fast document: the bottleneck finder reads its fleet.
            if self.leader and self.state.last_tick is not None and time.monotonic() >= self._heavy_due:
                self._heavy_due = time.monotonic() + ttl
                try:
                    self.refresh_heavy()
                except Exception:
                    log.exception("analytics refresh failed")

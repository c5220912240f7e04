"""The Prometheus metrics every process writes (web workers, the producer, alert delivery,
the quota manager), defined once at the bottom layer so each writer may import them.

Multiprocess mode: when PROMETHEUS_MULTIPROC_DIR is set *before prometheus_client is first
imported* (gunicorn.conf.py sets it in the master; workers and the producer process inherit
it), every value below is written to a memory-mapped file per process in that directory and
/metrics (api/metrics.py) adds them up across processes. Without it (the embedded demo, tests)
they live in the default registry of this one process.

What is computed when /metrics is read (snapshot version, fleet counts, queue depths, source
health, quota efficiency) is not defined here: api/metrics.py derives it at scrape time, so a
restarted process never leaves a stale value behind.
"""

from __future__ import annotations

import os
import time

from prometheus_client import Counter, Gauge, Histogram

from common.metrics_dir import MULTIPROCESS_ENV
from common.release_once import ReleaseOnce

# Seconds, from a fast local page (a quarter second) to one that took a minute.
LOAD_BUCKETS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0)
# The producer ticks every DASHBOARD_REFRESH_RATE (1 s by default); analytics take longer.
TICK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
INTERVAL_BUCKETS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)

STREAM_KINDS = ("websocket", "sse_documents", "sse_notices")

# livesum: the connections held by processes alive now (a killed worker's are gone with it).
STREAM_CONNECTIONS = Gauge(
    "mc_stream_connections",
    "Push connections open now, by kind (websocket, sse_documents, sse_notices)",
    ["kind"],
    multiprocess_mode="livesum",
)
DASHBOARD_LOAD = Histogram(
    "mc_dashboard_load_seconds",
    "Navigation start to the page filled with data, as reported by browsers (one beacon per page load)",
    buckets=LOAD_BUCKETS,
)
SNAPSHOTS_PUBLISHED = Counter("mc_snapshots_published", "Snapshots the producer published")
SNAPSHOT_INTERVAL = Histogram(
    "mc_snapshot_interval_seconds",
    "Time between two snapshots published by the same producer (the refresh rate achieved)",
    buckets=INTERVAL_BUCKETS,
)
PRODUCER_TICK = Histogram(
    "mc_producer_tick_seconds",
    "Producer work per tick: fast (build + publish the snapshot) or heavy (the analytics)",
    ["step"],
    buckets=TICK_BUCKETS,
)
# livemax: 1 while a live process holds the producer lease (the producer process under gunicorn).
PRODUCER_LEADER = Gauge(
    "mc_producer_leader", "1 while a producer of this deployment holds the lease", multiprocess_mode="livemax"
)
SNAPSHOT_AGE = Histogram(
    "mc_snapshot_age_seconds",
    "Age of the snapshot when a page or the snapshot API read it (now minus its build time)",
    buckets=INTERVAL_BUCKETS,
)
ALERT_DELIVERY = Histogram(
    "mc_alert_delivery_latency_seconds",
    "Notice created (the tick that fired the alert) to delivered, by channel",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
QUOTA_UNITS = Counter("mc_quota_units_spent", "Quota units granted (spent) per provider", ["provider"])
QUOTA_ANSWERS = Counter(
    "mc_quota_answers",
    "Answers obtained per provider: source=provider (a successful call) or cache (a cache hit)",
    ["provider", "source"],
)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENV, "").strip())


class OpenStream(ReleaseOnce):
    """Counts one push connection in STREAM_CONNECTIONS until `release()` (idempotent), so it
    can be one of a stream's holds (api/streams.py releases them whatever ends the stream)."""

    def __init__(self, kind: str):
        gauge = STREAM_CONNECTIONS.labels(kind)
        gauge.inc()
        super().__init__(gauge.dec)


def observe_snapshot_age(doc: dict | None) -> None:
    """Record how old `doc` is now (its producer's `mc.built_at`, epoch seconds)."""
    built = ((doc or {}).get("mc") or {}).get("built_at")
    if isinstance(built, (int, float)) and not isinstance(built, bool):
        SNAPSHOT_AGE.observe(max(0.0, time.time() - built))

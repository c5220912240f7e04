"""/metrics (Prometheus text, prometheus-client's exposition) and the browsers' load-time beacon.

What /metrics holds:
- what the processes wrote (common/metrics.py): in multiprocess mode (PROMETHEUS_MULTIPROC_DIR
  set, gunicorn.conf.py) summed over every live worker and the producer process by
  prometheus-client's MultiProcessCollector; otherwise this one process's default registry;
- what is read when scraped, so that no process keeps a stale copy: the snapshot's version,
  build time, fleet counts and queue depth; this process's source health and stream
  capacity; and quota efficiency, derived from the quota counters just collected.

The beacon: assets/load_beacon.js POSTs `{"seconds": navigation start to page filled}` once per
page load to /api/v1/metrics/load-time; the value is checked (a number from 0 to
MAX_LOAD_SECONDS) before it reaches the histogram, so a hostile client can add a sample but
cannot add a label or a series.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from api.http import error, json_body
from common import metrics
from runtime.context import AppContext

LOAD_TIME_PATH = "/api/v1/metrics/load-time"
# A page that took longer than this to fill was not watched filling: such a sample is refused.
MAX_LOAD_SECONDS = 600.0
FLEET_COUNTS = (
    "active_jobs_count",
    "queued_jobs_count",
    "queue_depth",
    "active_satellites_count",
    "total_satellites_count",
)
SATELLITE_STATUSES = ("active", "idle", "unresponsive")


def register_metrics(server: Flask, ctx: AppContext) -> None:
    """Add GET /metrics and POST /api/v1/metrics/load-time (after the streams: it reads their
    gate and notice hub)."""
    gate = server.extensions["mc_stream_gate"]
    hub = server.extensions["mc_notice_hub"]

    @server.get("/metrics")
    def prometheus_metrics():
        families = list(written_families())
        families += scrape_families(ctx, gate, hub, families)
        return Response(exposition(families), mimetype="text/plain; version=0.0.4; charset=utf-8")

    @server.post(LOAD_TIME_PATH)
    def load_time():
        try:
            seconds = load_seconds(json_body())
        except ValueError as exc:
            return error(400, str(exc))
        metrics.DASHBOARD_LOAD.observe(seconds)
        return Response(status=204)


def load_seconds(body: dict) -> float:
    """The beacon's `seconds`, checked; ValueError with a message otherwise."""
    value = body.get("seconds")
    # A bool is an int to Python; NaN fails both comparisons.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_LOAD_SECONDS:
        raise ValueError(f"'seconds' must be a number from 0 to {MAX_LOAD_SECONDS:.0f} (navigation start to filled)")
    return float(value)


def written_families() -> Iterable[Metric]:
    """What the processes wrote: all of them (multiprocess mode) or this one."""
    if metrics.multiprocess():
        return MultiProcessCollector(None).collect()
    return REGISTRY.collect()


def exposition(families: list[Metric]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Fixed(families))
    return generate_latest(registry)


class _Fixed:
    """A collector handing out families already collected (one scrape's)."""

    def __init__(self, families: list[Metric]):
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


def scrape_families(ctx: AppContext, gate, hub, written: list[Metric]) -> list[Metric]:
    out: list[Metric] = []
    out += _snapshot_families(ctx)
    up = GaugeMetricFamily("mc_source_up", "1 when the source answered this process's last use", labels=["source"])
    for name, health in ctx.services.health.items():
        up.add_metric([name], 1 if health.online else 0)
    here = GaugeMetricFamily("mc_stream_clients_here", "Push streams held by this process")
    here.add_metric([], gate.live)
    capacity = GaugeMetricFamily("mc_stream_capacity_here", "Push streams this process may hold")
    capacity.add_metric([], gate.limit)
    subscribed = GaugeMetricFamily("mc_notice_subscribed", "1 while this process listens for new versions")
    subscribed.add_metric([], 1 if hub.subscribed else 0)
    loaded = CounterMetricFamily("mc_notice_documents_loaded", "Snapshot documents this process fetched for streams")
    loaded.add_metric([], hub.documents_loaded)
    out += [up, here, capacity, subscribed, loaded, quota_efficiency(written)]
    return out


def _snapshot_families(ctx: AppContext) -> list[Metric]:
    try:
        version, doc = ctx.snapshots.load()
    except Exception:  # Redis down: /metrics still answers (mc_source_up says why)
        version, doc = 0, None
    doc = doc or {}
    out: list[Metric] = []
    v = GaugeMetricFamily("mc_snapshot_version", "Version of the latest published snapshot (0: none yet)")
    v.add_metric([], version or 0)
    out.append(v)
    built = (doc.get("mc") or {}).get("built_at")
    if _number(built):
        b = GaugeMetricFamily("mc_snapshot_built_timestamp_seconds", "When the latest snapshot was built (epoch s)")
        b.add_metric([], built)
        out.append(b)
    status = doc.get("crawler_mission_status") or {}
    for key in FLEET_COUNTS:
        if _number(status.get(key)):
            g = GaugeMetricFamily(f"mc_{key}", f"crawler_mission_status.{key} of the latest snapshot")
            g.add_metric([], status[key])
            out.append(g)
    fleet = doc.get("satellite_fleet_status")
    if isinstance(fleet, list):
        sats = GaugeMetricFamily("mc_satellites", "Satellites in the latest snapshot, by status", labels=["status"])
        for state in SATELLITE_STATUSES:
            sats.add_metric([state], sum(1 for s in fleet if isinstance(s, dict) and s.get("status") == state))
        out.append(sats)
    return out


def quota_efficiency(written: list[Metric]) -> Metric:
    """Answers obtained per quota unit spent, per provider, since the processes started:
    (successful calls + cache hits) / units spent. 1 means every unit bought one answer; below
    1, failed calls wasted units; above 1, the response cache answered without spending any.
    Providers that spent nothing yet have no value (the ratio is undefined, not zero)."""
    units: dict[str, float] = {}
    answers: dict[str, float] = {}
    for family in written:
        target = {"mc_quota_units_spent": units, "mc_quota_answers": answers}.get(family.name)
        if target is None:
            continue
        for sample in family.samples:
            if sample.name.endswith("_total"):
                provider = sample.labels.get("provider", "")
                target[provider] = target.get(provider, 0.0) + sample.value
    g = GaugeMetricFamily(
        "mc_quota_efficiency",
        "Answers (successful calls + cache hits) per quota unit spent, per provider",
        labels=["provider"],
    )
    for provider in sorted(units):
        if units[provider] > 0:
            g.add_metric([provider], answers.get(provider, 0.0) / units[provider])
    return g


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

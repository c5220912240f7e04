"""/metrics through prometheus-client: it parses with the Prometheus text parser and carries the
seed's metrics with real values after a real Chromium visit (its load-time beacon), an alert
delivered to a real local HTTP server, quota calls and open push streams; the beacon refuses
what is not a load time.

The metrics of one test process live in one registry shared by every app the process builds,
so each check compares with a scrape taken before the test acted."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import requests
import websocket
from prometheus_client.parser import text_string_to_metric_families

from common.timestamps import utcnow
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW
from tests.test_quota_support import ALL_KEYS
from tests.test_alert_support import Receiver, fleet_doc, wait_for

HOOK_PATH = "/hook"
ROOT = Path(__file__).resolve().parent.parent


def scrape(base: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of GET /metrics, through Prometheus's own parser."""
    with urllib.request.urlopen(base + "/metrics", timeout=10) as resp:
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = resp.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def load_samples(samples: dict) -> dict:
    return {k: v for k, v in samples.items() if k[0].startswith("mc_dashboard_load_seconds")}


def post_load_time(base: str, body) -> int:
    req = urllib.request.Request(
        base + "/api/v1/metrics/load-time",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.down()


@pytest.fixture
def metrics_app(pg_url, redis_url, serve, receiver):
    services = build_services(pg_url, redis_url, "M", alert_webhook_url=receiver.url(HOOK_PATH), api_keys=ALL_KEYS)
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, loop):
        yield serve(app), ctx, loop
    services.dispose()


def test_metrics_after_a_browser_visit_an_alert_quota_calls_and_streams(metrics_app, chrome, receiver):
    base, ctx, loop = metrics_app
    before = scrape(base)

    # The producer: a second publish gives an interval (the refresh rate achieved).
    assert loop.tick(now=NOW) is not None

    # A browser visit: the page fills, assets/load_beacon.js reports its load time.
    chrome.get(base + "/")
    assert wait_for(lambda: chrome.execute_script("return window.mcLoadBeacon") == "sent", timeout=60)
    assert wait_for(
        lambda: (
            value(scrape(base), "mc_dashboard_load_seconds_count")
            == value(before, "mc_dashboard_load_seconds_count") + 1
        ),
        timeout=30,
    )

    # An alert: a satellite dies, the app's delivery worker takes the notice to the local webhook.
    ctx.alerts.evaluate(fleet_doc(), utcnow())
    ctx.alerts.evaluate(fleet_doc(dead=("sat-gone",)), utcnow())

    def gone_delivered() -> bool:
        alerts = [e["alert"] for p in receiver.on(HOOK_PATH) for e in p["json"]["events"]]
        return any(a.get("affected_satellites") == ["sat-gone"] for a in alerts)

    assert wait_for(gone_delivered, timeout=30)
    # Counted just after the endpoint answered (and the row was marked delivered).
    latency = ("mc_alert_delivery_latency_seconds_count", {"channel": "webhook"})
    assert wait_for(lambda: value(scrape(base), latency[0], **latency[1]) > value(before, latency[0], **latency[1]))

    # Quota calls: one answered by the provider (one call's units spent), one from the cache.
    mgr = ctx.quotas
    first = mgr.cached_call("technology_stack", {"domain": "metrics.example"}, lambda provider: {"from": provider})
    again = mgr.cached_call("technology_stack", {"domain": "metrics.example"}, lambda provider: {"from": provider})
    provider = first["provider"]
    assert (first["cached"], again["cached"]) == (False, True)

    # Push streams held open: one of each kind.
    sse_docs = requests.get(base + "/api/v1/stream", stream=True, timeout=10)
    sse_notices = requests.get(base + "/api/v1/stream?only=version", stream=True, timeout=10)
    ws = websocket.create_connection(base.replace("http://", "ws://") + "/ws/mission-control", timeout=10)
    try:
        assert json.loads(ws.recv())["type"] == "connection_established"
        assert sse_docs.status_code == sse_notices.status_code == 200
        after = scrape(base)
    finally:
        ws.close()
        sse_docs.close()
        sse_notices.close()

    def grew(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    for kind in ("websocket", "sse_documents", "sse_notices"):
        assert value(after, "mc_stream_connections", kind=kind) >= 1, kind
    assert grew("mc_dashboard_load_seconds_count") == 1
    assert 0 < grew("mc_dashboard_load_seconds_sum") < 60
    assert grew("mc_snapshots_published_total") == 1
    assert grew("mc_snapshot_interval_seconds_count") == 1
    assert grew("mc_producer_tick_seconds_count", step="fast") == 1
    assert value(after, "mc_producer_tick_seconds_count", step="heavy") >= 1
    assert grew("mc_snapshot_age_seconds_count") >= 1  # the page read the snapshot
    assert grew("mc_alert_delivery_latency_seconds_count", channel="webhook") >= 1
    assert 0 < grew("mc_alert_delivery_latency_seconds_sum", channel="webhook") < 60
    cost = mgr.provider(provider).cost_per_call
    assert grew("mc_quota_units_spent_total", provider=provider) == cost
    assert grew("mc_quota_answers_total", provider=provider, source="provider") == 1
    assert grew("mc_quota_answers_total", provider=provider, source="cache") == 1
    assert value(after, "mc_quota_efficiency", provider=provider) > 0
    # Fleet counts and queue depth from the snapshot (tests/dataset.py: 2 jobs, 3 queued, 4 of 6 up).
    assert value(after, "mc_active_jobs_count") == 2
    assert value(after, "mc_queue_depth") == 3
    assert value(after, "mc_active_satellites_count") == 4
    assert value(after, "mc_total_satellites_count") == 6
    assert sum(value(after, "mc_satellites", status=s) for s in ("active", "idle", "unresponsive")) == 6
    assert value(after, "mc_snapshot_version") == ctx.snapshots.version()
    assert value(after, "mc_source_up", source="database") == 1
    assert value(after, "mc_producer_leader") == 1

    # The Grafana dashboard plots only what /metrics serves, and every seed metric is on it.
    board = json.loads((ROOT / "deploy" / "grafana" / "mission-control.json").read_text())
    plotted = {m for p in board["panels"] for t in p["targets"] for m in re.findall(r"\bmc_\w+", t["expr"])}
    served = {name for name, _labels in after}
    assert plotted - served == set()
    families = {re.sub(r"_(bucket|count|sum|total)$", "", name) for name in plotted}
    seed = {
        "mc_stream_connections",
        "mc_dashboard_load_seconds",
        "mc_snapshots_published",
        "mc_alert_delivery_latency_seconds",
        "mc_quota_efficiency",
        "mc_producer_tick_seconds",
        "mc_snapshot_age_seconds",
        "mc_queue_depth",
        "mc_satellites",
    }
    assert seed - families == set()


def test_the_beacon_takes_only_a_load_time(metrics_app):
    base, _ctx, _loop = metrics_app
    before_all = scrape(base)
    before = value(before_all, "mc_dashboard_load_seconds_count")
    hostile = ({}, {"seconds": "1"}, {"seconds": True}, {"seconds": -1}, {"seconds": 601}, {"seconds": None})
    for body in (*hostile, {"seconds": float("nan")}, {"seconds": float("inf")}, [1.0]):
        assert post_load_time(base, body) == 400, body
    assert load_samples(scrape(base)) == load_samples(before_all)
    assert post_load_time(base, {"seconds": 1.25}) == 204
    after = scrape(base)
    assert value(after, "mc_dashboard_load_seconds_count") == before + 1
    # 1.25 s falls in the 1.5 s bucket, not in the 1 s one.
    grew = {
        le: value(after, "mc_dashboard_load_seconds_bucket", le=le)
        - value(before_all, "mc_dashboard_load_seconds_bucket", le=le)
        for le in ("1.0", "1.5")
    }
    assert grew == {"1.0": 0, "1.5": 1}

"""Health, readiness, the snapshot API, its push stream, and start-up with sources down."""

import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from producer.loop import ProducerLoop
from tests import dataset
from tests.conftest import build_services, make_settings, ticked_app
from tests.dataset import NOW


@pytest.fixture
def app_ctx(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M", max_websocket_connections=2, refresh_rate_ms=100)
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, _loop):
        yield app, ctx
    services.dispose()


def test_health_and_readiness(app_ctx):
    app, _ = app_ctx
    client = app.server.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ready"
    metrics = {
        (s.name, tuple(s.labels.items())): s.value
        for family in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))
        for s in family.samples
    }
    assert metrics[("mc_source_up", (("source", "database"),))] == 1
    assert metrics[("mc_active_jobs_count", ())] == 2


def _first_event(resp) -> dict:
    for chunk in resp.response:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        if text.startswith("id:"):
            return json.loads(text.split("data: ", 1)[1])
    raise AssertionError("no event")


def test_stream_sends_the_snapshot_and_refuses_past_the_limit(app_ctx):
    app, _ = app_ctx
    client = app.server.test_client()
    first = client.get("/api/v1/stream", buffered=False)
    second = client.get("/api/v1/stream?only=version", buffered=False)
    assert first.status_code == second.status_code == 200
    event = _first_event(first)
    assert event["crawler_mission_status"]["active_jobs_count"] == 2
    third = client.get("/api/v1/stream", buffered=False)
    assert third.status_code == 503
    assert "all 2 connections (MAX_WEBSOCKET_CONNECTIONS) are in use" in third.get_json()["error"]
    assert third.headers["Retry-After"] == "10"
    first.close()  # a slot frees when a client leaves
    fourth = client.get("/api/v1/stream", buffered=False)
    assert fourth.status_code == 200
    second.close()
    fourth.close()


def test_stream_can_be_disabled(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M", websocket_enabled=False)
    app = create_app(services.settings, services=services, start_background=False)
    resp = app.server.test_client().get("/api/v1/stream")
    assert resp.status_code == 404 and "WEBSOCKET_ENABLED=false" in resp.get_json()["error"]
    plain = app.server.test_client().get("/ws/mission-control")  # not a WebSocket request
    assert plain.status_code == 426 and plain.headers["Upgrade"] == "websocket"
    assert "/api/v1/stream" in plain.get_json()["error"]
    app.server.extensions["mission_control"].stop()
    services.dispose()


def test_starts_and_serves_with_everything_down(tmp_path):
    settings = make_settings(
        database_url="postgresql://nobody@127.0.0.1:1/none", redis_url="redis://127.0.0.1:1/0", simulate="off"
    )
    app = create_app(settings, start_background=False)
    ctx = app.server.extensions["mission_control"]
    assert ProducerLoop(ctx).tick(now=NOW) is None  # no lease without Redis, no crash
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["status"] == "not ready: database and redis do not answer"
    snap = client.get("/api/v1/snapshot")
    assert snap.status_code == 503 and "offline" in snap.get_json()["error"]
    assert client.get("/_dash-layout").status_code == 200
    ctx.stop()


def test_empty_database_gives_zeros_not_errors(pg_url, redis_url):
    from data.services import Services

    services = Services(make_settings(database_url=pg_url, redis_url=redis_url, simulate="off"))
    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    ProducerLoop(ctx).tick(now=NOW)
    _, doc = ctx.snapshots.load()
    assert doc["mc"]["missing_tables"] and doc["crawler_mission_status"]["active_jobs_count"] == 0
    assert doc["mc"]["sources"]["database"]["online"] is True
    # No Link Profiler table was created on a configured (non-embedded) database.
    from sqlalchemy import inspect

    assert [t for t in inspect(services.engine).get_table_names() if not t.startswith("mc_")] == []
    assert app.server.test_client().get("/").status_code == 200
    ctx.stop()
    services.dispose()

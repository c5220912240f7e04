"""A web process with MC_PRODUCER=external only reads (issue 16: viewers isolated from the
producer's work): it starts no producer loop, no analytics refresh, no alert delivery and no
simulator, and a dashboard tick performs no SQL statement and builds no snapshot, counted over
every thread of the process (not only the request's)."""

from __future__ import annotations

import threading

import pytest

from app import create_app
from data.connections import StatementCounter
from pages.mission.ids import MissionIds as Main
from producer import fast_step
from producer.loop import ProducerLoop
from tests import dataset
from data.services import Services
from tests.conftest import build_services, make_settings
from tests.dash_client import call
from tests.dataset import NOW
from tests.test_snapshot import _tick_request

PRODUCER_THREADS = {"mc-producer", "mc-analytics", "mc-alert-delivery", "lp-simulator"}


@pytest.fixture
def web_only(pg_url, redis_url):
    """A producer (another app, as `python -m producer` would be) publishes; then a web-only app
    is built over the same storage with its background work started as in production."""
    services = build_services(pg_url, redis_url, "M")
    dataset.load(services)
    producer_app = create_app(services.settings, services=services, start_background=False)
    ProducerLoop(producer_app.server.extensions["mission_control"]).tick(now=NOW)
    producer_app.server.extensions["mission_control"].stop()  # its alert delivery thread too
    # The simulator is on: it too belongs to the producer process, never to a web process.
    web = Services(make_settings(database_url=pg_url, redis_url=redis_url, simulate="on", producer_mode="external"))
    app = create_app(web.settings, services=web, start_background=True)
    ctx = app.server.extensions["mission_control"]
    yield app, ctx
    ctx.stop()
    web.dispose()
    services.dispose()


def test_a_web_only_process_reads_and_never_produces(web_only, monkeypatch):
    app, ctx = web_only
    builds = []
    monkeypatch.setattr(fast_step.FastStep, "run", lambda self, now: builds.append(now))
    client = app.server.test_client()
    # The first page load reads the schema variant for the config panel, once per process.
    assert client.get("/").status_code == 200
    statements = StatementCounter(ctx.services.engine)  # every thread of this process

    assert ctx.producer is None and not ctx.alerts.worker.running
    assert ctx.simulator is not None  # configured, and yet not started here
    assert not PRODUCER_THREADS & {t.name for t in threading.enumerate()}

    status, _body, first = call(client, app, f"{Main.HELD}.data", *_tick_request({}))
    assert status == 200 and first["response"][Main.KPI_ACTIVE]["children"] == "2"
    held = first["response"][Main.HELD]["data"]
    for _ in range(20):
        assert call(client, app, f"{Main.HELD}.data", *_tick_request(held))[0] == 204
    assert client.get("/api/v1/snapshot").status_code == 200
    assert (statements.count, len(builds)) == (0, 0)
    assert not PRODUCER_THREADS & {t.name for t in threading.enumerate()}
    statements.close()


def test_gunicorn_conf_runs_the_producer_apart_unless_redis_is_embedded(monkeypatch):
    import os
    import runpy
    from pathlib import Path

    conf_path = str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")
    monkeypatch.setenv("MC_PRODUCER", "")  # unset: the file decides (and monkeypatch restores it)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    conf = runpy.run_path(conf_path)
    assert (conf["worker_class"], conf["workers"], conf["preload_app"]) == ("gevent", 3, False)
    assert conf["PRODUCER"] == os.environ["MC_PRODUCER"] == "external"  # inherited by the workers

    monkeypatch.setenv("MC_PRODUCER", "")
    monkeypatch.setenv("REDIS_URL", "memory://")  # the embedded demo: its data lives in one process
    conf = runpy.run_path(conf_path)
    assert (conf["workers"], conf["PRODUCER"], os.environ["MC_PRODUCER"]) == (1, "inline", "inline")

    monkeypatch.setenv("MC_PRODUCER", "inline")  # said explicitly: kept (every worker a standby producer)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert runpy.run_path(conf_path)["PRODUCER"] == "inline"

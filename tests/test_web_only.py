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


def test_gunicorn_conf_runs_the_producer_apart_unless_redis_is_embedded(monkeypatch, tmp_path):
    import os
    import runpy
    from pathlib import Path

    conf_path = str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")
    # The file puts PROMETHEUS_MULTIPROC_DIR in the environment (for the workers it forks): named
    # here, monkeypatch takes it out again, or this process's later /metrics would read an empty
    # multiprocess directory instead of its own counters (tests/test_prometheus_metrics.py).
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prometheus"))
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


def test_a_new_version_is_rendered_on_its_notice_before_any_viewer_asks(pg_url, redis_url):
    """The render cache's warmer wakes on the process's notice of a new version: it renders the
    version and the update from the previous one, so the viewers' requests that follow the notice
    render nothing and diff nothing (counted)."""
    import time

    from tests import lp_rows as lp
    from tests.conftest import ticked_app

    services = build_services(pg_url, redis_url, "M")
    dataset.load(services)
    with ticked_app(services, NOW) as (_producer_app, _pctx, loop):
        web = Services(make_settings(database_url=pg_url, redis_url=redis_url, producer_mode="external"))
        app = create_app(web.settings, services=web, start_background=True)
        ctx = app.server.extensions["mission_control"]
        try:
            client = app.server.test_client()
            status, _body, first = call(client, app, f"{Main.HELD}.data", *_tick_request({}))
            assert status == 200 and first["response"][Main.KPI_ACTIVE]["children"] == "2"
            held = first["response"][Main.HELD]["data"]
            cache = ctx.render_caches["mission"]
            # The warmer is running and subscribed before the new version is published.
            deadline = time.monotonic() + 30
            while ctx.notices is None or ctx.notices.latest() is None:
                assert time.monotonic() < deadline, "the notice hub never read a version"
                time.sleep(0.05)
            rendered, diffed = cache.rendered, cache.diffed

            lp.insert(services, "crawl_jobs", [lp.job("in_progress", started=NOW - 10 * dataset.S) for _ in range(3)])
            loop.tick(now=NOW)
            while (cache.rendered, cache.diffed) != (rendered + 1, diffed + 1):
                assert time.monotonic() < deadline, (
                    f"the warmer did not render the new version: {(cache.rendered, cache.diffed)} "
                    f"after {(rendered, diffed)}"
                )
                time.sleep(0.05)

            for _ in range(5):  # five viewers that held the previous version
                status, _body, update = call(client, app, f"{Main.HELD}.data", *_tick_request(held))
                assert status == 200 and update["response"][Main.KPI_ACTIVE]["children"] == "5"
            assert (cache.rendered, cache.diffed) == (rendered + 1, diffed + 1)
        finally:
            ctx.stop()
            web.dispose()
    services.dispose()

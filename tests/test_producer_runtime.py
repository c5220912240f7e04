"""The producer's document carries what the queue gauge needs from the configuration and the
series (its red line = the queue-overflow alert's threshold; "a minute ago" found by time), and
an app's `stop()` ends every thread it started."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

from alerts.settings import AlertSettings
from app import create_app
from data.bootstrap import create_lp_tables, create_mc_tables
from data.services import Services
from pages.mission.ids import MissionIds as Main
from pages.mission.render import figures
from producer.loop import ProducerLoop
from tests.conftest import build_services, make_settings, ticked_app
from tests.dataset import NOW


def _gauge(doc: dict) -> dict:
    return figures(doc)[Main.QUEUE_GAUGE].full["data"][0]


def test_the_gauge_red_line_follows_the_queue_overflow_threshold(tmp_path):
    alerts = AlertSettings().with_rule("queue_overflow", threshold=250)
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", alerts=alerts)
    services.redis.rpush(services.settings.redis_keys.job_queue, *[f"job-{i}" for i in range(300)])
    with ticked_app(services, NOW) as (_app, ctx, _loop):
        _, doc = ctx.snapshots.load()
    services.dispose()
    assert doc["mc"]["queue_threshold"] == 250
    gauge = _gauge(doc)
    assert gauge["value"] == 300 and gauge["gauge"]["threshold"]["value"] == 250
    assert [s["range"] for s in gauge["gauge"]["steps"]] == [[0, 125], [125, 250], [250, 375]]
    # The default stays the alert's default, 1,000.
    assert make_settings().alerts.rule("queue_overflow").threshold == 1000


def test_a_minute_ago_is_found_by_time_at_a_two_second_refresh(tmp_path):
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", refresh_rate_ms=2000)
    queue = services.settings.redis_keys.job_queue
    depth_at = {}
    with ticked_app(services, NOW) as (_app, ctx, loop):
        for step in range(1, 61):  # two minutes of ticks, 2 s apart; the queue grows by one a tick
            services.redis.rpush(queue, f"job-{step}")
            at = NOW + timedelta(seconds=2 * step)
            depth_at[at] = step
            loop.tick(now=at)
        _, doc = ctx.snapshots.load()
    services.dispose()
    now = NOW + timedelta(seconds=120)
    minute_ago = depth_at[now - timedelta(seconds=60)]
    assert (doc["crawler_mission_status"]["queue_depth"], minute_ago) == (60, 30)
    assert doc["mc"]["queue_depth_minute_ago"] == 30  # trend[-60] would have said 1 (two minutes ago)
    assert _gauge(doc)["delta"]["reference"] == 30


def test_stop_ends_every_thread_the_app_started(tmp_path):
    before = set(threading.enumerate())
    settings = make_settings(
        database_url=f"sqlite:///{tmp_path / 'lp.db'}",
        redis_url=f"memory://{uuid.uuid4().hex}",
        simulate="on",
        simulator_satellites=2,
        refresh_rate_ms=200,
    )
    services = Services(settings)
    create_lp_tables(services.engine, "M")
    create_mc_tables(services.mc_engine)
    app = create_app(settings, services=services)
    ctx = app.server.extensions["mission_control"]
    assert isinstance(ctx.producer, ProducerLoop)
    deadline = time.monotonic() + 20
    while ctx.snapshots.version() < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    from pages.mission.render import render
    from ui.live import page_renders

    page_renders(ctx, "mission", render).warm_while_viewed(lambda: None, 0.05)  # a viewer: the warmer starts
    started = {t.name for t in set(threading.enumerate()) - before}
    assert {"mc-producer", "mc-analytics", "lp-simulator", "mc-alert-delivery", "mc-render-warmer"} <= started
    ctx.stop()
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    services.dispose()
    assert left == []

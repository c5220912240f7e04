"""The producer's snapshot equals storage on every backend; viewers never cause SQL; a tick
sends a viewer only what changed."""

import pytest

from app import create_app
from data.connections import StatementCounter
from pages.mission.ids import MissionIds as Main
from pages.shell.ids import ShellIds as Shell
from producer.loop import ProducerLoop
from tests import dataset
from tests.conftest import ticked_app
from tests.dash_client import call
from tests.dataset import EXPECTED, NOW

CONTRACT_KEYS = {
    "timestamp",
    "crawler_mission_status",
    "backlink_discovery_metrics",
    "api_quota_statuses",
    "domain_intelligence_metrics",
    "performance_optimization_metrics",
    "alerts",
    "satellite_fleet_status",
}


@pytest.fixture
def live(services):
    """An app over the dataset with the producer ticked once at NOW."""
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, loop):
        assert ctx.snapshots.version() == 1
        yield app, ctx, loop


def test_snapshot_matches_storage(live):
    app, ctx, _ = live
    _, doc = ctx.snapshots.load()
    assert set(doc) >= CONTRACT_KEYS
    status = doc["crawler_mission_status"]
    assert status["active_jobs_count"] == 2 and status["queued_jobs_count"] == 2
    assert status["completed_jobs_24h_count"] == EXPECTED["completed_24h"]
    assert status["failed_jobs_24h_count"] == EXPECTED["failed_24h"]
    assert status["total_pages_crawled_24h"] == EXPECTED["pages_24h"]
    assert status["avg_job_completion_time_seconds"] == EXPECTED["avg_completion"]
    assert status["queue_depth"] == 3
    assert (status["active_satellites_count"], status["total_satellites_count"]) == (
        EXPECTED["alive"],
        EXPECTED["total"],
    )
    assert status["satellite_utilization_percentage"] == EXPECTED["utilisation"]
    assert status["recent_job_errors"][0]["message"] == dataset.HOSTILE
    fleet = {s["satellite_id"]: s for s in doc["satellite_fleet_status"]}
    assert fleet["sat-1"]["status"] == "active" and fleet["sat-1"]["current_job_id"] == dataset.JOB_A
    assert fleet["sat-1"]["current_job_type"] == "backlink_discovery" and fleet["sat-1"]["current_job_progress"] == 25.0
    assert fleet["sat-3"]["status"] == "unresponsive" and fleet["sat-2"]["status"] == "idle"
    assert fleet["sat-5"]["errors_24h"] == 7 and fleet["sat-1"]["errors_24h"] == 2
    links = doc["backlink_discovery_metrics"]
    assert links["total_backlinks_discovered"] == EXPECTED["backlinks_total"]
    assert links["new_backlinks_24h"] == EXPECTED["backlinks_new_24h"]
    board = {j["id"]: j for j in doc["mc"]["active_jobs"]}
    assert board[dataset.JOB_A]["satellite_id"] == "sat-1" and board[dataset.JOB_A]["eta_seconds"] == 300.0
    assert doc["mc"]["queues"]["dispatch_paused"] is True
    assert doc["mc"]["problems"] == ["crawler_details:sat-6 is not valid JSON"]
    # The HTTP API serves the same document.
    body = app.server.test_client().get("/api/v1/snapshot").get_json()
    assert body["crawler_mission_status"] == status and body["version"] == doc["version"]


def _tick_request(digests):
    return [{"id": Shell.VERSION, "property": "data", "value": {"v": 1}}], [
        {"id": Main.HELD, "property": "data", "value": digests}
    ]


def test_viewers_cause_no_sql_and_get_small_deltas(live):
    app, ctx, loop = live
    client = app.server.test_client()
    # Requests run in this thread; the alert engine's delivery worker runs SQL on its own.
    counter = StatementCounter(ctx.services.engine, this_thread_only=True)
    inputs, state = _tick_request({})
    status, body, first = call(client, app, f"{Main.HELD}.data", inputs, state)
    assert status == 200
    digests = first["response"][Main.HELD]["data"]
    assert digests == {"v": 1, "trend_last": digests["trend_last"]}
    assert first["response"][Main.KPI_ACTIVE]["children"] == "2"
    for _ in range(25):  # many viewers at the same version: no SQL, no data
        status, _, _ = call(client, app, f"{Main.HELD}.data", *_tick_request(digests))
        assert status == 204
    assert counter.count == 0

    # One job progresses; the producer ticks; a viewer gets only that change, as a Patch.
    with ctx.services.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(
            text("UPDATE crawl_jobs SET progress_percentage = 50, links_found = 90 WHERE id = :i"), {"i": dataset.JOB_A}
        )
    counter.count = 0
    loop.tick(now=NOW)
    assert counter.count > 0  # the producer did query
    counter.count = 0
    status, body, delta = call(client, app, f"{Main.HELD}.data", *_tick_request(digests))
    assert status == 200 and counter.count == 0
    changed = set(delta["response"]) - {Main.HELD}
    assert Main.BOARD in changed and Main.FLEET not in changed and Main.KPI_ACTIVE not in changed
    # The ring reads its percentage from the board's style; the card gets its new ETA as a Patch.
    assert delta["response"][Main.BOARD]["style"]["--p0"] == 50
    ops = delta["response"][Main.BOARD]["children"]
    assert ops["__dash_patch_update"] == "__dash_patch_update"
    assert len(body) < 2048, f"{len(body)} bytes for one changed job"
    counter.close()


def test_statements_per_tick_do_not_depend_on_viewers(live):
    app, ctx, loop = live
    # The alert engine runs its rules on its own clock (tested in tests/test_alert_*.py); here
    # we compare snapshot ticks alone.
    ctx.alerts.stop()
    ctx.alerts = None
    client = app.server.test_client()
    counter = StatementCounter(ctx.services.engine, this_thread_only=True)
    loop.tick(now=NOW)
    alone = counter.count
    counter.count = 0
    for _ in range(50):
        call(client, app, f"{Main.HELD}.data", *_tick_request({}))
    loop.tick(now=NOW)
    assert counter.count == alone
    counter.close()


def test_starts_on_a_link_profiler_database_without_its_own_tables(pg_url, redis_url):
    """A database built by Link Profiler's migration (variant M), a Redis its fleet fills,
    and no Mission Control tables yet: the app starts, adds only mc_ tables, and its figures
    match storage."""
    from sqlalchemy import inspect

    from data.bootstrap import create_lp_tables
    from data.connections import make_engine
    from data.services import Services
    from tests.conftest import make_settings

    engine = make_engine(pg_url)
    create_lp_tables(engine, "M")
    before = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in inspect(engine).get_table_names()}
    assert not [t for t in before if t.startswith("mc_")]
    settings = make_settings(database_url=pg_url, redis_url=redis_url)
    assert not settings.simulator_enabled  # a configured database is never simulated into
    services = Services(settings)
    dataset.load(services)
    app = create_app(settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    assert ctx.simulator is None
    ProducerLoop(ctx).tick(now=NOW)
    _, doc = ctx.snapshots.load()
    status = doc["crawler_mission_status"]
    assert (status["active_jobs_count"], status["completed_jobs_24h_count"], status["queue_depth"]) == (2, 2, 3)
    assert status["total_pages_crawled_24h"] == EXPECTED["pages_24h"]
    assert doc["backlink_discovery_metrics"]["total_backlinks_discovered"] == EXPECTED["backlinks_total"]
    after = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in inspect(engine).get_table_names()}
    assert {t: c for t, c in after.items() if not t.startswith("mc_")} == before  # Link Profiler's untouched
    assert "mc_alerts" in after and "mc_quota_usage_log" in after
    ctx.stop()
    services.dispose()
    engine.dispose()

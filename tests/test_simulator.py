"""The fleet simulator writes what Link Profiler writes, on every backend and schema variant.

Driven with explicit `now` values, so every assertion is on exact rows, scores and keys.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from data.connections import StatementCounter
from data.lp_tables import JOB_STATUSES, JOB_TYPES, LINK_TYPES, SPAM_LEVELS
from simulator import Simulator, bulk_load_backlinks
from simulator import names
from simulator.__main__ import main as cli_main
from simulator.coordinator import epoch
from tests.conftest import build_services

T0 = datetime(2025, 3, 1, 12, 0, 0)
DETAIL_FIELDS = {
    "id",
    "last_seen",
    "status",
    "jobs_processed",
    "current_job_id",
    "cpu_usage",
    "memory_usage",
    "code_version",
    "uptime_seconds",
}
# The fleet asks for query types (the router picks providers): every one a default provider serves.
QUERY_TYPES = {
    "serp_positions",
    "javascript_render",
    "contact_discovery",
    "technology_stack",
    "company_enrichment",
    "dns_history",
    "subdomains",
}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def typed(sql: str, params: dict) -> sa.TextClause:
    """Text SQL whose datetime parameters bind as DateTime (SQLite compares timestamps as text)."""
    stmt = sa.text(sql)
    binds = [sa.bindparam(k, type_=sa.DateTime) for k, v in params.items() if isinstance(v, datetime)]
    return stmt.bindparams(*binds) if binds else stmt


def as_dt(value):
    """A timestamp read through text SQL: SQLite hands back the stored string."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def scalar(services, sql: str, **params):
    with services.engine.connect() as conn:
        return as_dt(conn.execute(typed(sql, params), params).scalar())


def statuses(services) -> dict[str, int]:
    with services.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT status, count(*) FROM crawl_jobs GROUP BY status")).all())


def queue_depth(services) -> int:
    key = services.settings.redis_keys.job_queue
    kind = services.redis.type(key)
    return services.redis.llen(key) if kind == "list" else services.redis.zcard(key) if kind == "zset" else 0


def run(sim: Simulator, start: float, stop: float, every: float = 5.0) -> None:
    t = start
    while t <= stop:
        sim.step(at(t))
        t += every


def test_seed_and_steps_write_a_consistent_world(services):
    calls = []
    sim = Simulator(services, satellites=6, seed=11, on_api_call=lambda *a: calls.append(a))
    assert sim.seed_initial(T0) is True
    assert sim.seed_initial(T0) is False  # idempotent: the world exists
    run(sim, 0, 120)
    keys = services.settings.redis_keys
    first = services.schema.link_first_seen

    counts = statuses(services)
    assert set(counts) <= set(JOB_STATUSES)
    assert counts["completed"] > 1000 and counts["failed"] > 50
    busy = [s for s in sim.fleet if s.job is not None]
    assert counts["in_progress"] == len(busy) == 6  # arrivals keep a small backlog ahead of the fleet
    assert counts.get("queued", 0) == queue_depth(services)
    assert counts.get("pending", 0) == services.redis.zcard(keys.scheduled) > 0
    with services.engine.connect() as conn:
        types = {r[0] for r in conn.execute(sa.text("SELECT DISTINCT job_type FROM crawl_jobs"))}
        failed_errors = [
            r[0] for r in conn.execute(sa.text("SELECT errors FROM crawl_jobs WHERE status = 'failed' LIMIT 20"))
        ]
        running = dict(
            conn.execute(sa.text("SELECT id, progress_percentage FROM crawl_jobs WHERE status = 'in_progress'")).all()
        )
    assert types <= set(JOB_TYPES)
    for errors in failed_errors:
        errors = json.loads(errors) if isinstance(errors, str) else errors
        assert errors and {"type", "message", "url", "timestamp"} <= set(errors[0])

    # Heartbeats at the last tick, details documents naming each satellite's current job.
    beats = dict(services.redis.zrange(keys.heartbeats, 0, -1, withscores=True))
    assert beats == {s.id: epoch(at(120)) for s in sim.fleet}
    for sat in sim.fleet:
        details = json.loads(services.redis.get(keys.details_prefix + sat.id))
        assert set(details) == DETAIL_FIELDS
        assert details["id"] == sat.id and details["status"] == "running"
        assert details["last_seen"] == at(120).isoformat()
        assert details["current_job_id"] == sat.job.id
        assert details["current_job_id"] in running
    assert all(0 <= p < 100 for p in running.values())

    # Domains (some expired), backlinks with the variant's date column, logs, rules.
    assert 300 <= scalar(services, "SELECT count(*) FROM domains") < 400
    assert (
        scalar(services, "SELECT count(*) FROM domains WHERE is_registered = :f OR expiration_date < :t", f=False, t=T0)
        > 10
    )
    assert scalar(services, "SELECT count(*) FROM backlinks") >= 3000
    # A few links point at lapsed domains, and only lapsed ones outside the watched sites: the
    # expired-domain hunter has something to rank.
    lapsed = "(d.is_registered = :f OR d.expiration_date < :t)"
    to_lapsed = scalar(
        services,
        f"SELECT count(*) FROM backlinks b JOIN domains d ON d.name = b.target_domain_name WHERE {lapsed}",
        f=False,
        t=T0,
    )
    assert 0.01 * 3000 <= to_lapsed <= 0.06 * scalar(services, "SELECT count(*) FROM backlinks")
    watched = tuple(names.TARGET_DOMAINS) + tuple(names.COMPETITOR_DOMAINS)
    other = scalar(
        services,
        "SELECT count(*) FROM backlinks b JOIN domains d ON d.name = b.target_domain_name "
        f"WHERE NOT {lapsed} AND b.target_domain_name NOT IN ({', '.join(repr(w) for w in watched)})",
        f=False,
        t=T0,
    )
    assert other == 0
    assert scalar(services, f"SELECT count(*) FROM backlinks WHERE {first} IS NULL") == 0
    assert scalar(services, f"SELECT min({first}) FROM backlinks") >= T0 - timedelta(days=31)
    assert scalar(services, "SELECT count(*) FROM backlinks WHERE anchor_text LIKE '%<script>%'") >= 1
    assert scalar(services, "SELECT count(*) FROM backlinks WHERE source_url LIKE 'javascript:%'") >= 1
    with services.engine.connect() as conn:
        link_types = {r[0] for r in conn.execute(sa.text("SELECT DISTINCT link_type FROM backlinks"))}
        spam = dict(conn.execute(sa.text("SELECT spam_level, count(*) FROM backlinks GROUP BY spam_level")).all())
    assert link_types <= set(LINK_TYPES) and set(spam) <= set(SPAM_LEVELS)
    assert spam["none"] > sum(spam.values()) / 2  # spam is the exception
    # A day of per-minute history, then one live row per satellite per simulated minute.
    assert scalar(services, "SELECT count(*) FROM satellite_performance_logs WHERE timestamp <= :t", t=T0) >= 6 * 1439
    with services.engine.connect() as conn:
        live = conn.execute(
            typed("SELECT satellite_id, timestamp FROM satellite_performance_logs WHERE timestamp > :t", {"t": T0}),
            {"t": T0},
        ).all()
    assert sorted((sid, as_dt(ts)) for sid, ts in live) == sorted(
        (s.id, at(sec)) for s in sim.fleet for sec in (60, 120)
    )
    assert scalar(services, "SELECT count(*) FROM alert_rules") == 4
    assert scalar(services, "SELECT count(*) FROM social_mentions") >= 20
    assert scalar(services, "SELECT count(*) FROM domain_history") >= 300
    assert calls and {c[0] for c in calls} <= QUERY_TYPES
    assert {c[1] for c in calls} <= {"high", "normal", "low"}


@pytest.mark.parametrize("queue_type", ["list", "zset"])
def test_queue_depth_matches_queued_jobs_and_flood_adds_exactly_n(services, queue_type, small_world):
    sim = Simulator(services, satellites=3, seed=5, queue_type=queue_type)
    sim.seed_initial(T0)
    run(sim, 0, 30)
    key = services.settings.redis_keys.job_queue
    assert services.redis.type(key) == queue_type
    before = queue_depth(services)
    assert before == statuses(services).get("queued", 0)

    assert sim.flood_queue(250) == 250
    assert queue_depth(services) == before + 250 == statuses(services)["queued"]

    sim.step(at(35))
    assert queue_depth(services) == statuses(services)["queued"]
    if queue_type == "zset":
        # Satellites take the highest priority first.
        remaining = services.redis.zrange(key, -1, -1, withscores=True)
        assert remaining[0][1] <= 10


def test_scenarios_write_spam_surges_and_lost_links(services, small_world):
    sim = Simulator(services, satellites=2, seed=3)
    sim.seed_initial(T0)
    first = services.schema.link_first_seen
    when = at(3600)

    assert sim.spam_attack("example-target.com", links=60, now=when) == 60
    assert (
        scalar(
            services,
            f"SELECT count(*) FROM backlinks WHERE {first} = :w AND target_domain_name = 'example-target.com'",
            w=when,
        )
        == 60
    )
    assert (
        scalar(
            services, f"SELECT count(*) FROM backlinks WHERE {first} = :w AND spam_level IN ('medium', 'high')", w=when
        )
        > 40
    )
    # Every linking domain exists in domains (variant M has foreign keys).
    assert (
        scalar(
            services,
            f"SELECT count(*) FROM backlinks b LEFT JOIN domains d ON d.name = b.source_domain_name WHERE b.{first} = :w AND d.name IS NULL",
            w=when,
        )
        == 0
    )

    later = at(7200)
    assert sim.competitor_surge("competitor-beta.net", links=30, now=later) == 30
    assert (
        scalar(
            services,
            f"SELECT count(*) FROM backlinks WHERE {first} = :w AND target_domain_name = 'competitor-beta.net'",
            w=later,
        )
        == 30
    )

    inactive = scalar(services, "SELECT count(*) FROM backlinks WHERE is_active = :f", f=False)
    status_404 = scalar(services, "SELECT count(*) FROM backlinks WHERE http_status = 404")
    lost_at = at(9000)
    assert sim.lose_links(30, now=lost_at) == 30
    assert scalar(services, "SELECT count(*) FROM backlinks WHERE crawl_timestamp = :w", w=lost_at) == 30
    assert scalar(services, "SELECT count(*) FROM backlinks WHERE is_active = :f", f=False) == inactive + 10
    assert scalar(services, "SELECT count(*) FROM backlinks WHERE http_status = 404") >= status_404 + 1
    assert (
        scalar(
            services, "SELECT count(*) FROM backlinks WHERE crawl_timestamp = :w AND link_type = 'nofollow'", w=lost_at
        )
        >= 10
    )


def test_fleet_kill_revive_pause_and_cheap_ticks(services, small_world):
    sim = Simulator(services, satellites=4, seed=7)
    sim.seed_initial(T0)
    keys = services.settings.redis_keys
    counter = StatementCounter(services.engine)
    try:
        run(sim, 0, 10)
        victim = sim.kill_satellite()
        job_id = sim.satellite(victim).job.id
        run(sim, 15, 50)
    finally:
        counter.close()
    # Batched writes: a tick is a handful of statements, not one per satellite per row.
    assert 0 < counter.count <= 11 * 8

    # The killed satellite's heartbeat stops at its last beat and goes stale; its job stalls.
    beats = dict(services.redis.zrange(keys.heartbeats, 0, -1, withscores=True))
    assert beats[victim] == epoch(at(10))
    assert epoch(at(50)) - beats[victim] > services.settings.heartbeat_timeout_s
    assert all(score == epoch(at(50)) for sid, score in beats.items() if sid != victim)
    with services.engine.connect() as conn:
        status, fetched = conn.execute(
            sa.text("SELECT status, last_fetched_at FROM crawl_jobs WHERE id = :i"), {"i": job_id}
        ).one()
    assert status == "in_progress" and as_dt(fetched) == at(10)

    sim.revive_satellite(victim)
    sim.step(at(55))
    assert services.redis.zscore(keys.heartbeats, victim) == epoch(at(55))
    assert json.loads(services.redis.get(keys.details_prefix + victim))["uptime_seconds"] <= 5
    assert json.loads(services.redis.get(keys.details_prefix + victim))["current_job_id"] == job_id

    # PAUSE on the satellite's control channel shows in its details; the others keep running.
    target = sim.fleet[0].id
    services.redis.publish(keys.control_prefix + target, json.dumps({"command": "PAUSE", "payload": {}}))
    for i in range(12, 40):
        time.sleep(0.02)  # pub/sub delivery on a real Redis is asynchronous
        sim.step(at(5 * i))
        if sim.fleet[0].paused:
            break
    sim.step(at(5 * i + 5))
    assert json.loads(services.redis.get(keys.details_prefix + target))["status"] == "paused"
    assert json.loads(services.redis.get(keys.details_prefix + sim.fleet[1].id))["status"] == "running"
    sim.stop()


def test_constructing_does_no_io(sqlite_url):
    # The app builds its simulator before it knows whether Redis is up.
    from data.services import Services
    from tests.conftest import make_settings

    services = Services(make_settings(database_url=sqlite_url, redis_url="redis://127.0.0.1:1/0"))
    sim = Simulator(services, satellites=3, queue_type="zset")
    assert [s.id for s in sim.fleet] == ["satellite-eu-1", "satellite-us-1", "satellite-ap-1"]
    with pytest.raises(ValueError):
        Simulator(services, queue_type="stream")
    services.dispose()


def test_start_and_stop_run_on_a_thread(sqlite_url, memory_redis_url, small_world):
    services = build_services(sqlite_url, memory_redis_url)
    sim = Simulator(services, satellites=2, seed=1)
    sim.seed_initial()
    sim.start(interval_s=0.05)
    # Wait for the ticks rather than a fixed time: a loaded machine may take longer per tick.
    deadline = time.monotonic() + 15
    while sim.ticks < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    began = time.monotonic()
    sim.stop()
    assert time.monotonic() - began < 2
    assert not sim.running and sim.ticks >= 2
    services.dispose()


def _snapshot(services) -> dict:
    with services.engine.connect() as conn:
        return {
            "jobs": conn.execute(
                sa.text("SELECT id, status, progress_percentage, urls_crawled, links_found FROM crawl_jobs ORDER BY id")
            ).all(),
            "links": conn.execute(
                sa.text("SELECT id, source_url, anchor_text, spam_level FROM backlinks ORDER BY id")
            ).all(),
            "domains": conn.execute(sa.text("SELECT name, authority_score FROM domains ORDER BY name")).all(),
        }


def test_same_seed_same_data(tmp_path, small_world):
    snaps = []
    for run_no, seed in enumerate((42, 42, 43)):
        svc = build_services(f"sqlite:///{tmp_path / f'{run_no}.db'}", f"memory://{uuid.uuid4().hex}")
        sim = Simulator(svc, satellites=3, seed=seed)
        sim.seed_initial(T0)
        run(sim, 0, 90)
        sim.lose_links(5)
        snaps.append(_snapshot(svc))
        svc.dispose()
    assert snaps[0] == snaps[1]
    assert snaps[0]["jobs"] != snaps[2]["jobs"]


def test_bulk_load_counts_rows(services, small_world):
    now = T0
    first = services.schema.link_first_seen
    result = bulk_load_backlinks(services, 5000, seed=1, days=90, domains=400, now=now)
    assert result.rows == 5000
    assert scalar(services, "SELECT count(*) FROM backlinks") == 5000
    assert scalar(services, "SELECT count(DISTINCT source_domain_name) FROM backlinks") <= 400
    assert (
        scalar(
            services,
            "SELECT count(*) FROM backlinks b LEFT JOIN domains d ON d.name = b.source_domain_name WHERE d.name IS NULL",
        )
        == 0
    )
    assert scalar(services, f"SELECT min({first}) FROM backlinks") >= now - timedelta(days=91)
    assert scalar(services, f"SELECT max({first}) FROM backlinks") <= now
    # Spread over the window, not bunched: some links in the oldest and the newest tenth.
    assert scalar(services, f"SELECT count(*) FROM backlinks WHERE {first} < :t", t=now - timedelta(days=81)) > 0
    assert scalar(services, f"SELECT count(*) FROM backlinks WHERE {first} > :t", t=now - timedelta(days=9)) > 500
    # A second load with the same seed adds new rows instead of colliding.
    bulk_load_backlinks(services, 1000, seed=1, days=90, domains=400, now=now)
    assert scalar(services, "SELECT count(*) FROM backlinks") == 6000
    # The tick-by-tick simulator can join a bulk-loaded world.
    sim = Simulator(services, satellites=2, seed=2)
    assert sim.seed_initial(now) is True
    sim.step(at(5))


def test_cli_refuses_a_real_database_without_consent(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://lp@db.invalid/linkprofiler")
    monkeypatch.delenv("MC_SIMULATE", raising=False)
    assert cli_main(["run", "--duration", "0"]) == 3
    assert cli_main(["bulk", "--backlinks", "10"]) == 3
    assert "refusing" in capsys.readouterr().err


def test_cli_bulk_bootstraps_the_embedded_database(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    for var in ("DATABASE_URL", "REDIS_URL", "MC_SIMULATE", "LP_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    assert cli_main(["bulk", "--backlinks", "2000", "--domains", "100", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "created tables:" in out and "rows=2000" in out
    assert (tmp_path / "var" / "mission_control.db").exists()

"""The quota ledger on real Redis and PostgreSQL: atomic grants under threads and processes,
persistence across Redis and app restarts, and the monthly reset."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from datetime import UTC, datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from conftest import build_services
from test_quota_support import ALL_KEYS, FakeClock, manager, process_manager, utc

from quotas import tables
from quotas.errors import UnknownProvider
from quotas.ledger import usage_key
from quotas.periods import period_bounds


@pytest.fixture
def pg_services(pg_url, redis_url):
    svc = build_services(pg_url, redis_url, api_keys=ALL_KEYS)
    yield svc
    svc.dispose()


@pytest.fixture(params=["sqlite-memory", "pg-redis"])
def any_services(request, tmp_path):
    """Both storage combinations the ledger must work on."""
    if request.param == "pg-redis":
        svc = build_services(request.getfixturevalue("pg_url"), request.getfixturevalue("redis_url"), api_keys=ALL_KEYS)
    else:
        svc = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", api_keys=ALL_KEYS)
    yield svc
    svc.dispose()


def log_counts(services, provider):
    """(granted units, refused attempts) in mc_quota_usage_log for `provider`."""
    t = tables.usage_log
    with services.mc_engine.connect() as conn:
        granted = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(t.c.units), 0)).where(
                t.c.provider == provider, t.c.granted.is_(True)
            )
        ).scalar()
        refused = conn.execute(
            sa.select(sa.func.count()).select_from(t).where(t.c.provider == provider, t.c.granted.is_(False))
        ).scalar()
    return int(granted), int(refused)


def test_200_threads_for_a_limit_of_50_grant_exactly_50(pg_services):
    mgr = manager(pg_services)
    barrier = threading.Barrier(200)

    def one(i):
        barrier.wait()
        return mgr.consume("hunter_io", 1, query_type="contact_discovery", caller=f"thread-{i}")

    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(one, range(200)))
    assert sum(r["granted"] for r in results) == 50
    assert sorted(r["used"] for r in results if r["granted"]) == list(range(1, 51))
    assert all(r["remaining"] == 0 and r["used"] == 50 for r in results if not r["granted"])
    assert log_counts(pg_services, "hunter_io") == (50, 150)
    status = next(s for s in mgr.statuses() if s["api_name"] == "hunter_io")
    assert (status["used"], status["remaining"], status["status"]) == (50, 0, "Critical")


def _consume_in_process(args):
    """Runs in a spawned process: its own Services and manager, 50 consumes of one unit."""
    database_url, redis_url, start = args
    svc, mgr = process_manager(database_url, redis_url)
    start.wait()
    granted = sum(mgr.consume("securitytrails", 1, caller="process")["granted"] for _ in range(50))
    svc.dispose()
    return granted


def test_4_processes_x_50_requests_grant_exactly_the_limit(pg_services):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as sync:
        start = sync.Barrier(4)
        with ctx.Pool(4) as pool:
            granted = pool.map(
                _consume_in_process, [(pg_services.settings.database_url, pg_services.settings.redis_url, start)] * 4
            )
    assert sum(granted) == 50
    assert log_counts(pg_services, "securitytrails") == (50, 150)
    start, _ = period_bounds(datetime.now(UTC), 1)
    assert pg_services.redis.hget(usage_key("securitytrails", start), "used") == "50"
    assert manager(pg_services).consume("securitytrails", 1)["granted"] is False


def test_units_are_all_or_nothing_and_validated(any_services):
    mgr = manager(any_services)
    assert mgr.consume("clearbit", 48) == {"granted": True, "used": 48, "remaining": 2}
    assert mgr.consume("clearbit", 3) == {"granted": False, "used": 48, "remaining": 2}
    assert mgr.consume("clearbit", 2) == {"granted": True, "used": 50, "remaining": 0}
    for bad in (0, -1, 1.5, True, "1"):
        with pytest.raises(ValueError):
            mgr.consume("clearbit", bad)
    with pytest.raises(UnknownProvider):
        mgr.consume("nosuchapi", 1)


def test_counters_are_rebuilt_from_the_table_after_redis_is_flushed(any_services):
    clock = FakeClock(utc(2025, 6, 10, 12))
    mgr = manager(any_services, clock)
    for day, units in ((8, 30), (9, 40), (10, 50)):
        clock.now = utc(2025, 6, day, 12)
        assert mgr.consume("serpstack", units, query_type="serp_positions")["granted"]
    clock.now = utc(2025, 5, 30, 12)  # the previous period feeds the long burn-rate window
    mgr.consume("serpstack", 70)
    clock.now = utc(2025, 6, 10, 12)
    before = {s["api_name"]: s for s in mgr.statuses()}
    assert before["serpstack"]["used"] == 120

    any_services.redis.flushdb()
    restarted = manager(any_services, clock)  # an app restart on top of a Redis restart
    after = {s["api_name"]: s for s in restarted.statuses()}
    assert after["serpstack"]["used"] == 120
    for key in ("remaining", "burn_rate_short", "burn_rate_long", "predicted_exhaustion_date", "status"):
        assert after["serpstack"][key] == before["serpstack"][key], key
    # short window: 40 + 50 units over 2.5 days; long: + 30 (8 Jun) + 70 (30 May) over 13.5 days
    assert after["serpstack"]["burn_rate_short"] == round(120 / 2.5, 2)
    assert after["serpstack"]["burn_rate_long"] == round(190 / 13.5, 2)
    # counting continues from the rebuilt value, not from zero
    assert restarted.consume("serpstack", 1)["used"] == 121


def test_monthly_reset_on_the_configured_day(any_services):
    import dataclasses

    from quotas.providers import DEFAULT_PROVIDERS

    providers = [dataclasses.replace(p, reset_day=15) if p.name == "hunter_io" else p for p in DEFAULT_PROVIDERS]
    clock = FakeClock(utc(2025, 3, 14, 23, 59))
    mgr = manager(any_services, clock, providers)
    assert mgr.consume("hunter_io", 50)["granted"]
    assert mgr.consume("hunter_io", 1) == {"granted": False, "used": 50, "remaining": 0}
    status = next(s for s in mgr.statuses() if s["api_name"] == "hunter_io")
    assert status["reset_date"] == "2025-03-15T00:00:00Z"
    assert status["period_start"] == "2025-02-15T00:00:00Z"

    clock.now = utc(2025, 3, 15, 0, 0, 1)
    assert mgr.consume("hunter_io", 1) == {"granted": True, "used": 1, "remaining": 49}
    status = next(s for s in mgr.statuses() if s["api_name"] == "hunter_io")
    assert (status["used"], status["reset_date"]) == (1, "2025-04-15T00:00:00Z")
    # the other providers keep their own (1st of the month) period
    other = next(s for s in mgr.statuses() if s["api_name"] == "serpstack")
    assert other["reset_date"] == "2025-04-01T00:00:00Z"


def test_exhaustion_is_recorded_once_as_an_event(any_services):
    mgr = manager(any_services)
    seen = []
    mgr.listeners.append(seen.append)
    mgr.consume("clearbit", 50)
    mgr.consume("clearbit", 1)
    events = mgr.recent_events(10)
    assert [e["kind"] for e in events] == ["exhausted"]
    assert events[0]["provider"] == "clearbit"
    assert [e["kind"] for e in seen] == ["exhausted"]
    with any_services.mc_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.events)).scalar() == 1

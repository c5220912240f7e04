"""Call records and breakers on real Redis and PostgreSQL are one state for every process:
two processes' calls add up, and a breaker opened by one is open for the other."""

from __future__ import annotations

import multiprocessing

import pytest
from conftest import build_services
from test_quota_support import ALL_KEYS, manager, process_manager


@pytest.fixture
def pg_services(pg_url, redis_url):
    svc = build_services(pg_url, redis_url, api_keys=ALL_KEYS)
    yield svc
    svc.dispose()


def _calls_in_process(args):
    """Runs in a spawned process: its own Services and manager, 40 calls to builtwith (every
    fourth one failing, 100 ms each), then one failed call to serpstack."""
    database_url, redis_url, start = args
    svc, mgr = process_manager(database_url, redis_url)
    start.wait()
    for i in range(40):
        mgr.record("builtwith", i % 4 != 0, 100.0 + i)
    state = mgr.record("serpstack", False, 5000.0)["circuit_breaker_state"]
    svc.dispose()
    return state


def test_two_processes_calls_add_up_and_share_the_breaker(pg_services):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as sync:
        start = sync.Barrier(2)
        with ctx.Pool(2) as pool:
            states = pool.map(
                _calls_in_process, [(pg_services.settings.database_url, pg_services.settings.redis_url, start)] * 2
            )
    assert sorted(states) == ["CLOSED", "CLOSED"]  # two failures, the threshold is three
    mgr = manager(pg_services)
    perf = {s["api_name"]: s["performance"] for s in mgr.statuses()}
    assert perf["builtwith"] == {
        "total_calls": 80,
        "successful_calls": 60,
        "average_response_time_ms": 119.5,  # 100 + mean(0..39)
        "success_rate": 0.75,
        "circuit_breaker_state": "CLOSED",
    }
    # This process's failure is the third in a row, whoever made the first two.
    assert mgr.record("serpstack", False, 5000.0)["circuit_breaker_state"] == "OPEN"
    other = manager(pg_services)  # another process's view: the same Redis hash
    assert {s["api_name"]: s["performance"]["circuit_breaker_state"] for s in other.statuses()}["serpstack"] == "OPEN"
    assert other.route("serp_positions")["provider"] == "valueserp"

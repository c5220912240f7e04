"""Call records and circuit breakers: counts, rolling window, breaker transitions and routing
around an open breaker, on fakeredis with a clock the test moves (no sleeps)."""

from __future__ import annotations

import math
import uuid

import pytest
from conftest import build_services
from test_quota_support import ALL_KEYS, FakeClock, utc

from quotas.calls import BUCKETS, calls_key
from quotas.errors import NoQuotaLeft, UnknownProvider
from quotas.manager import QuotaManager
from quotas.providers import DEFAULT_PROVIDERS
from quotas.settings import BreakerSettings

CONTRACT_PERFORMANCE = {
    "total_calls": int,
    "successful_calls": int,
    "average_response_time_ms": float,
    "success_rate": float,
    "circuit_breaker_state": str,
}
BREAKER = BreakerSettings(failures=3, cooldown_s=30.0, trial_s=20.0, window_s=3600)


@pytest.fixture
def svc(tmp_path):
    s = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", api_keys=ALL_KEYS)
    yield s
    s.dispose()


@pytest.fixture
def clock():
    return FakeClock(utc(2025, 6, 10, 12))


def make(svc, clock, breaker=BREAKER) -> QuotaManager:
    return QuotaManager(svc, providers=list(DEFAULT_PROVIDERS), clock=clock, breaker=breaker)


def row(mgr, provider) -> dict:
    return next(s for s in mgr.statuses() if s["api_name"] == provider)


def fail(provider):
    raise TimeoutError(f"{provider} timed out")


class Ticker:
    """A timer for `call` that says each fetch took `ms`."""

    def __init__(self, ms: float):
        self.ms, self.t = ms, 0.0

    def __call__(self) -> float:
        self.t += self.ms / 1000.0  # read before and after the fetch: `ms` apart
        return self.t


def test_records_count_calls_successes_and_mean_latency(svc, clock):
    mgr = make(svc, clock)
    for ok, ms in ((True, 100), (True, 300), (False, 5000), (True, 200)):
        mgr.record("builtwith", ok, ms)
    perf = row(mgr, "builtwith")["performance"]
    assert perf == {
        "total_calls": 4,
        "successful_calls": 3,
        "average_response_time_ms": 1400.0,
        "success_rate": 0.75,
        "circuit_breaker_state": "CLOSED",
    }
    assert {k: type(v) for k, v in perf.items()} == CONTRACT_PERFORMANCE
    # A provider nobody called reports zeros (floats), never nulls.
    assert row(mgr, "hunter_io")["performance"] == {
        "total_calls": 0,
        "successful_calls": 0,
        "average_response_time_ms": 0.0,
        "success_rate": 0.0,
        "circuit_breaker_state": "CLOSED",
    }


def test_the_window_rolls_and_the_hash_stays_bounded(svc, clock):
    mgr = make(svc, clock)
    mgr.record("clearbit", True, 100)
    clock.advance(minutes=30)
    mgr.record("clearbit", False, 300)
    assert row(mgr, "clearbit")["performance"]["total_calls"] == 2
    clock.advance(minutes=31)  # the first call is now more than an hour old
    perf = row(mgr, "clearbit")["performance"]
    assert (perf["total_calls"], perf["successful_calls"], perf["average_response_time_ms"]) == (1, 0, 300.0)
    # A day of calls, one a minute: the hash keeps at most the window's buckets.
    for _ in range(24 * 60):
        clock.advance(minutes=1)
        mgr.record("clearbit", True, 50)
    fields = svc.redis.hkeys(calls_key("clearbit"))
    assert len(fields) <= 3 * (BUCKETS + 1)
    assert row(mgr, "clearbit")["performance"]["total_calls"] == 60


def test_breaker_opens_half_opens_and_closes_on_a_trial(svc, clock):
    mgr = make(svc, clock)
    # Failures must be consecutive: a success in between starts the count again.
    for ok in (False, False, True, False, False):
        mgr.record("serpstack", ok, 4000)
    assert row(mgr, "serpstack")["circuit_breaker"]["state"] == "CLOSED"
    assert row(mgr, "serpstack")["circuit_breaker"]["consecutive_failures"] == 2
    assert mgr.record("serpstack", False, 4000)["circuit_breaker_state"] == "OPEN"
    opened = row(mgr, "serpstack")
    assert opened["performance"]["circuit_breaker_state"] == "OPEN"
    assert opened["circuit_breaker"] == {
        "state": "OPEN",
        "consecutive_failures": 3,
        "opened_at": "2025-06-10T12:00:00Z",
        "half_open_at": "2025-06-10T12:00:30Z",
    }
    event = mgr.recent_events(1)[0]
    assert (event["kind"], event["provider"]) == ("circuit_open", "serpstack")

    # While open the router passes serpstack by: its backup stands in, and the decision says why.
    decision = mgr.route("serp_positions")
    assert (decision["provider"], decision["emergency_backup"]) == ("valueserp", True)
    assert "serpstack circuit open after 3 failed calls in a row" in decision["reason"]
    assert mgr.recent_events(1)[0]["kind"] == "emergency_backup"

    clock.advance(seconds=30)
    assert row(mgr, "serpstack")["circuit_breaker"]["state"] == "HALF_OPEN"
    # One trial call goes to serpstack; while it is in flight everyone else gets the backup.
    assert mgr.route("serp_positions")["provider"] == "serpstack"
    assert mgr.route("serp_positions")["provider"] == "valueserp"
    # The trial fails: open again for another cool-down.
    assert mgr.record("serpstack", False, 5000)["circuit_breaker_state"] == "OPEN"
    assert "a trial call failed" in mgr.recent_events(1)[0]["message"]
    assert row(mgr, "serpstack")["circuit_breaker"]["half_open_at"] == "2025-06-10T12:01:00Z"
    clock.advance(seconds=29)
    assert mgr.route("serp_positions")["provider"] == "valueserp"
    clock.advance(seconds=1)
    assert mgr.route("serp_positions")["provider"] == "serpstack"
    assert mgr.record("serpstack", True, 400) == {
        "provider": "serpstack",
        "circuit_breaker_state": "CLOSED",
        "consecutive_failures": 0,
        "half_open_at": None,
    }
    assert mgr.recent_events(1)[0]["kind"] == "circuit_closed"
    assert mgr.route("serp_positions")["provider"] == "serpstack"
    assert row(mgr, "serpstack")["performance"]["total_calls"] == 8


def test_a_trial_nobody_reports_frees_the_slot_after_its_lease(svc, clock):
    mgr = make(svc, clock)
    for _ in range(3):
        mgr.record("webscraping_ai", False, 100)
    clock.advance(seconds=30)
    assert mgr.route("javascript_render")["provider"] == "webscraping_ai"  # the trial, never reported
    with pytest.raises(NoQuotaLeft, match="webscraping_ai circuit half-open"):
        mgr.route("javascript_render")  # no backup for renders
    clock.advance(seconds=20)
    assert mgr.route("javascript_render")["provider"] == "webscraping_ai"


def test_call_times_the_fetch_records_failures_and_raises_them(svc, clock):
    mgr = make(svc, clock)
    answer = mgr.call("dns_history", lambda p: {"from": p}, timer=Ticker(250))
    assert answer == {
        "result": {"from": "securitytrails"},
        "provider": "securitytrails",
        "cached": False,
        "response_time_ms": 250.0,
        "emergency_backup": False,
    }
    for _ in range(3):
        with pytest.raises(TimeoutError):
            mgr.call("dns_history", fail, timer=Ticker(5000))
    status = row(mgr, "securitytrails")
    assert status["used"] == 4  # a failed call still spent its unit
    assert status["performance"] == {
        "total_calls": 4,
        "successful_calls": 1,
        "average_response_time_ms": (250 + 3 * 5000) / 4,
        "success_rate": 0.25,
        "circuit_breaker_state": "OPEN",
    }
    with pytest.raises(NoQuotaLeft, match="can be called now: securitytrails circuit open"):
        mgr.call("subdomains", lambda p: p)
    assert mgr.recent_decisions(1)[0]["provider"] is None


def test_cached_call_records_its_miss_only(svc, clock):
    mgr = make(svc, clock)
    for _ in range(2):
        mgr.cached_call("technology_stack", {"domain": "a.com"}, lambda p: p)
    assert row(mgr, "builtwith")["performance"]["total_calls"] == 1


def test_an_open_primary_is_named_when_another_primary_serves(svc, clock):
    mgr = make(svc, clock)
    for _ in range(3):
        mgr.record("builtwith", False, 100)
    decision = mgr.route("technology_stack", "high")
    assert (decision["provider"], decision["emergency_backup"]) == ("clearbit", False)
    assert "skipped builtwith: circuit open" in decision["reason"]


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "5", True, None, 86_400_001, 10**400])
def test_record_refuses_what_is_not_a_response_time(svc, clock, bad):
    mgr = make(svc, clock)
    with pytest.raises(ValueError, match="response_time_ms must be"):
        mgr.record("serpstack", True, bad)
    with pytest.raises(UnknownProvider):
        mgr.record("bingo", True, 10)
    with pytest.raises(ValueError, match="ok must be true or false"):
        mgr.record("serpstack", 1, 10)  # type: ignore[arg-type]
    assert row(mgr, "serpstack")["performance"]["total_calls"] == 0


def test_breaker_settings_come_from_the_quota_section(svc, clock):
    import dataclasses

    from config import load_settings

    settings = load_settings(
        {"QUOTA_BREAKER_FAILURES": "2", "QUOTA_BREAKER_COOLDOWN_S": "90", "QUOTA_CALL_WINDOW_S": "600"},
        dotenv_path=None,
    )
    assert settings.quotas.breaker == BreakerSettings(failures=2, cooldown_s=90.0, trial_s=30.0, window_s=600)
    svc.settings = dataclasses.replace(svc.settings, quotas=settings.quotas)
    mgr = QuotaManager(svc, clock=clock)
    mgr.record("hunter_io", False, 1)
    assert mgr.record("hunter_io", False, 1)["half_open_at"] == "2025-06-10T12:01:30Z"
    assert row(mgr, "hunter_io")["calls_window_s"] == 600

"""Routing decisions for each priority and exhaustion case, the emergency backup event,
and the response cache that keeps the same question from being paid for twice."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from conftest import build_services
from test_quota_support import ALL_KEYS, FakeClock, manager, utc

from quotas.errors import NoQuotaLeft, UnknownQueryType
from quotas.providers import DEFAULT_PROVIDERS
from quotas.router import choose

DEFAULTS = {p.name: p for p in DEFAULT_PROVIDERS}


def providers(enabled=tuple(DEFAULTS), **changes):
    """The default providers, `enabled` ones with a key, fields changed per name."""
    out = {}
    for name, p in DEFAULTS.items():
        p = dataclasses.replace(p, enabled=name in enabled, **changes.get(name, {}))
        out[name] = p
    return out


def state(remaining=None, days=None):
    rem = {n: p.limit for n, p in DEFAULTS.items()}
    rem.update(remaining or {})
    left = dict.fromkeys(DEFAULTS, 10.0)
    left.update(days or {})
    return rem, left


def test_high_priority_takes_the_best_quality_with_quota_left():
    rem, left = state({"builtwith": 10, "clearbit": 50})
    d = choose(providers(), rem, left, "technology_stack", "high")
    assert (d.provider, d.emergency_backup) == ("builtwith", False)
    assert "best quality" in d.reason and "rank 1" in d.reason


def test_high_priority_moves_to_the_next_quality_when_the_best_is_exhausted():
    rem, left = state({"builtwith": 0, "clearbit": 5})
    d = choose(providers(), rem, left, "technology_stack", "high")
    assert (d.provider, d.emergency_backup) == ("clearbit", False)


@pytest.mark.parametrize("priority", ["normal", "low"])
def test_other_priorities_take_the_largest_allowance_per_day_left(priority):
    # builtwith has more left (100 vs 50) but 10 days to spend it; clearbit 50 in 2 days.
    rem, left = state({"builtwith": 100, "clearbit": 50}, {"builtwith": 10.0, "clearbit": 2.0})
    d = choose(providers(), rem, left, "technology_stack", priority)
    assert d.provider == "clearbit"
    assert "25.0/day" in d.reason
    rem, left = state({"builtwith": 100, "clearbit": 50}, {"builtwith": 10.0, "clearbit": 10.0})
    assert choose(providers(), rem, left, "technology_stack", priority).provider == "builtwith"


def test_the_emergency_backup_is_never_chosen_first():
    rem, left = state({"serpstack": 1, "valueserp": 100}, {"serpstack": 30.0, "valueserp": 1.0})
    for priority in ("high", "normal", "low"):
        d = choose(providers(), rem, left, "serp_positions", priority)
        assert (d.provider, d.emergency_backup) == ("serpstack", False)


def test_exhausted_serpstack_falls_back_to_valueserp():
    rem, left = state({"serpstack": 0, "valueserp": 100})
    d = choose(providers(), rem, left, "serp_positions", "normal")
    assert (d.provider, d.emergency_backup, d.primary) == ("valueserp", True, "serpstack")
    assert d.reason == "emergency backup: serpstack exhausted, valueserp has 100 left"


def test_serpstack_without_a_key_falls_back_to_valueserp():
    rem, left = state()
    d = choose(providers(enabled=("valueserp",)), rem, left, "serp_positions", "high")
    assert (d.provider, d.emergency_backup) == ("valueserp", True)
    assert "serpstack has no API key" in d.reason


def test_a_call_costing_more_than_what_is_left_counts_as_exhausted():
    p = providers(serpstack={"cost_per_call": 5})
    rem, left = state({"serpstack": 4})
    assert choose(p, rem, left, "serp_positions", "high").provider == "valueserp"


def test_nothing_left_raises_no_quota_left():
    rem, left = state({"serpstack": 0, "valueserp": 0})
    with pytest.raises(NoQuotaLeft, match="out of quota"):
        choose(providers(), rem, left, "serp_positions", "high")
    with pytest.raises(NoQuotaLeft, match="has an API key"):
        choose(providers(enabled=()), *state(), "serp_positions", "normal")


def test_bad_query_type_and_priority():
    with pytest.raises(UnknownQueryType, match="weather"):
        choose(providers(), *state(), "weather", "normal")
    with pytest.raises(ValueError, match="priority"):
        choose(providers(), *state(), "serp_positions", "urgent")


@pytest.fixture
def svc(tmp_path):
    s = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", api_keys=ALL_KEYS)
    yield s
    s.dispose()


def test_manager_routes_records_decisions_and_raises_the_backup_event(svc):
    clock = FakeClock(utc(2025, 6, 10, 12))
    mgr = manager(svc, clock)
    events = []
    mgr.listeners.append(events.append)
    assert mgr.route("serp_positions", "high", caller="t")["provider"] == "serpstack"
    mgr.consume("serpstack", 1000)
    decision = mgr.route("serp_positions", "low", caller="rank-tracker")
    assert decision == {
        "provider": "valueserp",
        "emergency_backup": True,
        "reason": "emergency backup: serpstack exhausted, valueserp has 100 left",
    }
    recent = mgr.recent_decisions(5)
    assert [d["provider"] for d in recent] == ["valueserp", "serpstack"]
    assert recent[0]["caller"] == "rank-tracker" and recent[0]["at"] == "2025-06-10T12:00:00Z"
    kinds = [(e["kind"], e["provider"]) for e in mgr.recent_events(10)]
    assert kinds == [("emergency_backup", "valueserp"), ("exhausted", "serpstack")]
    assert [e["kind"] for e in events] == ["exhausted", "emergency_backup"]
    status = {s["api_name"]: s for s in mgr.statuses()}
    assert status["serpstack"]["status"] == "Critical"
    assert (
        status["serpstack"]["recommended_action"] == "exhausted: SERP checks go to valueserp until the reset on 01 Jul"
    )
    # events outlive a Redis flush: they are read back from mc_quota_events
    svc.redis.flushdb()
    assert [e["kind"] for e in mgr.recent_events(10)] == ["emergency_backup", "exhausted"]
    mgr.consume("valueserp", 100)
    with pytest.raises(NoQuotaLeft):
        mgr.route("serp_positions", "high")
    assert mgr.recent_decisions(1)[0]["provider"] is None


def test_cached_call_pays_once_per_question(svc):
    mgr = manager(svc)
    calls = []

    def fetch(provider):
        calls.append(provider)
        return {"tech": ["nginx", "react"], "via": provider}

    first = mgr.cached_call("technology_stack", {"domain": "example.com"}, fetch, "high")
    again = mgr.cached_call("technology_stack", {"domain": "example.com"}, fetch, "high")
    other = mgr.cached_call("technology_stack", {"domain": "example.org"}, fetch, "high")
    assert first == {
        "result": {"tech": ["nginx", "react"], "via": "builtwith"},
        "provider": "builtwith",
        "cached": False,
    }
    assert again == {**first, "cached": True}
    assert other["cached"] is False
    assert calls == ["builtwith", "builtwith"]
    assert next(s for s in mgr.statuses() if s["api_name"] == "builtwith")["used"] == 2
    ttl = max(svc.redis.ttl(k) for k in svc.redis.keys("mc:quota:cache:technology_stack:*"))
    assert 90 * 86400 - 60 < ttl <= 90 * 86400


def test_cached_call_raises_when_nothing_is_left(svc):
    mgr = manager(svc)
    mgr.consume("hunter_io", 50)
    with pytest.raises(NoQuotaLeft):
        mgr.cached_call("contact_discovery", {"domain": "x.com"}, lambda p: pytest.fail("must not fetch"))

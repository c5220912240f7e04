"""The simulated fleet calls providers through the quota router: within two simulated minutes
it makes routing decisions, opens serpstack's breaker during its outage, switches to the
emergency backup, and closes the breaker on a trial call; the snapshot's quota rows and the
quota page carry the recorded calls."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from conftest import build_services, ticked_app

from pages.quotas.ids import QuotaIds as Ids
from pages.quotas.ids import provider_id
from pages.quotas.render import render
from quotas.manager import QuotaManager
from runtime.startup import simulated_api_calls
from simulator import Simulator
from simulator.apis import MEDIAN_MS, Outage, SimulatedApis

T0 = datetime(2025, 3, 1, 12, 0, 0)  # naive UTC, as the simulator keeps time


@pytest.fixture
def demo(small_world, tmp_path):
    """The embedded demo's wiring (no real keys: simulated ones) on a clock the steps move."""
    svc = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}")
    now = [T0]
    quotas = QuotaManager(svc, clock=lambda: now[0], demo_keys=True)
    sim = Simulator(svc, satellites=6, seed=5, on_api_call=simulated_api_calls(quotas))
    sim.seed_initial(T0)
    yield sim, quotas, now
    svc.dispose()


def breaker_states(quotas) -> dict[str, str]:
    return {s["api_name"]: s["performance"]["circuit_breaker_state"] for s in quotas.statuses()}


def test_two_simulated_minutes_show_routing_a_backup_switch_and_a_breaker_cycle(demo):
    sim, quotas, now = demo
    seen = []  # serpstack's breaker after each one-second step
    for second in range(121):
        now[0] = T0 + timedelta(seconds=second)
        sim.step(now[0])
        seen.append(breaker_states(quotas)["serpstack"])
    changes = [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]]
    assert changes == ["CLOSED", "OPEN", "HALF_OPEN", "CLOSED"]

    statuses = {s["api_name"]: s for s in quotas.statuses()}
    assert all(s["simulated"] and s["enabled"] for s in statuses.values())
    assert all(s["masked_key"] == "simulated" for s in statuses.values())
    assert statuses["serpstack"]["used"] >= 10 and statuses["valueserp"]["used"] >= 1
    serp = statuses["serpstack"]["performance"]
    assert serp["total_calls"] == statuses["serpstack"]["used"]  # every unit was a recorded call
    assert serp["successful_calls"] <= serp["total_calls"] - 4  # 3 to open it, 1 per trial at least
    assert serp["average_response_time_ms"] > MEDIAN_MS["serpstack"]  # the timeouts weigh in

    kinds = [e["kind"] for e in reversed(quotas.recent_events(50))]
    opened, closed = kinds.index("circuit_open"), kinds.index("circuit_closed")
    assert opened < kinds.index("emergency_backup") < closed
    decisions = quotas.recent_decisions(200)
    assert {d["caller"] for d in decisions} == {"simulator"}
    backups = [d for d in decisions if d["emergency_backup"]]
    assert backups and all(d["provider"] == "valueserp" and "serpstack circuit open" in d["reason"] for d in backups)
    assert {d["query_type"] for d in decisions} >= {"serp_positions", "javascript_render"}

    # The quota page draws it: calls, success, latency and breaker per card; the events panel.
    shown = render(quotas.overview(decisions=15, events=20))
    cards = str(shown[Ids.CARDS].full)
    assert provider_id(Ids.SIMULATED, "serpstack") in cards and "simulated demo key" in cards
    assert f"'{serp['total_calls']}'" in cards
    assert f"{serp['success_rate'] * 100:.1f}% ok" in cards
    assert f"{serp['average_response_time_ms']:,.0f} ms" in cards
    events = str(shown[Ids.EVENTS].full)
    assert "CIRCUIT OPEN" in events and "CIRCUIT CLOSED" in events and "BACKUP" in events


def test_an_outage_that_outlasts_the_trial_reopens_the_breaker(small_world, tmp_path):
    svc = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}")
    now = [T0]
    quotas = QuotaManager(svc, clock=lambda: now[0], demo_keys=True)
    import random

    apis = SimulatedApis(random.Random(1), outages=(Outage("serpstack", 0.0, 90.0, 3600.0),))
    sim = Simulator(svc, satellites=6, seed=5, on_api_call=simulated_api_calls(quotas), apis=apis)
    sim.seed_initial(T0)
    for second in range(150):
        now[0] = T0 + timedelta(seconds=second)
        sim.step(now[0])
    messages = [e["message"] for e in reversed(quotas.recent_events(100)) if e["kind"].startswith("circuit")]
    assert any("a trial call failed" in m for m in messages)  # half-open during the outage: open again
    assert "circuit closed" in messages[-1]  # and closed after it
    svc.dispose()


def test_the_snapshot_quota_rows_carry_the_recorded_performance(tmp_path):
    svc = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}")
    now = datetime.now(UTC).replace(tzinfo=None)
    with ticked_app(svc, now) as (_app, ctx, loop):
        for ok, ms in ((True, 120.0), (True, 180.0), (False, 600.0)):
            ctx.quotas.record("hunter_io", ok, ms)
        loop.tick(now=now + timedelta(seconds=1))
        _, doc = ctx.snapshots.load()
    rows = {r["api_name"]: r for r in doc["api_quota_statuses"]}
    assert rows["hunter_io"]["performance"] == {
        "total_calls": 3,
        "successful_calls": 2,
        "average_response_time_ms": 300.0,
        "success_rate": 0.6667,
        "circuit_breaker_state": "CLOSED",
    }
    assert rows["serpstack"]["performance"]["total_calls"] == 0
    assert all(isinstance(r["performance"]["average_response_time_ms"], float) for r in rows.values())
    assert not any(r["simulated"] for r in rows.values())  # no simulator: no demo keys
    svc.dispose()

"""The alert lifecycle: pending period, firing, resolve notice, de-duplication, grouping, repeat,
flapping, acknowledgement, silences, retention, and a successor (or rival) producer.

Time is injected (`at(seconds)`); notices are read from the outbox rows the engine commits
(delivery itself is tested in test_alert_delivery.py).
"""

from __future__ import annotations

import pytest

from alerts.engine import REV_KEY
from conftest import build_services
from test_alert_support import FAST, at, fleet_doc, make_ctx, make_engine, outbox_events

HOOK = "http://127.0.0.1:9/hook"  # never contacted here: delivery is not started


@pytest.fixture
def local(sqlite_url, memory_redis_url):
    services = build_services(sqlite_url, memory_redis_url)
    yield services
    services.dispose()


def engine_for(services, settings=FAST):
    return make_engine(make_ctx(services, alert_webhook_url=HOOK), settings)


def test_pending_period_then_firing_then_resolved_with_one_notice_each(local):
    engine = engine_for(local, FAST.with_rule("queue_overflow", for_s=10))
    over, ok = fleet_doc(queue_depth=1500), fleet_doc(queue_depth=10)
    assert engine.evaluate(over, at(0)) == []
    assert [a["state"] for a in engine.pending(at(0))] == ["pending"]
    assert engine.evaluate(over, at(9)) == []
    [alert] = engine.evaluate(over, at(10))
    assert alert["state"] == "firing" and alert["since"] == "2025-03-01T12:00:00Z"
    for t in range(11, 20):  # de-duplicated: the same condition every tick is one alert
        assert len(engine.evaluate(over, at(t))) == 1
    assert engine.evaluate(ok, at(20)) == []
    assert outbox_events(engine) == [["firing"], ["resolved"]]
    assert [h["event"] for h in reversed(engine.store.history())] == ["pending", "firing", "resolved"]


def test_condition_clearing_during_the_pending_period_sends_nothing(local):
    engine = engine_for(local, FAST.with_rule("queue_overflow", for_s=30))
    engine.evaluate(fleet_doc(queue_depth=1500), at(0))
    engine.evaluate(fleet_doc(queue_depth=5), at(10))
    engine.evaluate(fleet_doc(queue_depth=5), at(60))
    assert outbox_events(engine) == []


def test_simultaneous_alerts_are_grouped_into_one_notice_per_channel(local):
    engine = engine_for(local)
    engine.evaluate(fleet_doc(), at(0))
    alerts = engine.evaluate(fleet_doc(dead=("sat-a", "sat-b", "sat-c"), queue_depth=2000), at(1))
    assert len(alerts) == 4
    [row] = engine.store.outbox()
    assert row["channel"] == "webhook"
    events = row["payload"]["events"]
    assert sorted(e["type"] for e in events) == ["queue_overflow"] + ["satellite_failure"] * 3
    assert sorted(s for e in events for s in e["affected_satellites"]) == ["sat-a", "sat-b", "sat-c"]
    assert alerts[0]["severity"] == "critical"  # most severe first


def test_repeat_interval_and_acknowledgement_stops_repeats(local):
    engine = engine_for(local, FAST)
    doc = fleet_doc(dead=("sat-a",))
    engine.evaluate(doc, at(0))
    engine.evaluate(doc, at(FAST.repeat_interval_s - 1))
    engine.evaluate(doc, at(FAST.repeat_interval_s))
    assert outbox_events(engine) == [["firing"], ["repeat"]]
    fp = engine.firing(at(0))[0]["fingerprint"]
    assert engine.acknowledge(fp, "ops-anna", "restarting the host") is not None
    [alert] = engine.evaluate(doc, at(FAST.repeat_interval_s * 2 + 1))
    assert alert["acknowledged"] and alert["ack_comment"] == "restarting the host"
    assert outbox_events(engine) == [["firing"], ["repeat"]]
    [ack] = engine.store.history(event="acknowledged")
    assert (ack["actor"], ack["comment"]) == ("ops-anna", "restarting the host")


def test_flapping_collapses_into_one_notice_then_announces_stability(local):
    engine = engine_for(local)
    up, down = fleet_doc(queue_depth=5000), fleet_doc(queue_depth=0)
    for i in range(20):  # 20 state changes within a minute
        engine.evaluate(up if i % 2 == 0 else down, at(i * 3))
    events = [e for group in outbox_events(engine) for e in group]
    assert events.count("flapping") == 1
    assert len(events) == FAST.flap_threshold  # firing, resolved, firing, then one "flapping"
    [alert] = engine.evaluate(up, at(60))
    assert alert["flapping"]
    engine.evaluate(up, at(60 + FAST.flap_window_s))  # stable for a whole window
    events = [e for group in outbox_events(engine) for e in group]
    assert events[-1] == "flap_ended" and events.count("flapping") == 1


def test_silence_suppresses_and_its_end_is_announced(local):
    engine = engine_for(local)
    engine.clock = lambda: at(0)
    engine.silence(alert_type="satellite_failure", duration_s=600, by="ops", comment="planned maintenance")
    doc = fleet_doc(dead=("sat-a",))
    [alert] = engine.evaluate(doc, at(1))
    assert alert["silenced"] and outbox_events(engine) == []
    engine.evaluate(doc, at(599))
    assert outbox_events(engine) == []
    engine.evaluate(doc, at(700))  # the silence has expired while the alert still fires
    assert outbox_events(engine) == [["silence_ended"]]
    engine.evaluate(doc, at(701))
    assert outbox_events(engine) == [["silence_ended"]]
    engine.evaluate(fleet_doc(), at(800))
    assert outbox_events(engine) == [["silence_ended"], ["resolved"]]


def test_silence_ended_early_by_a_person_is_announced_on_the_next_tick(local):
    engine = engine_for(local)
    engine.clock = lambda: at(0)
    fp_doc = fleet_doc(queue_depth=3000)
    [alert] = engine.evaluate(fp_doc, at(0))
    silence = engine.silence(
        fingerprint=alert["fingerprint"], duration_s=FAST.repeat_interval_s * 2, by="ops", comment=""
    )
    engine.evaluate(fp_doc, at(FAST.repeat_interval_s + 10))  # silenced: no repeat
    engine.clock = lambda: at(FAST.repeat_interval_s + 20)
    assert engine.end_silence(silence["id"])
    engine.evaluate(fp_doc, at(FAST.repeat_interval_s + 21))
    assert outbox_events(engine) == [["firing"], ["silence_ended"]]


def test_history_is_pruned_after_the_retention(local):
    engine = engine_for(local)
    engine.evaluate(fleet_doc(queue_depth=3000), at(0))
    engine.evaluate(fleet_doc(), at(10))
    assert len(engine.store.history()) == 2
    removed = engine.store.prune(at(31 * 86400), local.settings.history_retention_days)
    assert removed["history"] == 2 and removed["alerts"] == 1 and removed["outbox"] == 0  # undelivered kept
    assert engine.store.history() == []


def test_a_successor_producer_continues_the_lifecycle(local):
    first = engine_for(local)
    doc = fleet_doc(dead=("sat-a",))
    first.evaluate(doc, at(0))
    successor = engine_for(local)  # e.g. another worker that took over the lease
    [alert] = successor.evaluate(doc, at(5))
    assert alert["since"] == "2025-03-01T12:00:00Z"
    successor.evaluate(fleet_doc(), at(10))
    assert outbox_events(successor) == [["firing"], ["resolved"]]


def test_two_producers_evaluating_at_once_send_one_notice(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "O")
    try:
        a, b = engine_for(services), engine_for(services)
        a.evaluate(fleet_doc(), at(0))
        b.evaluate(fleet_doc(), at(0))
        doc = fleet_doc(dead=("sat-a",), queue_depth=2000)
        a.evaluate(doc, at(1))
        b._rev = services.redis.get(REV_KEY)  # b believes its memory is current: a rival, not a successor
        b._rev = int(b._rev)
        assert len(b.evaluate(doc, at(1))) == 2  # b's transition conflicts, it reloads, adopts a's
        a.evaluate(fleet_doc(), at(2))
        b.evaluate(fleet_doc(), at(2))
        assert sorted(outbox_events(a)) == [["firing", "firing"], ["resolved", "resolved"]]
    finally:
        services.dispose()

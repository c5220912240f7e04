"""Delivery through the outbox to real local endpoints: an HTTP server (Slack and the generic
webhook) and an SMTP server (aiosmtpd), both on 127.0.0.1.

Covers: a readable Slack Block Kit message, a JSON webhook, a plain-text + HTML e-mail with
crawled text escaped; endpoint down then up -> exactly one delivery; an app killed mid-delivery
-> delivered after restart; two app instances -> one notice; secrets never logged or stored.
"""

from __future__ import annotations

import logging
import time

import pytest

from alerts.secrets import mask_url
from config import SmtpSettings
from conftest import build_services
from test_alert_support import FAST, Mailbox, Receiver, at, fleet_doc, make_ctx, make_engine, wait_for

SLACK_PATH = "/services/T000/B000/secret-token"
HOOK_PATH = "/hook?token=hook-secret"
HOSTILE = "sat-<script>alert(1)</script>"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.down()


@pytest.fixture
def mailbox():
    m = Mailbox()
    yield m
    m.stop()


@pytest.fixture
def pg_services(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M")
    yield services
    services.dispose()


def channels(receiver, mailbox=None, **more):
    settings = {
        "alert_slack_webhook": receiver.url(SLACK_PATH),
        "alert_webhook_url": receiver.url(HOOK_PATH),
        "public_url": "https://mc.example.org",
    }
    if mailbox is not None:
        settings.update(
            alert_email_recipients=("ops@example.org",),
            smtp=SmtpSettings(host="127.0.0.1", port=mailbox.port, sender="mc@example.org"),
        )
    return settings | more


def test_slack_webhook_and_email_carry_a_readable_escaped_notice(sqlite_url, memory_redis_url, receiver, mailbox):
    services = build_services(sqlite_url, memory_redis_url)
    engine = make_engine(make_ctx(services, **channels(receiver, mailbox)), background=True)
    try:
        engine.evaluate(fleet_doc(), at(0))
        engine.evaluate(fleet_doc(dead=(HOSTILE,)), at(1))
        assert wait_for(lambda: len(receiver.posts) == 2 and len(mailbox.messages) == 1)

        [slack] = receiver.on(SLACK_PATH)
        body = slack["json"]
        # mrkdwn fallback: escaped per Slack (raw < > would form links and mentions)
        assert body["text"].startswith("[CRITICAL] FIRING: Satellite sat-&lt;script&gt;")
        texts = [f["text"] for b in body["blocks"] for f in b.get("fields", [])]
        assert "Severity: CRITICAL" in texts and "What: satellite_failure" in texts
        assert f"Where: satellites {HOSTILE}" in texts
        assert "Since: 2025-03-01T12:00:01Z (UTC)" in texts
        assert any(t.startswith("Recommended action: Check the satellite host") for t in texts)
        assert all(f["type"] == "plain_text" for b in body["blocks"] for f in b.get("fields", []))
        [button] = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert button["url"] == "https://mc.example.org/alerts"

        [hook] = receiver.on(HOOK_PATH)
        payload = hook["json"]
        assert hook["headers"]["X-Notice-Id"] == payload["id"]
        [event] = payload["events"]
        assert event["event"] == "firing" and event["alert"]["affected_jobs"] == []
        assert event["alert"]["affected_satellites"] == [HOSTILE] and event["alert"]["severity"] == "critical"

        [mail] = mailbox.messages
        assert mailbox.envelopes[0].rcpt_tos == ["ops@example.org"]
        assert mail["Subject"].startswith("[CRITICAL] FIRING: Satellite sat-<script>")
        plain = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        assert f"Where: satellites {HOSTILE}" in plain
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
        assert 'href="https://mc.example.org/alerts"' in html

        engine.evaluate(fleet_doc(), at(2))
        assert wait_for(lambda: len(receiver.posts) == 4 and len(mailbox.messages) == 2)
        assert receiver.on(SLACK_PATH)[1]["json"]["text"].startswith("[CRITICAL] RESOLVED")
    finally:
        engine.stop()
        services.dispose()


class Clock:
    def __init__(self, t: float = 0.0):
        self.t = t

    def __call__(self):
        return at(self.t)


def test_endpoint_down_then_up_delivers_exactly_once_and_never_leaks_the_secret(pg_services, receiver, caplog):
    clock = Clock()
    engine = make_engine(make_ctx(pg_services, **channels(receiver)), clock=clock)
    receiver.down()
    engine.evaluate(fleet_doc(queue_depth=5000), at(0))
    with caplog.at_level(logging.WARNING):
        assert engine.outbox.deliver_due() == 0
        clock.t = 1.5
        assert engine.outbox.deliver_due() == 0  # retried after the backoff, still down
        clock.t = 2.0
        assert engine.outbox.deliver_due() == 0  # not due yet: the second backoff is 2 s
    rows = engine.store.outbox(status="pending")
    assert sorted(r["attempts"] for r in rows) == [2, 2]
    assert all("unreachable" in r["last_error"] for r in rows)
    leaked = [t for t in [caplog.text] + [r["last_error"] for r in rows] if "secret" in t]
    assert leaked == []
    receiver.up()
    clock.t = 10.0
    assert engine.outbox.deliver_due() == 2
    assert engine.outbox.deliver_due() == 0
    clock.t = 1000.0
    assert engine.outbox.deliver_due() == 0
    assert len(receiver.on(SLACK_PATH)) == 1 and len(receiver.on(HOOK_PATH)) == 1
    assert {r["status"] for r in engine.store.outbox()} == {"delivered"}


def test_app_killed_mid_delivery_delivers_after_restart(pg_services, receiver):
    clock = Clock()
    before = make_engine(make_ctx(pg_services, **channels(receiver)), clock=clock)
    before.evaluate(fleet_doc(dead=("sat-a",)), at(0))
    claimed = before.outbox.claim()  # the worker took the notices ... and the process died here
    assert len(claimed) == 2
    del before

    after = make_engine(make_ctx(pg_services, **channels(receiver)), clock=clock)  # the restarted app
    after.evaluate(fleet_doc(dead=("sat-a",)), at(5))  # the alert continues: no new notice
    assert after.outbox.deliver_due() == 0  # the dead worker's lease has not lapsed yet
    clock.t = FAST.delivery_lease_s + 1
    assert after.outbox.deliver_due() == 2
    assert len(receiver.on(SLACK_PATH)) == 1 and len(receiver.on(HOOK_PATH)) == 1
    assert receiver.on(HOOK_PATH)[0]["json"]["events"][0]["event"] == "firing"


def test_two_app_instances_send_one_notice(pg_services, receiver):
    settings = channels(receiver)
    one = make_engine(make_ctx(pg_services, **settings), background=True)
    two = make_engine(make_ctx(pg_services, **settings), background=True)
    try:
        for engine in (one, two):  # both believe they are the producer for a moment
            engine.evaluate(fleet_doc(), at(0))
        for engine in (one, two):
            engine.evaluate(fleet_doc(dead=("sat-a", "sat-b")), at(1))
        # and a burst of notices, all delivered by two competing workers
        for i in range(10):
            (one if i % 2 else two).evaluate(fleet_doc(queue_depth=5000 if i % 2 == 0 else 0), at(2 + i * 400))
        expected = len(one.store.outbox(limit=1000))
        assert wait_for(lambda: len(receiver.posts) >= expected)
        time.sleep(0.5)  # a duplicate would arrive within this time
        ids = [p["json"].get("id") for p in receiver.on(HOOK_PATH)]
        assert len(receiver.posts) == expected and len(ids) == len(set(ids))
        sat_firing = [
            (i, e["alert"]["affected_satellites"])
            for i, p in enumerate(receiver.on(HOOK_PATH))
            for e in p["json"]["events"]
            if e["event"] == "firing" and e["alert"]["type"] == "satellite_failure"
        ]
        assert sorted(s for _, (s,) in sat_firing) == ["sat-a", "sat-b"]
        assert len({i for i, _ in sat_firing}) == 1  # both in one grouped notice
    finally:
        one.stop()
        two.stop()


def test_secrets_are_masked():
    assert mask_url("https://hooks.slack.com/services/T0/B0/abc") == "https://hooks.slack.com/…"
    assert mask_url("http://127.0.0.1:8080/x?token=1") == "http://127.0.0.1:8080/…"
    assert mask_url(None) == "(not set)"
    from alerts.channels import DeliveryError
    from alerts.channels.http import post_json

    with pytest.raises(DeliveryError) as err:
        post_json("http://127.0.0.1:9/services/T0/B0/secret-token", {}, timeout=1)
    assert "secret" not in str(err.value) and "127.0.0.1:9" in str(err.value)

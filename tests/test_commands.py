"""Operator commands through Link Profiler's own interfaces, on PostgreSQL + Redis.

A stand-in of Link Profiler's command API (tests/lp_command_api.py: a real HTTP server that
serves /token and checks the bearer token) and a real Redis subscriber on the control channels
receive every command; each must arrive exactly once, in Link Profiler's format, and land in
`mc_audit` with its user, whatever the outcome.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading
import time
from datetime import datetime, timedelta

import pytest
import redis
from sqlalchemy import text

from app import create_app
from commands import audit
from commands.dead_letters import entry_id
from commands.settings import CommandSettings
from common.identity import Identity, Role
from tests import lp_rows
from tests.conftest import CONTROL_PREFIX, build_services
from tests.lp_command_api import PASSWORD, USERNAME, LpCommandApi

pytestmark = pytest.mark.integration

SERVICE_TOKEN = "svc-token-for-commands"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
REMOTE = {"REMOTE_ADDR": "10.1.2.3"}  # not loopback: only the token makes an operator
NOW = datetime(2026, 3, 2, 12, 0, 0)


@pytest.fixture
def lp_api():
    api = LpCommandApi().up()
    yield api
    api.down()


def _app(pg_url, redis_url, commands: CommandSettings):
    services = build_services(pg_url, redis_url, "M", api_token=SERVICE_TOKEN, commands=commands)
    app = create_app(services.settings, services=services, start_background=False)
    return services, app, app.server.extensions["mission_control"]


@pytest.fixture
def world(pg_url, redis_url, lp_api):
    commands = CommandSettings(lp_api_url=lp_api.url, lp_api_username=USERNAME, lp_api_password=PASSWORD, observe_s=5.0)
    services, app, ctx = _app(pg_url, redis_url, commands)
    paused = services.settings.redis_keys.dispatch_paused
    lp_api.effects = {
        "/api/queue/pause_processing": lambda: services.redis.set(paused, "true"),
        "/api/queue/resume_processing": lambda: services.redis.delete(paused),
    }
    yield services, app.server.test_client(), ctx
    ctx.stop()
    services.dispose()


class Subscriber:
    """A real Redis subscriber on control channels, collecting (channel, data) in a thread."""

    def __init__(self, redis_url: str, channels: list[str]):
        self.client = redis.Redis.from_url(redis_url, decode_responses=True)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(*channels)
        self.messages: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            msg = self.pubsub.get_message(timeout=0.1)
            if msg and msg["type"] == "message":
                self.messages.append((msg["channel"], msg["data"]))

    def drain(self, channel: str) -> list[tuple[str, str]]:
        """Everything received before a marker published now on `channel` (pub/sub keeps a
        publisher's order, and Redis runs commands one at a time): no fixed wait."""
        marker = f"marker-{time.monotonic_ns()}"
        self.client.publish(channel, marker)
        return self.wait_for_marker(marker)

    def wait_for_marker(self, marker: str, timeout: float = 5.0) -> list[tuple[str, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = list(self.messages)
            for i, (_channel, data) in enumerate(seen):
                if data == marker:
                    return seen[:i]
            time.sleep(0.02)
        raise AssertionError(f"the marker never arrived; received {self.messages!r}")

    def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[str, str]]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.pubsub.close()
        self.client.close()


def _audit(services) -> list[dict]:
    rows, _total = audit.page(services.mc_engine, audit.AuditFilter(), 0, 500)
    return list(reversed(rows))  # oldest first


def test_every_command_arrives_once_in_link_profilers_format_and_is_audited(world, lp_api, redis_url):
    services, client, _ctx = world
    job = lp_rows.job("queued", created=NOW)
    lp_rows.insert(services, "crawl_jobs", [job])

    def cancel(job_id):  # what Link Profiler's coordinator does before it answers
        with services.engine.begin() as conn:
            conn.execute(text("UPDATE crawl_jobs SET status = 'cancelled' WHERE id = :id"), {"id": job_id})

    lp_api.on_cancel = cancel
    sub = Subscriber(redis_url, [CONTROL_PREFIX + "sat-a", CONTROL_PREFIX + "all"])
    try:
        answers = [
            client.post(
                "/api/v1/commands/dispatch/pause", json={"reason": "db maintenance"}, headers=AUTH, environ_base=REMOTE
            ),
            client.post("/api/v1/commands/dispatch/resume", headers=AUTH, environ_base=REMOTE),
            client.post(
                f"/api/v1/commands/jobs/{job['id']}/cancel",
                json={"reason": "wrong target"},
                headers=AUTH,
                environ_base=REMOTE,
            ),
            client.post(
                "/api/v1/commands/satellites/sat-a/pause", json={"wait": False}, headers=AUTH, environ_base=REMOTE
            ),
            client.post(
                "/api/v1/commands/satellites/all/shutdown", json={"wait": False}, headers=AUTH, environ_base=REMOTE
            ),
            client.post(
                "/api/v1/commands/satellites/sat-a/restart", json={"wait": False}, headers=AUTH, environ_base=REMOTE
            ),
        ]
        assert [a.status_code for a in answers] == [200] * 6, [a.get_json() for a in answers]
        messages = sub.drain(CONTROL_PREFIX + "all")  # a duplicate would arrive before the marker
    finally:
        sub.close()

    # Link Profiler's HTTP API: one sign-in (the token is cached), one call per command, each with it.
    assert lp_api.paths() == [
        "/token",
        "/api/queue/pause_processing",
        "/api/queue/resume_processing",
        f"/api/queue/cancel_job/{job['id']}",
    ]
    token = lp_api.calls[0]
    assert token.form == {"username": USERNAME, "password": PASSWORD}
    assert all(c.authorization == f"Bearer {next(iter(lp_api.tokens))}" for c in lp_api.calls[1:])
    # Its control channels: exactly the coordinator's JSON, once each.
    assert messages == [
        (CONTROL_PREFIX + "sat-a", '{"command": "PAUSE", "payload": {}}'),
        (CONTROL_PREFIX + "all", '{"command": "SHUTDOWN", "payload": {}}'),
        (CONTROL_PREFIX + "sat-a", '{"command": "RESTART", "payload": {}}'),
    ]
    # The outcome observed afterwards: the job's status re-read from its row.
    assert answers[0].get_json()["observed"] == "job_processing_paused is set: dispatch is paused"
    assert answers[1].get_json()["observed"] == "job_processing_paused is not set: dispatch runs"
    cancelled = answers[2].get_json()
    assert cancelled["result"] == "ok" and cancelled["observed"] == "job status: cancelled"
    assert cancelled["detail"] == f"Link Profiler: Job {job['id']} cancelled successfully."

    records = _audit(services)
    assert [(r["user"], r["via"], r["action"], r["target"], r["result"]) for r in records] == [
        ("service", "service_token", "dispatch_pause", None, "ok"),
        ("service", "service_token", "dispatch_resume", None, "ok"),
        ("service", "service_token", "job_cancel", job["id"], "ok"),
        ("service", "service_token", "satellite_pause", "sat-a", "ok"),
        ("service", "service_token", "satellite_shutdown", "all", "ok"),
        ("service", "service_token", "satellite_restart", "sat-a", "ok"),
    ]
    assert records[0]["reason"] == "db maintenance" and records[2]["reason"] == "wrong target"
    assert records[2]["observed"] == "job status: cancelled"
    assert records[3]["detail"] == f"PAUSE published on {CONTROL_PREFIX}sat-a, received by 1 listener"


def test_not_configured_is_refused_with_the_reason_and_audited(pg_url, redis_url):
    services, app, ctx = _app(pg_url, redis_url, CommandSettings())
    try:
        client = app.server.test_client()
        resp = client.post("/api/v1/commands/dispatch/pause", json={"reason": "x"}, headers=AUTH, environ_base=REMOTE)
        assert resp.status_code == 409
        body = resp.get_json()
        assert body["error"] == "MC_LP_API_URL is not set" and body["result"] == "refused"
        listed = {
            c["name"]: c
            for c in client.get("/api/v1/commands", headers=AUTH, environ_base=REMOTE).get_json()["commands"]
        }
        assert (
            listed["job_cancel"]["available"] is False and listed["job_cancel"]["reason"] == "MC_LP_API_URL is not set"
        )
        assert listed["satellite_pause"]["available"] is True
        [record] = _audit(services)
        assert (record["user"], record["action"], record["result"], record["detail"]) == (
            "service",
            "dispatch_pause",
            "refused",
            "MC_LP_API_URL is not set",
        )
    finally:
        ctx.stop()
        services.dispose()


def test_a_caller_without_the_role_is_refused_and_audited(world):
    services, client, _ctx = world
    resp = client.post("/api/v1/commands/satellites/all/pause", json={"reason": "try"}, environ_base=REMOTE)
    assert resp.status_code == 401
    assert "needs the operator role" in resp.get_json()["error"]
    [record] = _audit(services)
    assert (record["user"], record["role"], record["action"], record["result"]) == (
        "anonymous",
        "viewer",
        "satellite_pause",
        "refused",
    )
    assert "needs the operator role" in record["detail"]


@pytest.mark.parametrize(
    "status, body, expected",
    [
        (403, {"detail": "Admin privileges required."}, "Link Profiler answered 403: Admin privileges required."),
        (
            500,
            {"detail": "Failed to pause job processing: redis down"},
            "Link Profiler answered 500: Failed to pause job processing: redis down",
        ),
    ],
)
def test_link_profiler_refusing_fails_with_its_reason(world, lp_api, status, body, expected):
    services, client, _ctx = world
    lp_api.answers["/api/queue/pause_processing"] = (status, body)
    resp = client.post("/api/v1/commands/dispatch/pause", headers=AUTH, environ_base=REMOTE)
    assert resp.status_code == 424
    answer = resp.get_json()
    assert (answer["error"], answer["result"], answer["lp_status"]) == (expected, "failed", status)
    [record] = _audit(services)
    assert (record["result"], record["detail"]) == ("failed", expected)


def test_bad_credentials_fail_with_link_profilers_sign_in_reason(pg_url, redis_url, lp_api):
    commands = CommandSettings(lp_api_url=lp_api.url, lp_api_username=USERNAME, lp_api_password="wrong")
    services, app, ctx = _app(pg_url, redis_url, commands)
    try:
        resp = app.server.test_client().post("/api/v1/commands/dispatch/resume", headers=AUTH, environ_base=REMOTE)
        assert resp.status_code == 424
        assert resp.get_json()["error"] == (
            "Link Profiler answered 401: sign-in to Link Profiler failed: Incorrect username or password"
        )
        assert lp_api.paths() == ["/token"]
    finally:
        ctx.stop()
        services.dispose()


def test_a_static_token_is_sent_as_is_and_an_unreachable_api_is_a_failure(pg_url, redis_url, lp_api):
    lp_api.static_token = "static-lp-token"
    commands = CommandSettings(lp_api_url=lp_api.url, lp_api_token="static-lp-token")
    services, app, ctx = _app(pg_url, redis_url, commands)
    try:
        client = app.server.test_client()
        paused = client.post("/api/v1/commands/dispatch/pause", json={"wait": False}, headers=AUTH, environ_base=REMOTE)
        assert paused.status_code == 200 and paused.get_json()["observed"] is None
        assert [(c.path, c.authorization) for c in lp_api.calls] == [
            ("/api/queue/pause_processing", "Bearer static-lp-token")
        ]
        lp_api.down()
        resp = client.post("/api/v1/commands/dispatch/resume", headers=AUTH, environ_base=REMOTE)
        assert resp.status_code == 424
        assert resp.get_json()["error"].startswith(
            f"Link Profiler was not reached: Link Profiler's API at {lp_api.url}"
        )
    finally:
        ctx.stop()
        services.dispose()


# -- dead letters -------------------------------------------------------------------------
def _dead(job_id: str, reason: str, status: str = "failed", priority=7) -> str:
    return json.dumps(
        {
            "id": job_id,
            "target_url": "https://t.example/",
            "job_type": "backlink_discovery",
            "status": status,
            "priority": priority,
            "errors_count": 3,
            "error_log": ["boom"],
            "dead_letter_reason": reason,
            "dead_letter_timestamp": (NOW - timedelta(minutes=5)).isoformat(),
        }
    )


def _queued(services, kind: str) -> list[tuple[dict, float | None]]:
    keys = services.settings.redis_keys
    if kind == "zset":
        return [(json.loads(m), s) for m, s in services.redis.zrange(keys.job_queue, 0, -1, withscores=True)]
    return [(json.loads(m), None) for m in services.redis.lrange(keys.job_queue, 0, -1)]


@pytest.mark.parametrize("kind", ["list", "zset"])
def test_dead_letter_retry_puts_the_entry_back_without_the_two_fields(world, kind):
    services, client, _ctx = world
    keys = services.settings.redis_keys
    r = services.redis
    # The queue holds one job already, so its type is `kind`.
    existing = json.dumps({"id": "queued-1", "priority": 1})
    r.lpush(keys.job_queue, existing) if kind == "list" else r.zadd(keys.job_queue, {existing: 1})
    entries = [_dead("job-1", "Crawl timeout"), "not json at all", _dead("job-2", "DNS failure", priority="x")]
    r.rpush(keys.dead_letter, *entries)

    page = client.get("/api/v1/commands/dead-letters", headers=AUTH, environ_base=REMOTE).get_json()
    assert page["total"] == 3
    first = page["entries"][0]
    assert (first["job_id"], first["reason"], first["id"]) == ("job-1", "Crawl timeout", entry_id(entries[0]))
    assert first["age_s"] > 0

    resp = client.post(
        f"/api/v1/commands/dead-letters/{first['id']}/retry",
        json={"position": 0, "wait": False},
        headers=AUTH,
        environ_base=REMOTE,
    )
    assert resp.status_code == 200, resp.get_json()
    retried = [(doc, score) for doc, score in _queued(services, kind) if doc["id"] == "job-1"]
    assert len(retried) == 1
    doc, score = retried[0]
    assert "dead_letter_reason" not in doc and "dead_letter_timestamp" not in doc
    assert (doc["status"], doc["errors_count"], doc["error_log"]) == ("pending", 0, [])
    assert score == (7.0 if kind == "zset" else None)
    assert r.lrange(keys.dead_letter, 0, -1) == entries[1:]

    # Retrying the same entry again: it is gone, nothing is pushed twice.
    again = client.post(f"/api/v1/commands/dead-letters/{first['id']}/retry", headers=AUTH, environ_base=REMOTE)
    assert again.status_code == 424 and "no longer in the queue" in again.get_json()["error"]
    assert len([d for d, _s in _queued(services, kind) if d["id"] == "job-1"]) == 1

    # Retry all: what cannot be retried stays, in its order, and says why.
    r.rpush(keys.dead_letter, _dead("job-3", "Rate limited", status="cancelled"))
    resp = client.post(
        "/api/v1/commands/dead-letters/all/retry", json={"wait": False}, headers=AUTH, environ_base=REMOTE
    )
    assert resp.status_code == 200
    assert resp.get_json()["detail"].startswith(f"1 put back on {keys.job_queue}; 2 could not be retried and stay")
    assert r.lrange(keys.dead_letter, 0, -1) == entries[1:]
    job3 = [d for d, _s in _queued(services, kind) if d["id"] == "job-3"]
    assert job3 and job3[0]["status"] == "cancelled" and "dead_letter_reason" not in job3[0]

    # Purge one, then all.
    resp = client.post(f"/api/v1/commands/dead-letters/{entry_id(entries[1])}/purge", headers=AUTH, environ_base=REMOTE)
    assert resp.status_code == 200 and r.lrange(keys.dead_letter, 0, -1) == [entries[2]]
    resp = client.post("/api/v1/commands/dead-letters/all/purge", headers=AUTH, environ_base=REMOTE)
    assert resp.status_code == 200 and resp.get_json()["detail"] == f"1 deleted from {keys.dead_letter}"
    assert r.exists(keys.dead_letter) == 0
    actions = [(a["action"], a["result"]) for a in _audit(services)]
    assert actions == [
        ("dead_letters_retry", "ok"),
        ("dead_letters_retry", "failed"),
        ("dead_letters_retry", "ok"),
        ("dead_letters_purge", "ok"),
        ("dead_letters_purge", "ok"),
    ]


def test_concurrent_retries_of_one_entry_move_it_once(world):
    services, _client, ctx = world
    keys = services.settings.redis_keys
    raw = _dead("job-9", "boom")
    services.redis.rpush(keys.dead_letter, *[_dead(f"other-{i}", "x") for i in range(50)], raw)
    who = Identity("ops", Role.OPERATOR, "session")
    results: list[str] = []
    barrier = threading.Barrier(6)

    def retry():
        barrier.wait()
        results.append(ctx.commands.run(who, "dead_letters_retry", entry_id(raw), {"position": 0}, wait=False).result)

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == ["failed"] * 5 + ["ok"]
    assert len([d for d, _s in _queued(services, "zset") if d["id"] == "job-9"]) == 1
    assert services.redis.llen(keys.dead_letter) == 50


# -- the simulator obeys ------------------------------------------------------------------
def test_the_simulator_obeys_commands_like_link_profiler(pg_url, redis_url, small_world):
    from simulator import Simulator

    services = build_services(pg_url, redis_url, "M", api_token=SERVICE_TOKEN, commands=CommandSettings(observe_s=0.0))
    services.settings = dataclasses.replace(services.settings, simulate="on")
    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    try:
        sim: Simulator = ctx.simulator
        sim.seed_initial(NOW)
        sim.step(NOW)
        keys = services.settings.redis_keys
        sat = sim.fleet[0].id
        who = Identity("ops", Role.OPERATOR, "session")

        def details(s: str) -> dict:
            return json.loads(services.redis.get(keys.details_prefix + s))

        assert details(sat)["status"] == "running"
        out = ctx.commands.run(who, "satellite_pause", sat, wait=False)
        assert out.ok, out
        sim.step(NOW + timedelta(seconds=5))
        assert details(sat)["status"] == "paused"
        assert details(sim.fleet[1].id)["status"] == "running"
        # What the runner reports having seen: the next heartbeat's status.
        assert ctx.commands._observe_satellites("satellite_pause", sat, {"beats": {sat: None}}) == (
            f"{sat}: paused (heartbeat {(NOW + timedelta(seconds=5)).isoformat()})"
        )

        ctx.commands.run(who, "satellite_resume", sat, wait=False)
        uptime_before = details(sat)["uptime_seconds"]
        ctx.commands.run(who, "satellite_restart", sat, wait=False)
        sim.step(NOW + timedelta(seconds=10))
        assert details(sat)["status"] == "running" and details(sat)["uptime_seconds"] < uptime_before

        last = details(sat)["last_seen"]
        ctx.commands.run(who, "satellite_shutdown", sat, wait=False)
        sim.step(NOW + timedelta(seconds=15))
        sim.step(NOW + timedelta(seconds=20))
        assert details(sat)["last_seen"] == last  # no heartbeat since

        # Dispatch, through the demo's stand-in of Link Profiler's API.
        assert ctx.commands.run(who, "dispatch_pause").ok
        assert services.redis.get(keys.dispatch_paused) == "true"
        depth = sim.queue.depth()
        for sat_ in sim.fleet[1:]:
            sat_.paused = False
        sim.step(NOW + timedelta(seconds=25))
        assert all(s.paused for s in sim.fleet if s.alive)  # PAUSE went to every satellite
        assert sim.queue.depth() >= depth  # nothing dispatched
        assert ctx.commands.run(who, "dispatch_resume").ok
        assert not services.redis.exists(keys.dispatch_paused)

        # Cancel a queued job: out of the queue, its row cancelled, the status observed.
        with services.engine.connect() as conn:
            queued = conn.execute(text("SELECT id FROM crawl_jobs WHERE status = 'queued' LIMIT 1")).scalar()
        out = ctx.commands.run(who, "job_cancel", queued)
        assert (out.result, out.observed) == ("ok", "job status: cancelled")
        assert queued not in sim.queue.job_ids()
        # A job that does not exist: Link Profiler's answer.
        out = ctx.commands.run(who, "job_cancel", "no-such-job")
        assert (out.result, out.detail) == ("failed", "Link Profiler answered 500: Failed to cancel job no-such-job.")
    finally:
        ctx.stop()
        services.dispose()


def test_the_token_is_fetched_again_when_it_expires_or_is_refused(pg_url, redis_url, lp_api):
    from commands.lp_api import HttpLpApi

    now = [1000.0]
    lp_api.token_life_s = 600.0  # exp = real time + 600 s; the client's clock below decides when it is stale
    client = HttpLpApi(
        CommandSettings(lp_api_url=lp_api.url, lp_api_username=USERNAME, lp_api_password=PASSWORD),
        clock=lambda: now[0],
    )
    assert client.post("/api/queue/resume_processing").ok
    assert client.post("/api/queue/resume_processing").ok
    assert lp_api.paths().count("/token") == 1  # kept while valid
    now[0] = time.time() + 10_000  # past its exp: signed in again before the call
    assert client.post("/api/queue/resume_processing").ok
    assert lp_api.paths().count("/token") == 2
    lp_api.tokens.clear()  # Link Profiler restarted with a new secret: 401, sign in once more, retry
    now[0] = 1000.0
    answer = client.post("/api/queue/pause_processing")
    assert answer.ok and answer.message == "Job processing paused successfully."
    assert lp_api.paths()[-3:] == ["/api/queue/pause_processing", "/token", "/api/queue/pause_processing"]


def test_hostile_dead_letters_stay_text(world):
    services, client, _ctx = world
    hostile = '=cmd|" /C calc"!A0 <script>alert(1)</script>'
    services.redis.rpush(services.settings.redis_keys.dead_letter, _dead("<b>job</b>", hostile))
    page = client.get("/api/v1/commands/dead-letters", headers=AUTH, environ_base=REMOTE)
    assert page.mimetype == "application/json"
    [entry] = page.get_json()["entries"]
    assert (entry["job_id"], entry["reason"]) == ("<b>job</b>", hostile)
    resp = client.post(
        f"/api/v1/commands/dead-letters/{entry['id']}/purge",
        json={"reason": hostile},
        headers=AUTH,
        environ_base=REMOTE,
    )
    assert resp.status_code == 200
    exported = client.get("/api/v1/audit.csv", headers=AUTH, environ_base=REMOTE).get_data(as_text=True)
    [record] = list(csv.DictReader(io.StringIO(exported)))
    assert record["reason"] == "'" + hostile  # the formula is defused; the text is kept as text
    assert record["action"] == "dead_letters_purge"


def test_a_command_that_cannot_be_audited_is_not_run(world, redis_url):
    services, client, _ctx = world
    with services.mc_engine.begin() as conn:
        conn.execute(text("DROP TABLE mc_audit"))
    sub = Subscriber(redis_url, [CONTROL_PREFIX + "all"])
    try:
        resp = client.post("/api/v1/commands/satellites/all/pause", headers=AUTH, environ_base=REMOTE)
        assert resp.status_code == 503
        assert resp.get_json()["error"].startswith("the audit log cannot be written, so the command was not run")
        assert sub.drain(CONTROL_PREFIX + "all") == []
    finally:
        sub.close()

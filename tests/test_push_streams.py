"""The push streams on real PostgreSQL and Redis, with real clients on a loopback server: the
WebSocket Link Profiler's UI speaks (LINK_PROFILER_CONTRACT.md), the SSE version notices for
dashboard tabs, one cap for all with slots that come back when a client is killed, and one
document fetch per version per process (api/notice_hub.py)."""

from __future__ import annotations

import json
import socket
import struct
import time
import urllib.error
import urllib.request

import pytest
import websocket

from api import streams
from api.notice_hub import NoticeHub
from data.connections import make_redis
from producer.snapshot_store import SnapshotStore
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW
from tests.test_snapshot import CONTRACT_KEYS

# The stated bound: a killed client's slot is back once its host closes the socket (the
# reader sees it at once); this leaves room for a loaded machine.
SLOT_BACK_S = streams.HEARTBEAT_S + 5


@pytest.fixture
def push_app(pg_url, redis_url, serve):
    """build(**settings) -> (base URL, ctx, loop): the app over the test dataset, ticked once,
    on a threaded loopback server; the test publishes further versions with loop.tick()."""
    made = []

    def build(**overrides):
        services = build_services(pg_url, redis_url, "M", **overrides)
        dataset.load(services)
        cm = ticked_app(services, NOW)
        app, ctx, loop = cm.__enter__()
        made.append((cm, services))
        return serve(app), ctx, loop

    yield build
    for cm, services in made:
        cm.__exit__(None, None, None)
        services.dispose()


def _ws(base: str, timeout: float = 15) -> websocket.WebSocket:
    return websocket.create_connection(base.replace("http://", "ws://") + "/ws/mission-control", timeout=timeout)


def _json_frame(ws: websocket.WebSocket) -> dict:
    opcode, data = ws.recv_data()
    assert opcode == websocket.ABNF.OPCODE_TEXT, (opcode, data[:200])
    return json.loads(data)


def _refused(ws: websocket.WebSocket) -> tuple[dict, int]:
    """(the error frame, the close code) of a refused WebSocket."""
    frame = _json_frame(ws)
    opcode, data = ws.recv_data(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    return frame, struct.unpack("!H", data[:2])[0]


def _kill(ws: websocket.WebSocket) -> None:
    """Drop the connection as a killed client's host would: RST, no close frame."""
    ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    ws.sock.close()


def _wait_for(what: str, check, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while not (value := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout_s} s")
        time.sleep(0.05)
    return value


def _snapshot(base: str) -> dict:
    with urllib.request.urlopen(base + "/api/v1/snapshot", timeout=10) as resp:
        return json.loads(resp.read())


def test_websocket_speaks_the_contract(push_app):
    base, ctx, loop = push_app()
    ws = _ws(base)
    try:
        hello = _json_frame(ws)
        assert hello["type"] == "connection_established" and hello["message"] and hello["timestamp"]
        # The current version at once, then one whole document per new version, each the same
        # dict as /api/v1/snapshot.
        first = _json_frame(ws)
        assert first.keys() >= CONTRACT_KEYS and first == _snapshot(base)
        versions = [first["version"]]
        for _ in range(3):
            published = loop.tick(now=NOW)
            doc = _json_frame(ws)
            assert doc.keys() >= CONTRACT_KEYS and "type" not in doc
            assert doc["version"] == published and doc == _snapshot(base)
            versions.append(doc["version"])
        assert versions == list(range(versions[0], versions[0] + 4))
        # The producer pauses: a heartbeat, and nothing else, after HEARTBEAT_S.
        beat = _json_frame(ws)
        assert beat.keys() == {"type", "timestamp"} and beat["type"] == "heartbeat"
        assert ctx.services.redis.zcard(streams.STREAM_CLIENTS) == 1
    finally:
        ws.close()
    _wait_for("the slot given back on close", lambda: ctx.services.redis.zcard(streams.STREAM_CLIENTS) == 0, 10)


def test_over_the_cap_refused_and_a_killed_clients_slot_comes_back(push_app):
    cap = 3
    base, ctx, _loop = push_app(max_websocket_connections=cap)
    redis = ctx.services.redis
    held = [_ws(base) for _ in range(cap)]
    try:
        for ws in held:
            assert _json_frame(ws)["type"] == "connection_established"
        assert redis.zcard(streams.STREAM_CLIENTS) == cap
        for _ in range(2):
            frame, code = _refused(_ws(base))
            assert frame["type"] == "error" and frame["message"] == "Maximum WebSocket connections reached"
            assert frame["timestamp"] and code == 1013
        # An SSE client is under the same cap.
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/api/v1/stream?only=version", timeout=10)
        assert refused.value.code == 503 and "MAX_WEBSOCKET_CONNECTIONS" in json.loads(refused.value.read())["error"]

        _kill(held.pop())  # no close frame: RST
        _wait_for("the killed client's slot back", lambda: redis.zcard(streams.STREAM_CLIENTS) == cap - 1, SLOT_BACK_S)
        newcomer = _ws(base)
        held.append(newcomer)
        assert _json_frame(newcomer)["type"] == "connection_established"
        assert _json_frame(newcomer).keys() >= CONTRACT_KEYS
        frame, code = _refused(_ws(base))
        assert (frame["message"], code) == ("Maximum WebSocket connections reached", 1013)
    finally:
        for ws in held:
            ws.close()


def test_websocket_disabled_is_refused_with_1011(push_app):
    base, ctx, _loop = push_app(websocket_enabled=False)
    frame, code = _refused(_ws(base))
    assert frame["type"] == "error" and "WEBSOCKET_ENABLED=false" in frame["message"] and code == 1011
    assert ctx.services.redis.zcard(streams.STREAM_CLIENTS) == 0


def _sse_events(resp, count: int) -> list[tuple[str, str]]:
    """The next `count` (event, data) pairs of an SSE response (comments and retry skipped)."""
    out: list[tuple[str, str]] = []
    event = data = None
    while len(out) < count:
        line = resp.readline().decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and event is not None and data is not None:
            out.append((event, data))
            event = data = None
    return out


def test_version_stream_carries_only_notices_one_per_version(push_app):
    base, ctx, loop = push_app()
    resp = urllib.request.urlopen(base + "/api/v1/stream?only=version", timeout=15)
    try:
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        [(event, data)] = _sse_events(resp, 1)  # the current version, at once
        current = ctx.snapshots.version()
        notices = [json.loads(data)]
        assert event == "version" and notices[0]["version"] == current
        published = [loop.tick(now=NOW) for _ in range(3)]
        for event, data in _sse_events(resp, 3):
            assert event == "version" and len(data) < 200
            notices.append(json.loads(data))
        assert [n["version"] for n in notices] == [current, *published]
        for n in notices:
            assert n.keys() == {"version", "built_at", "published_at"}
            assert n["built_at"].endswith("Z") and isinstance(n["published_at"], float)
    finally:
        resp.close()


def test_snapshot_stream_for_api_clients_is_unchanged(push_app):
    base, _ctx, loop = push_app()
    resp = urllib.request.urlopen(base + "/api/v1/stream", timeout=15)
    try:
        assert resp.readline() == b"retry: 1000\n"
        [(event, data)] = _sse_events(resp, 1)
        assert event == "snapshot" and json.loads(data) == _snapshot(base)
        version = loop.tick(now=NOW)
        [(event, data)] = _sse_events(resp, 1)
        assert event == "snapshot" and json.loads(data)["version"] == version
    finally:
        resp.close()
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(base + "/api/v1/stream?only=documents", timeout=10)
    assert bad.value.code == 400


def test_a_version_is_fetched_once_per_process_whatever_the_streams(push_app):
    base, ctx, loop = push_app()
    hub = ctx.parts[0]
    assert isinstance(hub, NoticeHub)
    clients = [_ws(base) for _ in range(4)]
    sse = [urllib.request.urlopen(base + "/api/v1/stream", timeout=15) for _ in range(3)]
    try:
        for ws in clients:
            assert _json_frame(ws)["type"] == "connection_established"
            _json_frame(ws)
        for resp in sse:
            _sse_events(resp, 1)
        before = hub.documents_loaded
        assert before == 1
        for _ in range(3):
            version = loop.tick(now=NOW)
            assert {_json_frame(ws)["version"] for ws in clients} == {version}
            assert {json.loads(_sse_events(r, 1)[0][1])["version"] for r in sse} == {version}
        assert hub.documents_loaded == before + 3  # not 7 clients × 3
    finally:
        for ws in clients:
            ws.close()
        for resp in sse:
            resp.close()


def test_the_hub_polls_when_notices_do_not_arrive_and_ignores_foreign_ones(redis_url):
    redis = make_redis(redis_url)
    publisher = SnapshotStore(redis, "mc:snapshot:notices:elsewhere")  # a channel the hub never hears
    hub = NoticeHub(SnapshotStore(make_redis(redis_url), "mc:snapshot:notices:test-hub"), poll_s=0.2)
    try:
        assert hub.latest() is None
        version = publisher.publish({"timestamp": "2026-11-28T12:00:00", "mc": {"built_at": 1.0}})
        notice = hub.wait(None, 10)  # found by the fallback poll
        assert notice is not None and notice.version == version
        told = json.loads(notice.text)
        assert told == {"version": version, "built_at": "1970-01-01T00:00:01Z", "published_at": told["published_at"]}
        _wait_for("subscribed", lambda: hub.subscribed, 10)
        # Another deployment's notice on our channel is only a hint: our own key says nothing new.
        redis.publish("mc:snapshot:notices:test-hub", json.dumps({"version": version + 50}))
        assert hub.wait(version, 0.5) is None
    finally:
        hub.stop()
        redis.close()


def test_the_hub_works_on_the_embedded_redis(memory_redis_url):
    store = SnapshotStore(make_redis(memory_redis_url))
    hub = NoticeHub(store)
    try:
        assert hub.wait(None, 0.1) is None
        _wait_for("subscribed", lambda: hub.subscribed, 10)
        version = store.publish({"timestamp": "t"})
        notice = hub.wait(None, 10)
        assert notice is not None and notice.version == version
        assert json.loads(hub.document(version))["version"] == version
    finally:
        hub.stop()

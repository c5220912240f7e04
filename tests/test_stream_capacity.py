"""Stream clients can never starve the server of threads (issue 15): each worker process admits
at most `threads - reserve` push streams, so /healthz and the pages are answered while every
stream is held, and a vanished client's place comes back.

The attack runs on the real thing: the app under real gunicorn (gthread, 1 worker × 8 threads,
so 4 streams), real PostgreSQL and Redis, raw-socket clients with tiny receive buffers that never
read. The in-process tests pin the order of the two holds (this process's place, then the
deployment-wide Redis slot): neither leaks when the other refuses.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from api import streams
from api.stream_capacity import StreamGate, server_capacity
from config import ConfigError, load_settings, stream_reserve, streams_per_worker
from data.connections import make_redis
from producer.snapshot_store import SnapshotStore
from tests import dataset
from tests.conftest import build_services, isolated_env, make_settings, ticked_app
from tests.dataset import NOW
from tests.app_process import stop_process

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
THREADS = 8
BOUND = THREADS - 4  # reserve = max(4, 25 % of 8)
CLIENT_TIMEOUT_S = 5  # what a health check would wait (the Dockerfile's waits 3)
RECOVERY_S = 30


# -- the bound --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "threads, reserve, bound", [(1, 4, 0), (4, 4, 0), (5, 4, 1), (8, 4, 4), (16, 4, 12), (32, 8, 24), (100, 25, 75)]
)
def test_the_bound_leaves_at_least_four_threads_or_a_quarter(threads, reserve, bound):
    assert stream_reserve(threads) == reserve
    assert streams_per_worker(threads) == bound


def test_an_explicit_bound_that_takes_the_reserve_stops_start_up():
    assert load_settings({"THREADS": "16", "MC_STREAMS_PER_WORKER": "12"}, dotenv_path=None).streams_per_worker == 12
    with pytest.raises(ConfigError) as err:
        load_settings({"THREADS": "16", "MC_STREAMS_PER_WORKER": "13"}, dotenv_path=None)
    assert str(err.value).startswith("MC_STREAMS_PER_WORKER=13 must be at most 12") and "\n" not in str(err.value)
    for env, needle in (({"THREADS": "0"}, "THREADS=0 must be at least 1"), ({"THREADS": "x"}, "THREADS='x'")):
        with pytest.raises(ConfigError, match=re.escape(needle)):
            load_settings(env, dotenv_path=None)


def test_gunicorns_own_thread_count_wins_over_threads():
    settings = make_settings(worker_threads=16)
    gthread = SimpleNamespace(worker_class_str="gthread", threads=8, worker_connections=1000)
    assert server_capacity(settings, gthread).connections == 8
    assert StreamGate.for_settings(settings, gthread).limit == 4
    sync = SimpleNamespace(worker_class_str="sync", threads=1, worker_connections=1000)
    assert StreamGate.for_settings(settings, sync).limit == 0  # a sync worker can hold no stream
    assert server_capacity(make_settings(worker_threads=6), None).connections == 6
    assert server_capacity(make_settings(), None).connections == 16  # the Dockerfile's default
    with pytest.raises(ConfigError, match="MC_STREAMS_PER_WORKER=5 must be at most 4"):
        StreamGate.for_settings(make_settings(streams_per_worker=5), gthread)


def test_a_gevent_worker_is_bounded_by_its_connections_not_threads():
    # gunicorn.conf.py: a stream is a greenlet; the worker serves worker_connections at once.
    gevent = SimpleNamespace(worker_class_str="gevent", threads=1, worker_connections=1000)
    gate = StreamGate.for_settings(make_settings(worker_threads=16), gevent)
    assert (gate.limit, gate.capacity.connections, gate.capacity.unit) == (750, 1000, "connections")
    assert gate.describe() == (
        "at most 750 push streams in this process "
        "(1000 connections from gunicorn gevent --worker-connections, 250 kept for other requests)"
    )
    classed = SimpleNamespace(
        worker_class_str="gunicorn.workers.ggevent.GeventWorker", threads=1, worker_connections=40
    )
    assert StreamGate.for_settings(make_settings(), classed).limit == 30
    with pytest.raises(
        ConfigError, match="MC_STREAMS_PER_WORKER=751 must be at most 750: a worker with 1000 connections"
    ):
        StreamGate.for_settings(make_settings(streams_per_worker=751), gevent)


# -- raw clients ------------------------------------------------------------------------------
def _non_reader(port: int, path: str) -> socket.socket:
    """A stream client that sends its request and never reads a byte (tiny receive buffer)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    return s


def _kill(s: socket.socket) -> None:
    """Drop the connection as a killed client would: RST, unread data discarded."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def _refusal(port: int, path: str) -> tuple[int, dict[str, str], dict]:
    """(status, headers, JSON body) of a stream request answered at once (a refusal)."""
    with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT_S) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split(" ", 2)[1]), headers, json.loads(body)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=CLIENT_TIMEOUT_S) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _live_here(base: str) -> int:
    _, body = _get(base + "/metrics")
    found = re.search(rb"^mc_stream_clients_here (\d+)(?:\.0)?$", body, re.M)
    assert found, body[-500:]
    return int(found[1])


def _wait_for(what: str, check, timeout_s: float, tick=None):
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout_s} s")
        if tick is not None:
            tick()
        time.sleep(0.2)


# -- the attack on real gunicorn --------------------------------------------------------------
@pytest.fixture
def gunicorn_server(pg_url, redis_url, tmp_path):
    """The app under real gunicorn (gthread, 1 worker × 8 threads) on a free loopback port.
    Yields (base URL, Redis client of its database). No producer runs in it: the test decides
    when a snapshot is published, so a held stream writes only when the test wants it to."""
    services = build_services(pg_url, redis_url, "M")
    dataset.load(services)
    services.dispose()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        **isolated_env(pg_url, redis_url),
        "MISSION_CONTROL_ENABLED": "false",
        "MC_SIMULATE": "off",
        # Deliberately wrong: gunicorn's own --threads must decide the bound, not this.
        "THREADS": "16",
    }
    log_path = tmp_path / "gunicorn.log"
    argv = [str(GUNICORN), "--chdir", str(ROOT), "--bind", "127.0.0.1:0", "--workers", "1"]
    argv += ["--threads", str(THREADS), "--worker-class", "gthread", "--graceful-timeout", "3", "app:server"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    redis = make_redis(redis_url)
    try:

        def listening():
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())
            return found and int(found[1])

        port = _wait_for("gunicorn listening", listening, 60)
        base = f"http://127.0.0.1:{port}"

        def healthy():
            try:
                return _get(base + "/healthz")[0] == 200
            except OSError:
                return False

        _wait_for("the worker answering /healthz", healthy, 60)
        yield base, redis, log_path
    finally:
        redis.close()
        stop_process(proc, timeout=30)


def test_stream_clients_beyond_the_bound_are_refused_and_the_server_stays_responsive(gunicorn_server):
    base, redis, log_path = gunicorn_server
    port = int(base.rsplit(":", 1)[1])
    paths = ("/api/v1/stream?only=version", "/api/v1/stream")
    held = []
    try:
        # The bound's streams, from clients that never read.
        for i in range(BOUND):
            held.append(_non_reader(port, paths[i % 2]))
            _wait_for(f"stream {i + 1} admitted", lambda n=i + 1: _live_here(base) == n, 15)
        assert redis.zcard(streams.STREAM_CLIENTS) == BOUND

        # More clients than the bound: every extra one is refused at once, whatever the path.
        for i in range(3):
            status, headers, body = _refusal(port, paths[i % 2])
            assert status == 503
            assert headers["retry-after"] == str(streams.RETRY_AFTER_S)
            assert headers["content-type"].startswith("application/json")
            assert body["error"].startswith("the stream capacity of this server is full")
            assert f"all {BOUND} streams" in body["error"]
        # The refusals took nothing, here or deployment-wide.
        assert _live_here(base) == BOUND and redis.zcard(streams.STREAM_CLIENTS) == BOUND

        # Ordinary requests are answered while every stream is held.
        for _ in range(5):
            status, body = _get(base + "/healthz")
            assert (status, json.loads(body)) == (200, {"status": "ok"})
            status, body = _get(base + "/")
            assert status == 200 and b"Mission Control" in body

        # The clients vanish (killed: RST). The next event written to them fails, and their
        # places and slots come back; snapshots are published until that has happened.
        store = SnapshotStore(redis)
        for s in held:
            _kill(s)
        held.clear()
        publish = lambda: store.publish({"timestamp": time.time(), "pad": "x" * 2000})  # noqa: E731
        _wait_for("the vanished clients' places freed", lambda: _live_here(base) == 0, RECOVERY_S, publish)
        _wait_for("their Redis slots freed", lambda: redis.zcard(streams.STREAM_CLIENTS) == 0, RECOVERY_S)

        # Freed places admit new streams, up to the bound again.
        for i in range(BOUND):
            held.append(_non_reader(port, paths[i % 2]))
            _wait_for(f"new stream {i + 1} admitted", lambda n=i + 1: _live_here(base) == n, 15)
        assert _refusal(port, paths[0])[0] == 503
        assert _get(base + "/healthz")[0] == 200
    finally:
        for s in held:
            _kill(s)
    log = log_path.read_text()
    assert "at most 4 push streams in this process (8 threads from gunicorn --threads" in log
    assert "Traceback" not in log


def test_gunicorn_stops_when_the_explicit_bound_takes_the_reserve(pg_url, redis_url, tmp_path):
    services = build_services(pg_url, redis_url, "M")
    services.dispose()
    env = {"PATH": "/usr/bin:/bin", **isolated_env(pg_url, redis_url), "MISSION_CONTROL_ENABLED": "false"}
    env["MC_STREAMS_PER_WORKER"] = "6"
    argv = [str(GUNICORN), "--chdir", str(ROOT), "--bind", "127.0.0.1:0", "--threads", str(THREADS), "app:server"]
    proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr[-1000:]
    line = (
        "configuration error: MC_STREAMS_PER_WORKER=6 must be at most 4: a worker with 8 threads (gunicorn --threads)"
    )
    assert proc.stderr.count(line) == 1, proc.stderr[-1000:]


# -- the order of the two holds, in process ---------------------------------------------------
@pytest.fixture
def in_process(pg_url, redis_url, serve):
    """build(**settings) -> (port, gate, redis): the app on a threaded loopback server."""
    made = []
    redis = make_redis(redis_url)

    def build(**overrides):
        services = build_services(pg_url, redis_url, "M", **overrides)
        cm = ticked_app(services, NOW)
        app, _ctx, _loop = cm.__enter__()
        made.append((cm, services))
        port = int(serve(app).rsplit(":", 1)[1])
        return port, app.server.extensions["mc_stream_gate"], redis

    yield build
    redis.close()
    for cm, services in made:
        cm.__exit__(None, None, None)
        services.dispose()


def test_a_refused_process_place_takes_no_redis_slot(in_process):
    port, gate, redis = in_process(worker_threads=THREADS, max_websocket_connections=100)
    held = [_non_reader(port, "/api/v1/stream") for _ in range(BOUND)]
    try:
        _wait_for("streams admitted", lambda: gate.live == BOUND, 15)
        for _ in range(5):
            status, headers, body = _refusal(port, "/api/v1/stream")
            assert (status, headers["retry-after"]) == (503, "10")
            assert "stream capacity of this server is full" in body["error"]
        assert gate.live == BOUND and redis.zcard(streams.STREAM_CLIENTS) == BOUND
    finally:
        for s in held:
            _kill(s)


def test_a_refused_redis_slot_gives_the_process_place_back(in_process):
    port, gate, redis = in_process(worker_threads=THREADS, max_websocket_connections=2)
    held = [_non_reader(port, "/api/v1/stream?only=version") for _ in range(2)]
    try:
        _wait_for("streams admitted", lambda: redis.zcard(streams.STREAM_CLIENTS) == 2, 15)
        for _ in range(BOUND * 2):  # more refusals than the process has places: none may leak
            status, headers, body = _refusal(port, "/api/v1/stream?only=version")
            assert (status, headers["retry-after"]) == (503, "10")
            assert "MAX_WEBSOCKET_CONNECTIONS" in body["error"]
        assert gate.live == 2
    finally:
        for s in held:
            _kill(s)


def test_redis_offline_gives_the_process_place_back(in_process, monkeypatch):
    port, gate, _redis = in_process(worker_threads=THREADS)
    from api.stream_slots import StreamSlots

    def offline(self):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(StreamSlots, "acquire", offline)
    for _ in range(BOUND * 2):
        status, _headers, body = _refusal(port, "/api/v1/stream")
        assert status == 503 and "slot registry (Redis) is offline" in body["error"]
    assert gate.live == 0


def test_the_gate_is_released_once_however_often_the_body_is_closed():
    gate = StreamGate(2, server_capacity(make_settings(), None))
    first, second = gate.enter(), gate.enter()
    assert first and second and gate.enter() is None
    body = streams.SlotStream((e for e in ()), first)
    body.close()
    body.close()
    first.release()
    assert gate.live == 1
    third = gate.enter()
    assert third is not None and gate.enter() is None
    for t in (second, third):
        t.release()
    assert gate.live == 0

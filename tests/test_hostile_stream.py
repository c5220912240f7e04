"""The push-stream cap against clients that never read and HEAD requests (real PostgreSQL and
Redis, a real threaded server on loopback, raw sockets with tiny receive buffers).

The attack from issue 15: slots of non-reading clients were dropped as stale while their
threads still lived (176 live streams with a cap of 100), and HEAD /ws/mission-control held a
slot for 60 s.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from api import streams
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW

CAP = 3


@pytest.fixture
def stream_app(pg_url, redis_url, serve, monkeypatch):
    # Short leases: if live-but-blocked streams were not renewed they would lapse within the test.
    monkeypatch.setattr(streams, "STREAM_LEASE_S", 0.6)
    monkeypatch.setattr(streams, "WRITE_TIMEOUT_S", 2.0)
    services = build_services(pg_url, redis_url, "M", max_websocket_connections=CAP, refresh_rate_ms=100)
    dataset.load(services)
    stop = threading.Event()
    with ticked_app(services, NOW) as (app, ctx, _loop):
        # A new 400 KB version every 0.1 s: fills any socket buffer fast.
        def publish():
            while not stop.wait(0.1):
                ctx.snapshots.publish({"pad": "x" * 400_000})

        publisher = threading.Thread(target=publish, daemon=True)
        publisher.start()
        base = serve(app)
        try:
            yield app, base.split("//")[1]
        finally:
            stop.set()
            publisher.join(10)
    services.dispose()


def _open_non_reader(hostport: str, path: str = "/api/v1/stream") -> socket.socket:
    host, port = hostport.split(":")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect((host, int(port)))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode())
    return s


def _status(hostport: str, method: str = "GET", path: str = "/api/v1/stream") -> int:
    host, port = hostport.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(f"{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n".encode())
        return int(s.recv(64).split(b" ", 2)[1])


def test_head_requests_never_take_a_slot(stream_app):
    app, hostport = stream_app
    slots = app.server.extensions["mc_stream_slots"]
    for _ in range(CAP * 3):
        assert _status(hostport, "HEAD", "/api/v1/stream") == 200
    assert slots.in_use() == 0 and slots.held_here() == 0


def _until(condition, seconds: float) -> None:
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.02)


def test_non_reading_clients_never_exceed_the_cap_and_are_dropped(stream_app):
    app, hostport = stream_app
    slots = app.server.extensions["mc_stream_slots"]
    stuck = [_open_non_reader(hostport) for _ in range(CAP)]
    try:
        _until(lambda: slots.held_here() == CAP, 5)
        deadline = time.time() + 1.5  # blocked writes; leases (0.6 s) would have lapsed 2x over
        peak = 0
        while time.time() < deadline:
            peak = max(peak, slots.held_here())
            assert _status(hostport) == 503  # every slot is held by a live (if stuck) stream
            time.sleep(0.1)
        assert peak == CAP and slots.in_use() == CAP
        # The write timeout (2 s) ends the stuck streams and frees their slots (here, then in
        # Redis: the two are released one after the other, so wait for both).
        deadline = time.time() + 10
        while (slots.held_here() or slots.in_use()) and time.time() < deadline:
            time.sleep(0.1)
        assert slots.held_here() == 0 and slots.in_use() == 0
        assert _status(hostport) == 200
    finally:
        for s in stuck:
            s.close()


def _open_non_reading_websocket(hostport: str) -> socket.socket:
    """A WebSocket client that completes the handshake request and never reads a byte."""
    host, port = hostport.split(":")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect((host, int(port)))
    s.sendall(
        (
            f"GET /ws/mission-control HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    return s


def test_websocket_clients_that_never_read_are_dropped_and_their_slots_freed(stream_app):
    app, hostport = stream_app
    slots = app.server.extensions["mc_stream_slots"]
    stuck = [_open_non_reading_websocket(hostport) for _ in range(CAP)]
    try:
        _until(lambda: slots.held_here() == CAP, 5)
        assert slots.held_here() == CAP and _status(hostport) == 503  # the SSE stream shares the cap
        # 400 KB documents fill their buffers; the write timeout (2 s) ends them.
        _until(lambda: not (slots.held_here() or slots.in_use()), 15)
        assert slots.held_here() == 0 and slots.in_use() == 0
        assert _status(hostport) == 200
    finally:
        for s in stuck:
            s.close()

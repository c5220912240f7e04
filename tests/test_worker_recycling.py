"""Worker recycling (MAX_REQUESTS, gunicorn.conf.py): a worker replaced after its requests ends
its push streams cleanly at once (runtime/worker_streams.py), rather than holding them until
graceful_timeout and cutting them: the SSE stream finishes (its last chunk arrives, no broken
body), the WebSocket gets a close frame, both clients reconnect to the new worker and go on
receiving versions."""

from __future__ import annotations

import http.client
import json
import os
import re
import urllib.request

import websocket
from websocket import ABNF

from data.bootstrap import create_lp_tables, create_mc_tables
from data.connections import make_engine
from tests.cluster import Instance, wait_for
from tests.conftest import isolated_env

MAX_REQUESTS = 30


def _booted(instance: Instance) -> list[int]:
    return [int(p) for p in re.findall(r"Booting worker with pid: (\d+)", instance.log())]


def _next_versions(base: str, count: int) -> list[int]:
    """`count` versions from a new SSE version stream."""
    conn = http.client.HTTPConnection(base.split("//")[1], timeout=30)
    conn.request("GET", "/api/v1/stream?only=version")
    resp = conn.getresponse()
    got: list[int] = []
    while len(got) < count:
        line = resp.readline()
        assert line, "the stream ended"
        if line.startswith(b"id: "):
            got.append(int(line[4:]))
    conn.close()
    return got


def test_a_recycled_worker_ends_its_streams_cleanly_and_clients_reconnect(pg_url, redis_url, tmp_path):
    engine = make_engine(pg_url)
    create_lp_tables(engine, "M")
    create_mc_tables(engine)
    engine.dispose()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        **isolated_env(pg_url, redis_url),
        "MC_SIMULATE": "off",
        "WEB_CONCURRENCY": "1",
        "DASHBOARD_REFRESH_RATE": "500",
        "MAX_REQUESTS": str(MAX_REQUESTS),
        "MAX_REQUESTS_JITTER": "0",
        "LOG_LEVEL": "info",
    }
    instance = Instance("recycled", tmp_path, env)
    instance.start()
    try:
        base = f"http://127.0.0.1:{instance.wait_listening()}"
        wait_for("a first version", lambda: _next_versions(base, 1), 120, instance.log)
        first_worker = _booted(instance)[-1]
        # Both streams open on the one worker, each past its first version.
        sse = http.client.HTTPConnection(base.split("//")[1], timeout=30)
        sse.request("GET", "/api/v1/stream?only=version")
        stream = sse.getresponse()
        assert stream.status == 200
        ws = websocket.create_connection(base.replace("http", "ws") + "/ws/mission-control", timeout=30)
        assert json.loads(ws.recv())["type"] == "connection_established"
        # Requests until the worker has served MAX_REQUESTS: it stops being alive.
        for _ in range(MAX_REQUESTS):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=30):
                    pass
            except OSError:
                break  # the worker had already stopped accepting; the new one is booting
        wait_for("a new worker", lambda: len(_booted(instance)) >= 2, 60, instance.log)

        # The SSE body ends properly (http.client raises IncompleteRead on a cut chunked body).
        while stream.readline():
            pass
        # The WebSocket gets a close frame (not a dead socket), skipping any documents before it.
        while True:
            frame = ws.recv_data_frame(control_frame=True)[1]
            if frame.opcode == ABNF.OPCODE_CLOSE:
                break
        ws.close()
        sse.close()
        log = instance.log()
        assert "closing its push streams so their clients reconnect" in log, log[-3000:]
        assert f"Worker graceful timeout (pid:{first_worker})" not in log

        # Clients reconnect to the new worker and receive versions again.
        assert len(_next_versions(base, 2)) == 2
        ws = websocket.create_connection(base.replace("http", "ws") + "/ws/mission-control", timeout=30)
        assert json.loads(ws.recv())["type"] == "connection_established"
        assert "version" in json.loads(ws.recv())
        ws.close()
    finally:
        instance.stop()

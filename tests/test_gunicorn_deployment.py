"""The Dockerfile's deployment, for real: `gunicorn -c gunicorn.conf.py` (2 gevent workers, the
producer as a supervised child process of the master) on real PostgreSQL and Redis.

- 100 WebSocket clients (the contract's cap) and 20 concurrent dashboard viewers at once: every
  client receives its documents and every viewer request is answered, none starved;
- the producer runs in its own process (not in a web worker) and comes back when it is killed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
import websocket

from api import streams
from bench.live_view import post_refresh, refresh_request
from data.connections import make_redis
from pages.mission.ids import MissionIds as Main
from tests import dataset
from tests.conftest import build_services, isolated_env, ticked_app
from tests.dataset import NOW
from tests.app_process import stop_process

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WS_CLIENTS = 100
VIEWERS = 20
FRAMES = 3  # documents every WebSocket client must receive while the viewers are served


def _wait_for(what: str, check, timeout_s: float, proc=None, log_path=None):
    deadline = time.monotonic() + timeout_s
    while not (value := check()):
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"gunicorn exited with {proc.returncode}: {log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout_s} s" + (f"\n{log_path.read_text()[-3000:]}" if log_path else ""))
        time.sleep(0.1)
    return value


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


@pytest.fixture
def deployment(pg_url, redis_url, tmp_path):
    """The Dockerfile's command on a free port. Yields (base URL, Redis client, log path, refresh
    request (key, outputs) of the main screen)."""
    services = build_services(pg_url, redis_url, "M")
    dataset.load(services)
    # The main screen's refresh callback, as a browser posts it (read from an app that runs nothing).
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        key, outputs = refresh_request(app)
    services.dispose()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONUNBUFFERED": "1",
        **isolated_env(pg_url, redis_url),
        "MC_SIMULATE": "off",
        "WEB_CONCURRENCY": "2",
        "DASHBOARD_REFRESH_RATE": "500",
    }
    log_path = tmp_path / "gunicorn.log"
    # Port 0 on the command line (it overrides the file's HOST:PORT): gunicorn binds once in the
    # master and logs the port it got, so there is no race for a free port.
    argv = [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "--chdir", str(ROOT), "--bind", "127.0.0.1:0"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    redis = make_redis(redis_url)
    try:

        def listening():
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())
            return found and int(found[1])

        base = f"http://127.0.0.1:{_wait_for('gunicorn listening', listening, 60, proc, log_path)}"
        _wait_for("a snapshot served", lambda: _get(base + "/api/v1/snapshot")[0] == 200, 90, proc, log_path)
        booted = lambda: log_path.read_text().count("this process only reads: the producer runs in a process") == 2  # noqa: E731
        _wait_for("both workers built the app", booted, 90, proc, log_path)
        yield base, redis, log_path, (key, outputs), proc
    finally:
        redis.close()
        stop_process(proc, timeout=40)


def _refresh(base: str, key: str, outputs: list, held: dict) -> tuple[int, dict]:
    try:
        status, data = post_refresh(base, key, outputs, held)
    except OSError:
        return 0, {}
    return status, json.loads(data) if status == 200 and data else {}  # 204: nothing changed


def test_100_websocket_clients_and_20_viewers_are_all_served(deployment):
    base, redis, log_path, (key, outputs), _proc = deployment
    url = base.replace("http://", "ws://") + "/ws/mission-control"
    hello = threading.Barrier(WS_CLIENTS + 1, timeout=120)  # every client connected and greeted
    served = threading.Barrier(WS_CLIENTS + 1, timeout=180)  # every client has its documents
    counted = threading.Event()
    results: dict[int, list] = {}
    greetings: list[dict] = []
    lock = threading.Lock()

    def ws_client(i: int) -> None:
        versions: list = []
        try:
            ws = websocket.create_connection(url, timeout=30)
        except Exception as exc:
            with lock:
                results[i] = [f"connect: {exc}"]
            hello.abort()
            return
        try:
            first = json.loads(ws.recv())
            versions.append(first.get("type"))
            with lock:
                greetings.append(first)
            hello.wait()
            while len(versions) < FRAMES + 1:
                frame = json.loads(ws.recv())
                if frame.get("type") != "heartbeat":
                    versions.append(frame.get("version"))
            served.wait()
            counted.wait(120)  # still connected while the slots are counted
        except Exception as exc:
            versions.append(f"error: {exc}")
        finally:
            ws.close()
            with lock:
                results[i] = versions

    clients = [threading.Thread(target=ws_client, args=(i,), daemon=True) for i in range(WS_CLIENTS)]
    for t in clients:
        t.start()
    hello.wait()  # all 100 are connected and greeted
    assert [g["type"] for g in greetings] == ["connection_established"] * WS_CLIENTS, greetings
    assert redis.zcard(streams.STREAM_CLIENTS) == WS_CLIENTS

    answers: list = []

    def viewer() -> None:
        held: dict = {}
        got = []
        for _ in range(3):
            status, body = _refresh(base, key, outputs, held)
            got.append(status)
            held = body.get("response", {}).get(Main.HELD, {}).get("data", held)
        got.append(_get(base + "/")[0])
        with lock:
            answers.append(got)

    viewers = [threading.Thread(target=viewer, daemon=True) for _ in range(VIEWERS)]
    for t in viewers:
        t.start()
    for t in viewers:
        t.join(120)
    served.wait()
    try:
        assert redis.zcard(streams.STREAM_CLIENTS) == WS_CLIENTS  # nobody dropped under the load
    finally:
        counted.set()
    for t in clients:
        t.join(60)

    # The first refresh sends the screen; later ones what changed (200) or nothing (204).
    assert len(answers) == VIEWERS
    for got in answers:
        assert got[0] == 200 and set(got[1:3]) <= {200, 204} and got[3] == 200, got
    assert len(results) == WS_CLIENTS
    for versions in results.values():
        assert versions[0] == "connection_established", versions
        numbers = versions[1:]
        assert all(isinstance(v, int) for v in numbers) and len(set(numbers)) == FRAMES, versions
    _wait_for("every slot given back", lambda: redis.zcard(streams.STREAM_CLIENTS) == 0, 30)
    log = log_path.read_text()
    assert "Traceback" not in log, log[-3000:]
    assert log.count("push stream: at most 1500 push streams in this process (2000 connections") == 2


def test_the_producer_is_its_own_process_and_comes_back_when_killed(deployment):
    base, _redis, log_path, _request, proc = deployment
    started = r"producer process started \(pid (\d+)\)"
    # Wait for the master's line rather than read the log once: on a loaded machine the test may
    # look before it is written.
    _wait_for("the producer process", lambda: re.findall(started, log_path.read_text()), 60, proc, log_path)
    log = log_path.read_text()
    producers = [int(p) for p in re.findall(started, log)]
    workers = {int(p) for p in re.findall(r"Booting worker with pid: (\d+)", log)}
    assert len(producers) == 1 and producers[0] not in workers and workers, log[-3000:]
    _wait_for(
        "snapshots from the producer process",
        lambda: (
            json.loads(_get(base + "/api/v1/snapshot")[1] or b"{}").get("mc", {}).get("producer", "::").split(":")[1]
            == str(producers[0])
        ),
        60,
        proc,
        log_path,
    )
    # Prometheus multiprocess mode: a web worker's /metrics carries what the producer process wrote.
    metrics = {
        s.name: s.value
        for family in text_string_to_metric_families(_get(base + "/metrics")[1].decode())
        for s in family.samples
        if not s.labels
    }
    assert metrics["mc_snapshots_published_total"] >= 1 and metrics["mc_producer_leader"] == 1

    os.kill(producers[0], signal.SIGKILL)
    _wait_for(
        "a new producer process",
        lambda: len(re.findall(r"producer process started", log_path.read_text())) == 2,
        60,
        proc,
        log_path,
    )
    successor = int(re.findall(r"producer process started \(pid (\d+)\)", log_path.read_text())[-1])

    def published_by_successor():
        status, body = _get(base + "/api/v1/snapshot")
        return status == 200 and json.loads(body)["mc"]["producer"].split(":")[1] == str(successor)

    # The killed producer's lease lapses (a few seconds), then the successor publishes.
    _wait_for("snapshots from the successor", published_by_successor, 60, proc, log_path)

"""Multiprocess mode: the producer process and a gunicorn web worker write into one
PROMETHEUS_MULTIPROC_DIR, and the worker's /metrics adds both up (real PostgreSQL and Redis,
real processes). The web worker runs no producer (MISSION_CONTROL_ENABLED=false): whatever
/metrics says about publishing comes from the other process's files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from common.metrics_dir import cleanup, prepare, process_dead
from data.connections import make_redis
from producer.snapshot_store import SnapshotStore
from tests import dataset
from tests.conftest import build_services, isolated_env
from tests.app_process import stop_process

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _wait_for(what: str, check, timeout_s: float, proc_logs=()):
    deadline = time.monotonic() + timeout_s
    while not (value := check()):
        if time.monotonic() > deadline:
            logs = "\n".join(p.read_text()[-1500:] for p in proc_logs if p.exists())
            pytest.fail(f"{what}: not within {timeout_s} s\n{logs}")
        time.sleep(0.1)
    return value


def _samples(base: str) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as resp:
        text = resp.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def holder_pid(mp_dir: Path, known: set[int]) -> int:
    """The pid of the one process that wrote a live gauge file and is not among `known`."""
    [pid] = {int(p.stem.rsplit("_", 1)[1]) for p in mp_dir.glob("gauge_livesum_*.db")} - known
    return pid


def test_producer_and_web_worker_write_one_metrics_page(pg_url, redis_url, tmp_path, monkeypatch):
    services = build_services(pg_url, redis_url, "M")
    dataset.load(services)
    services.dispose()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "given")}
    mp_dir, created = prepare(env)
    assert (mp_dir, created) == (tmp_path / "given", False)
    (mp_dir / "counter_999999.db").write_bytes(b"a previous run's file")
    (mp_dir / "notes.txt").write_text("not ours")
    assert prepare(env)[0] == mp_dir and sorted(p.name for p in mp_dir.iterdir()) == ["notes.txt"]

    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        **isolated_env(pg_url, redis_url),
        "MC_SIMULATE": "off",
        "DASHBOARD_REFRESH_RATE": "200",
        "PROMETHEUS_MULTIPROC_DIR": str(mp_dir),
    }
    producer_log, web_log = tmp_path / "producer.log", tmp_path / "web.log"
    logs = (producer_log, web_log)
    with producer_log.open("wb") as log:
        producer = subprocess.Popen(
            [sys.executable, "-m", "producer"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    argv = [str(GUNICORN), "--chdir", str(ROOT), "--bind", "127.0.0.1:0", "--workers", "1"]
    argv += ["--worker-class", "gthread", "--threads", "4", "--graceful-timeout", "3", "app:server"]
    with web_log.open("wb") as log:
        web = subprocess.Popen(
            argv,
            cwd=tmp_path,
            env={**env, "MISSION_CONTROL_ENABLED": "false"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    store = SnapshotStore(make_redis(redis_url))
    try:
        port = _wait_for(
            "gunicorn listening",
            lambda: (m := re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", web_log.read_text())) and m[1],
            60,
            logs,
        )
        base = f"http://127.0.0.1:{port}"
        _wait_for("two published snapshots", lambda: store.version() >= 2, 60, logs)
        req = urllib.request.Request(
            base + "/api/v1/metrics/load-time",
            data=json.dumps({"seconds": 2.5}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 204

        def both_counted():
            s = _samples(base)
            published = s.get(("mc_snapshots_published_total", ()), 0)
            return published >= 2 and s

        samples = _wait_for("the producer's publishes on the web worker's /metrics", both_counted, 30, logs)
        # Written by the web worker (the beacon) ...
        assert samples[("mc_dashboard_load_seconds_count", ())] == 1
        assert samples[("mc_dashboard_load_seconds_sum", ())] == 2.5
        # ... and by the producer process: publishes, fast ticks, the heavy analytics.
        assert samples[("mc_producer_tick_seconds_count", (("step", "fast"),))] >= 2
        assert samples[("mc_snapshot_interval_seconds_count", ())] >= 1
        # Each process wrote files of its own (names end in the writer's pid).
        pids = {int(p.stem.rsplit("_", 1)[1]) for p in mp_dir.glob("*.db")}
        assert producer.pid in pids and len(pids) >= 2

        # A third process holds a WebSocket and ends without giving it back (killed): the
        # connection counts until gunicorn's child_exit marks the process dead.
        holder = subprocess.run(
            [sys.executable, "-c", "from common.metrics import OpenStream; OpenStream('websocket')"],
            cwd=ROOT,
            env=env,
            timeout=60,
        )
        assert holder.returncode == 0
        assert _samples(base)[("mc_stream_connections", (("kind", "websocket"),))] == 1
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(mp_dir))
        process_dead(holder_pid(mp_dir, pids))
        assert _samples(base).get(("mc_stream_connections", (("kind", "websocket"),)), 0) == 0
    finally:
        store.redis.close()
        stop_process(producer)
        stop_process(web)
        cleanup(mp_dir, created)

    temporary, made = prepare({})
    assert made and temporary.is_dir()
    cleanup(temporary, made)
    assert not temporary.exists()

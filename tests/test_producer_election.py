"""Exactly one producer per deployment: two processes share a real Redis; only the lease
holder publishes, and when it is killed the other takes over within seconds."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from data.bootstrap import create_lp_tables, create_mc_tables
from data.connections import make_engine, make_redis
from producer.snapshot_store import SnapshotStore
from tests.conftest import isolated_env

ROOT = Path(__file__).resolve().parent.parent


def _start(pg_url, redis_url, tmp_path, name):
    env = {
        **os.environ,
        **isolated_env(pg_url, redis_url),
        "MC_SIMULATE": "off",
        "DASHBOARD_REFRESH_RATE": "300",
        "MISSION_CONTROL_CACHE_TTL": "5",
        "LOG_LEVEL": "info",
    }
    with open(tmp_path / f"{name}.log", "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "producer"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def _producers_seen(store, seconds):
    """Producer identities found in the snapshot over `seconds`, and the versions seen."""
    seen, versions = set(), set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        version, doc = store.load()
        if doc:
            seen.add(doc["mc"]["producer"])
            versions.add(version)
        time.sleep(0.1)
    return seen, versions


def test_one_producer_and_failover(pg_url, redis_url, tmp_path):
    engine = make_engine(pg_url)
    create_lp_tables(engine, "M")
    create_mc_tables(engine)
    engine.dispose()
    store = SnapshotStore(make_redis(redis_url))
    a = _start(pg_url, redis_url, tmp_path, "a")
    b = _start(pg_url, redis_url, tmp_path, "b")
    try:
        deadline = time.monotonic() + 30
        while store.version() == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert store.version() > 0, (tmp_path / "a.log").read_text()[-2000:]
        seen, versions = _producers_seen(store, 3)
        assert len(seen) == 1, f"two producers published: {seen}"
        assert len(versions) >= 5  # it keeps publishing
        leader = next(iter(seen))
        leader_pid = int(leader.split(":")[1])
        victim, survivor = (a, b) if leader_pid == a.pid else (b, a)
        assert leader_pid in (a.pid, b.pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        taken_over = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            _, doc = store.load()
            if doc and doc["mc"]["producer"] != leader:
                taken_over = doc["mc"]["producer"]
                break
            time.sleep(0.1)
        assert taken_over is not None and int(taken_over.split(":")[1]) == survivor.pid
        seen_after, _ = _producers_seen(store, 2)
        assert seen_after == {taken_over}
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.terminate()
                p.wait(10)

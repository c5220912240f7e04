"""WebSocket clients held and frames delivered by the Dockerfile's deployment, with the Dash
viewers' refresh callback beside it.

    python bench/websocket_clients.py [--clients 100] [--viewers 20] [--notice-clients 0]
                                      [--seconds 30] [--backlinks 1000000]

What it runs:
  - PostgreSQL database `mc_bench_live` (bench/live_view.ensure_database; the first run
    bulk-loads the backlinks), Redis db 9 (flushed at the start);
  - the Dockerfile's command, `gunicorn -c gunicorn.conf.py` (2 gevent workers, the producer as
    a supervised child process of the master), with MC_SIMULATE=on (the simulated fleet runs in
    the producer process, so the data moves) and a 1 s refresh;
  - --clients WebSocket clients on /ws/mission-control (websocket-client, one thread each),
    counting frames, bytes and the age of each document when it arrives (receive time − the
    document's `mc.built_at`: build, publish, fan-out and delivery);
  - --viewers Dash viewers polling the main screen's refresh callback every second, as a tab
    does without push (round trip per request, measured here: client side);
  - optionally --notice-clients SSE clients on /api/v1/stream?only=version (dashboard tabs by
    push), timing publish → received from each notice's `published_at`.

Clients beyond MAX_WEBSOCKET_CONNECTIONS (100 by default) are refused; the run sets it to
clients + notice clients. Prints one summary; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websocket  # noqa: E402

from bench.live_view import REDIS, ensure_database, post_refresh, refresh_request  # noqa: E402
from bench.soak import http_status, log_findings, stop_process  # noqa: E402
from bench.stream_capacity import percentile as pct  # noqa: E402
from pages.mission.ids import MissionIds as Main  # noqa: E402

SATELLITES = 8
SEED = 11
BUILT_AT = re.compile(r'"built_at":([0-9.]+)')


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.frames = 0
        self.bytes = 0
        self.heartbeats = 0
        self.ages_ms: list[float] = []
        self.errors: dict[str, int] = {}
        self.greeted = 0
        self.refused = 0

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def ws_client(url: str, stop: threading.Event, counting: threading.Event, tally: Tally) -> None:
    try:
        # No UTF-8 validation in Python: the bench's own CPU must not be what it measures.
        ws = websocket.create_connection(url, timeout=30, skip_utf8_validation=True)
    except Exception as exc:
        tally.error(f"connect: {type(exc).__name__}")
        return
    try:
        hello = json.loads(ws.recv())
        with tally.lock:
            if hello.get("type") == "connection_established":
                tally.greeted += 1
            else:
                tally.refused += 1
                return
        while not stop.is_set():
            data = ws.recv()
            now = time.time()
            if not counting.is_set():
                continue
            # Not parsed whole (65 KB × 100 clients a second would be the bench's bottleneck):
            # a heartbeat is tiny, and a document carries `"built_at":` once (`mc.built_at`).
            with tally.lock:
                if len(data) < 200 and '"heartbeat"' in data:
                    tally.heartbeats += 1
                    continue
                tally.frames += 1
                tally.bytes += len(data)
                found = BUILT_AT.search(data)
                if found:
                    tally.ages_ms.append((now - float(found[1])) * 1000)
    except Exception as exc:
        if not stop.is_set():
            tally.error(f"receive: {type(exc).__name__}")
    finally:
        ws.close()


def notice_client(url: str, stop: threading.Event, counting: threading.Event, tally: Tally) -> None:
    try:
        resp = urllib.request.urlopen(url, timeout=60)
    except Exception as exc:
        tally.error(f"connect: {type(exc).__name__}")
        return
    with tally.lock:
        tally.greeted += 1
    try:
        while not stop.is_set():
            line = resp.readline()
            if not line:
                break
            if not line.startswith(b"data: ") or not counting.is_set():
                continue
            now = time.time() * 1000
            notice = json.loads(line[6:])
            with tally.lock:
                tally.frames += 1
                tally.bytes += len(line)
                tally.ages_ms.append(now - notice["published_at"])
    except Exception as exc:
        if not stop.is_set():
            tally.error(f"receive: {type(exc).__name__}")
    finally:
        resp.close()


def viewer(base: str, key: str, outputs: list, stop: threading.Event, counting: threading.Event, out: dict) -> None:
    held: dict = {}
    while not stop.is_set():
        started = time.perf_counter()
        try:
            status, data = post_refresh(base, key, outputs, held)
            took = (time.perf_counter() - started) * 1000
            if status not in (200, 204):
                raise RuntimeError(f"HTTP {status}")
            if data:
                held = json.loads(data)["response"].get(Main.HELD, {}).get("data", held)
            if counting.is_set():
                with out["lock"]:
                    out["ms"].append(took)
        except Exception as exc:
            if counting.is_set():
                with out["lock"]:
                    out["errors"][type(exc).__name__] = out["errors"].get(type(exc).__name__, 0) + 1
        stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--viewers", type=int, default=20)
    parser.add_argument("--notice-clients", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--backlinks", type=int, default=1_000_000)
    parser.add_argument("--logs", default="/tmp", help="directory for the gunicorn log")
    args = parser.parse_args()

    import redis as redis_lib

    from app import create_app
    from config import load_settings

    url = ensure_database(args.backlinks)
    redis_lib.Redis.from_url(REDIS).flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MC_", "LP_", "GUNICORN_"))}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=REDIS,
        MC_SIMULATE="on",
        MC_SIMULATOR_SATELLITES=str(SATELLITES),
        SIMULATOR_SEED=str(SEED),
        MAX_WEBSOCKET_CONNECTIONS=str(max(100, args.clients + args.notice_clients)),
        PYTHONUNBUFFERED="1",
    )
    env.pop("PORT", None)
    # The refresh callback's id, from an app that runs nothing.
    settings = load_settings({"DATABASE_URL": url, "REDIS_URL": REDIS, "MC_SIMULATE": "off"}, dotenv_path=None)
    probe = create_app(settings, start_background=False)
    key, outputs = refresh_request(probe)
    probe.server.extensions["mission_control"].stop()

    log_path = Path(args.logs) / f"websocket_clients_gunicorn_{os.getpid()}.log"
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0"]
    print(f"$ gunicorn -c gunicorn.conf.py  (log {log_path})")
    master = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    stop = threading.Event()
    counting = threading.Event()
    threads: list[threading.Thread] = []
    try:
        deadline = time.monotonic() + 600
        port = None
        while port is None or http_status(f"http://127.0.0.1:{port}/api/v1/snapshot") != 200:
            if master.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the deployment did not become ready; see {log_path}")
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text())
            port = int(found[1]) if found else None
            time.sleep(0.5)
        base = f"http://127.0.0.1:{port}"
        while "analytics refreshed in" not in log_path.read_text():  # steady state first
            if master.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"no analytics refresh within the start-up time; see {log_path}")
            time.sleep(1)
        print("ready (first analytics refresh done)")

        ws_tally, notice_tally = Tally(), Tally()
        viewers = {"lock": threading.Lock(), "ms": [], "errors": {}}
        ws_url = base.replace("http://", "ws://") + "/ws/mission-control"
        for _ in range(args.clients):
            threads.append(threading.Thread(target=ws_client, args=(ws_url, stop, counting, ws_tally), daemon=True))
        for _ in range(args.notice_clients):
            target = (base + "/api/v1/stream?only=version", stop, counting, notice_tally)
            threads.append(threading.Thread(target=notice_client, args=target, daemon=True))
        for _ in range(args.viewers):
            target = (base, key, outputs, stop, counting, viewers)
            threads.append(threading.Thread(target=viewer, args=target, daemon=True))
        for t in threads:
            t.start()
        connect_deadline = time.monotonic() + 60
        while ws_tally.greeted + ws_tally.refused + sum(ws_tally.errors.values()) < args.clients or (
            notice_tally.greeted + sum(notice_tally.errors.values()) < args.notice_clients
        ):
            if time.monotonic() > connect_deadline:
                break
            time.sleep(0.2)
        rds = redis_lib.Redis.from_url(REDIS)
        held = int(rds.zcard("mc:stream:clients"))
        version_before = int(rds.get("mc:snapshot:version") or 0)
        refreshes_before = log_path.read_text().count("analytics refreshed in")
        counting.set()
        started = time.monotonic()
        stop.wait(args.seconds)
        window = time.monotonic() - started
        counting.clear()
        held_end = int(rds.zcard("mc:stream:clients"))
        published = int(rds.get("mc:snapshot:version") or 0) - version_before
        refreshes = log_path.read_text().count("analytics refreshed in") - refreshes_before

        print(
            f"\nwindow {window:.0f} s, load1 {os.getloadavg()[0]:.2f}, analytics refreshes in it: {refreshes}, "
            f"versions published: {published} ({published / window:.2f} / s)"
        )
        t = ws_tally
        print(
            f"WebSocket clients: {t.greeted} held of {args.clients} ({t.refused} refused, errors {t.errors or 0}); "
            f"slots held at start / end: {held} / {held_end}"
        )
        print(
            f"  frames delivered: {t.frames} = {t.frames / window:.1f} / s "
            f"({t.frames / window / max(1, t.greeted):.2f} per client per s; "
            f"{t.frames / max(1, t.greeted * published):.0%} of versions × clients), "
            f"{t.bytes / window / 1e6:.2f} MB/s, {t.heartbeats} heartbeats"
        )
        print(
            f"  document age on arrival (receive − built_at): p50 {pct(t.ages_ms, 50):.0f} ms, "
            f"p95 {pct(t.ages_ms, 95):.0f} ms, max {max(t.ages_ms, default=float('nan')):.0f} ms"
        )
        if args.notice_clients:
            n = notice_tally
            print(
                f"notice clients (SSE ?only=version): {n.greeted} held of {args.notice_clients}, errors "
                f"{n.errors or 0}; {n.frames} notices = {n.frames / window:.0f} / s; publish → received "
                f"p50 {pct(n.ages_ms, 50):.1f} ms, p95 {pct(n.ages_ms, 95):.1f} ms, p99 {pct(n.ages_ms, 99):.1f} ms, "
                f"max {max(n.ages_ms, default=float('nan')):.1f} ms"
            )
        ms = viewers["ms"]
        print(
            f"Dash viewers: {args.viewers} polling the refresh callback at 1 s: {len(ms)} requests, errors "
            f"{viewers['errors'] or 0}; round trip p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, "
            f"p99 {pct(ms, 99):.1f} ms, max {max(ms, default=float('nan')):.1f} ms"
        )
        if ms:
            print(f"  mean {statistics.fmean(ms):.1f} ms")
        findings = [f for f in log_findings(log_path) if "Booting worker" not in f]
        if findings:
            print("\ngunicorn log findings:")
            for line in findings[:20]:
                print("  " + line)
    finally:
        stop.set()
        stop_process(master, signal.SIGTERM, "gunicorn")
        for t in threads:
            t.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())

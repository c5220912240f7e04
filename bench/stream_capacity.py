"""Stream capacity under gunicorn's gthread workers (the Dockerfile's model before
gunicorn.conf.py): how many push-stream clients are admitted and refused, and how fast `/healthz`
answers while the admitted streams are held.

    python bench/stream_capacity.py [--clients 70] [--window-s 75] [--cache-ttl 20]
                                    [--workers 2] [--threads 16] [--backlinks 1000000]

What it runs:
  - PostgreSQL database `mc_bench_live` (bench/live_view.ensure_database; the first run
    bulk-loads the backlinks), Redis db 9 (flushed at the start);
  - the fleet simulator as its own process, so the data moves and the analytics have work;
  - the app as the Dockerfile starts it: `gunicorn --workers 2 --threads 16 --worker-class
    gthread --timeout 120 app:server`, producer inside, MISSION_CONTROL_CACHE_TTL=--cache-ttl so
    the window holds several analytics refreshes (counted from the workers' log);
  - --clients SSE clients opened one after another (the issue's 70 by default), each reading the
    status line and then its events (a well-behaved viewer keeps its stream, and its thread,
    for the whole window; a client that stops reading is dropped by the write timeout, which
    tests/test_hostile_stream.py covers);
  - a health checker: GET /healthz on a fresh connection every 50 ms for --window-s seconds
    (3 s timeout, the Dockerfile's HEALTHCHECK), and GET / once a second.

Prints: admitted / refused (and the refusal's message), streams still held at the end, /healthz
p50/p95/p99/max and failures, / p50/p95, analytics refreshes in the window. Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live_view import REDIS, ensure_database  # noqa: E402
from bench.soak import free_port, http_status, log_findings, stop_process  # noqa: E402

SATELLITES = 8
SEED = 11
HEALTH_TIMEOUT_S = 3.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed_get(url: str, timeout: float) -> tuple[int | None, float]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            resp.read()
            status: int | None = resp.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except Exception:
        status = None
    return status, time.perf_counter() - t0


class StreamClient:
    """One SSE viewer on a raw socket: reads the status line, then drains its events."""

    def __init__(self, port: int, path: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            head += chunk
        self.status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else None
        if self.status != 200:  # a refusal: read its whole JSON body (Content-Length)
            found = re.search(rb"(?im)^content-length:\s*(\d+)", head)
            want = head.index(b"\r\n\r\n") + 4 + int(found[1]) if found and b"\r\n\r\n" in head else 0
            while len(head) < want and (chunk := self.sock.recv(65536)):
                head += chunk
        self.head = head
        self.alive = self.status == 200
        self.bytes = len(head)
        if self.alive:
            self.sock.settimeout(None)
            threading.Thread(target=self._drain, daemon=True).start()
        else:
            self.sock.close()

    def _drain(self) -> None:
        try:
            while chunk := self.sock.recv(65536):
                self.bytes += len(chunk)
        except OSError:
            pass
        self.alive = False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=70)
    parser.add_argument("--window-s", type=float, default=75)
    parser.add_argument("--cache-ttl", type=int, default=20, help="MISSION_CONTROL_CACHE_TTL for the run")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "16")))
    parser.add_argument("--backlinks", type=int, default=1_000_000)
    parser.add_argument("--logs", default="/tmp", help="directory for the gunicorn and simulator logs")
    args = parser.parse_args()
    if args.window_s < 60:
        parser.error("--window-s must be at least 60 (the window must include analytics refreshes)")

    import redis as redis_lib

    url = ensure_database(args.backlinks)
    redis_lib.Redis.from_url(REDIS).flushdb()

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MC_", "LP_", "GUNICORN_"))
        and k not in ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY", "THREADS")
    }
    env.update(
        DATABASE_URL=url,
        REDIS_URL=REDIS,
        MISSION_CONTROL_CACHE_TTL=str(args.cache_ttl),
        MC_SIMULATOR_SATELLITES=str(SATELLITES),
        SIMULATOR_SEED=str(SEED),
        MC_SIMULATE="off",
        PYTHONUNBUFFERED="1",
    )
    venv_bin = Path(sys.executable).parent
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = Path(args.logs)
    gunicorn_log = logs / f"stream_capacity_gunicorn_{port}.log"
    sim_log = logs / f"stream_capacity_simulator_{port}.log"
    procs: list[tuple[subprocess.Popen, int, str]] = []
    clients: list[StreamClient] = []
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        sim_cmd = [str(venv_bin / "python"), "-m", "simulator", "--i-know-this-writes", "run"]
        sim_cmd += ["--satellites", str(SATELLITES), "--seed", str(SEED)]
        sim = subprocess.Popen(
            sim_cmd,
            cwd=ROOT,
            env=env,
            stdout=sim_log.open("w"),
            stderr=subprocess.STDOUT,
        )
        procs.append((sim, signal.SIGINT, "simulator"))
        cmd = [str(venv_bin / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        cmd += ["--threads", str(args.threads), "--worker-class", "gthread", "--timeout", "120", "app:server"]
        # The gthread model this bench measures (the Dockerfile now runs gunicorn.conf.py's gevent
        # workers; bench/websocket_clients.py measures those): the producer inside each worker.
        env["MC_PRODUCER"] = "inline"
        master = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=gunicorn_log.open("w"), stderr=subprocess.STDOUT)
        procs.insert(0, (master, signal.SIGTERM, "gunicorn"))
        print(f"$ {' '.join(['gunicorn', *cmd[1:]])}  (log {gunicorn_log})")
        deadline = time.monotonic() + 300
        while not (http_status(base + "/readyz") == 200 and http_status(base + "/api/v1/snapshot") == 200):
            if master.poll() is not None or time.monotonic() > deadline or stop.is_set():
                raise RuntimeError(f"the app did not become ready; see {gunicorn_log}")
            time.sleep(0.5)
        # Steady state first: the first analytics pass after a start scans everything.
        while "analytics refreshed in" not in gunicorn_log.read_text():
            if master.poll() is not None or time.monotonic() > deadline + 300 or stop.is_set():
                raise RuntimeError(f"no analytics refresh within the start-up time; see {gunicorn_log}")
            time.sleep(1)
        bounds = re.findall(r"push stream: at most (\d+) push streams", gunicorn_log.read_text())
        print(f"ready; per-worker bounds logged: {bounds}")

        # -- open the clients ------------------------------------------------------------------
        refusals: dict[str, int] = {}
        paths = ("/api/v1/stream?only=version", "/api/v1/stream")
        for i in range(args.clients):
            c = StreamClient(port, paths[i % 2])
            if c.status == 200:
                clients.append(c)
            else:
                body = c.head.split(b"\r\n\r\n", 1)[-1].decode(errors="replace")
                match = re.search(r'"error":"([^"]*)', body)
                key = f"{c.status} {(match[1] if match else body)[:60]}…"
                if b"retry-after" not in c.head.lower():
                    key += " (no Retry-After!)"
                refusals[key] = refusals.get(key, 0) + 1
        admitted = len(clients)
        print(f"\nclients: {args.clients} opened, {admitted} admitted, {args.clients - admitted} refused")
        for key, n in refusals.items():
            print(f"  {n} × {key}")

        # -- the window ------------------------------------------------------------------------
        refreshes_before = gunicorn_log.read_text().count("analytics refreshed in")
        health: list[float] = []
        health_fail: dict[str, int] = {}
        page: list[float] = []
        page_fail = 0
        t_end = time.monotonic() + args.window_s
        next_page = time.monotonic()
        print(f"holding {admitted} streams for {args.window_s:g} s; /healthz every 50 ms, / every 1 s")
        while time.monotonic() < t_end and not stop.is_set():
            status, took = timed_get(base + "/healthz", HEALTH_TIMEOUT_S)
            if status == 200:
                health.append(took * 1000)
            else:
                key = str(status) if status else ("timeout" if took >= HEALTH_TIMEOUT_S - 0.05 else "error")
                health_fail[key] = health_fail.get(key, 0) + 1
            if time.monotonic() >= next_page:
                next_page += 1.0
                status, took = timed_get(base + "/", HEALTH_TIMEOUT_S)
                if status == 200:
                    page.append(took * 1000)
                else:
                    page_fail += 1
            time.sleep(0.05)
        refreshes = gunicorn_log.read_text().count("analytics refreshed in") - refreshes_before
        still = sum(c.alive for c in clients)

        print(f"\nstreams still held at the end: {still} of {admitted}")
        print(
            f"/healthz ({len(health)} ok, failures {health_fail or 0}): p50 {percentile(health, 50):.1f} ms, "
            f"p95 {percentile(health, 95):.1f} ms, p99 {percentile(health, 99):.1f} ms, "
            f"max {max(health, default=float('nan')):.1f} ms"
        )
        print(
            f"/        ({len(page)} ok, {page_fail} failed): p50 {percentile(page, 50):.1f} ms, "
            f"p95 {percentile(page, 95):.1f} ms"
        )
        print(f"analytics refreshes in the window: {refreshes} (MISSION_CONTROL_CACHE_TTL={args.cache_ttl})")
        if health:
            print(f"/healthz mean {statistics.fmean(health):.1f} ms; load1 {os.getloadavg()[0]:.2f}")
        findings = [f for f in log_findings(gunicorn_log) if "Booting worker" not in f]
        if findings:
            print("\ngunicorn log findings:")
            for line in findings[:20]:
                print("  " + line)
    finally:
        for c in clients:
            c.close()
        for proc, sig, name in procs:
            stop_process(proc, sig, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Soak benchmark of DESIGN.md's budget "memory of a worker over a one-hour soak with 100
viewers: grows < 5 %", on PostgreSQL + Redis.

    python bench/soak.py [--minutes 60] [--viewers 100] [--warmup-minutes 5] [--sample-s 30]
                         [--simulator process|worker]

What it runs:
  - PostgreSQL database `mc_bench_live` with 1M backlinks (bench/live_view.ensure_database;
    the first run bulk-loads them), Redis db 9 (flushed at the start);
  - the fleet simulator writing into that database so the data keeps moving: by default as its
    own process (`python -m simulator run --i-know-this-writes`, as a real Link Profiler fleet
    is outside the dashboard); `--simulator worker` runs it inside the worker instead
    (MC_SIMULATE=on), which then counts in the worker's memory;
  - the app as deployed (Dockerfile): `gunicorn --workers 1 --threads 16 --worker-class gthread
    --timeout 120 app:server` in a subprocess, its producer included;
  - N viewer threads here polling the refresh callback every second, each keeping its own
    digests as a browser does (bench/live_view.viewer).

Every --sample-s seconds it samples the gunicorn WORKER (the master's child): VmRSS, threads,
open fds; and prints a row. A light 1-s sampler also records the lowest and highest RSS within
each interval (the heavy analytics refresh every MISSION_CONTROL_CACHE_TTL s allocates and frees
a lot, so a point sample depends on where it falls in that cycle; the interval minimum is the
floor a leak would lift). At the end: RSS at the end of the warm-up (baseline), at the end,
max, growth % baseline → end, least-squares slope (MB/hour) over the post-warm-up samples,
requests and errors. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live_view import REDIS, ensure_database, refresh_request, viewer  # noqa: E402

REFRESH_S = 1.0
SATELLITES = 8
SEED = 11


# -- /proc ---------------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def proc_sample(pid: int) -> dict | None:
    try:
        status = {}
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                status[key] = value.strip()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    return {
        "pid": pid,
        "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
        "hwm_mb": int(status["VmHWM"].split()[0]) / 1024,
        "threads": int(status["Threads"]),
        "fds": fds,
    }


# -- helpers -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except Exception:
        return None


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) in MB/hour."""
    n = len(points)
    if n < 2:
        return float("nan")
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    sxx = sum((t - mx) ** 2 for t, _ in points)
    sxy = sum((t - mx) * (v - my) for t, v in points)
    return sxy / sxx * 3600 if sxx else float("nan")


def stop_process(proc: subprocess.Popen, sig: int, name: str, wait_s: float = 45) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(wait_s)
    except subprocess.TimeoutExpired:
        print(f"{name} (pid {proc.pid}) did not stop within {wait_s:.0f} s; killing it")
        proc.kill()
        proc.wait(10)


def log_findings(path: Path) -> list[str]:
    """Lines worth reporting from a subprocess log (errors, tracebacks, worker restarts)."""
    marks = (
        "Traceback",
        "ERROR",
        "CRITICAL",
        "WORKER TIMEOUT",
        "Booting worker",
        "Worker exiting",
        "was sent SIG",
        "exception",
    )
    if not path.exists():
        return []
    return [line.rstrip() for line in path.read_text(errors="replace").splitlines() if any(m in line for m in marks)]


# -- the soak ------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--warmup-minutes", type=float, default=5)
    parser.add_argument("--sample-s", type=float, default=30)
    parser.add_argument("--backlinks", type=int, default=1_000_000)
    parser.add_argument(
        "--simulator",
        choices=("process", "worker"),
        default="process",
        help="run the simulator as its own process (default) or inside the worker",
    )
    parser.add_argument("--logs", default="/tmp", help="directory for the gunicorn and simulator logs")
    args = parser.parse_args()

    import redis as redis_lib

    from app import create_app
    from config import load_settings

    url = ensure_database(args.backlinks)
    redis_lib.Redis.from_url(REDIS).flushdb()

    # The refresh callback's key, from an app built here only to read its callback map: no
    # producer, no simulator in this process (start_background=False, simulate off).
    settings = dataclasses.replace(
        load_settings({}, dotenv_path=None),
        database_url=url,
        redis_url=REDIS,
        simulate="off",
        refresh_rate_ms=int(REFRESH_S * 1000),
    )
    key_app = create_app(settings, start_background=False)
    key, outputs = refresh_request(key_app)
    key_app.server.extensions["mission_control"].services.dispose()
    del key_app

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MC_", "LP_", "GUNICORN_")) and k not in ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")
    }
    env.update(
        DATABASE_URL=url,
        REDIS_URL=REDIS,
        DASHBOARD_REFRESH_RATE=str(int(REFRESH_S * 1000)),
        MC_SIMULATOR_SATELLITES=str(SATELLITES),
        SIMULATOR_SEED=str(SEED),
        PYTHONUNBUFFERED="1",
        MC_SIMULATE="on" if args.simulator == "worker" else "off",
    )
    venv_bin = Path(sys.executable).parent
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = Path(args.logs)
    gunicorn_log = logs / f"soak_gunicorn_{port}.log"
    sim_log = logs / f"soak_simulator_{port}.log"
    procs: list[tuple[subprocess.Popen, int, str]] = []
    stop = threading.Event()
    threads: list[threading.Thread] = []
    stats = {"requests": 0, "errors": 0, "bytes": [], "error_kinds": set()}
    lock = threading.Lock()
    rows: list[dict] = []
    interrupted = []
    fine: list[float] = []  # RSS MB every second since the last sample
    fine_lock = threading.Lock()
    fine_stop = threading.Event()

    def on_signal(signum, _frame):
        interrupted.append(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        if args.simulator == "process":
            sim = subprocess.Popen(
                [
                    str(venv_bin / "python"),
                    "-m",
                    "simulator",
                    "--i-know-this-writes",
                    "run",
                    "--satellites",
                    str(SATELLITES),
                    "--seed",
                    str(SEED),
                ],
                cwd=ROOT,
                env=env,
                stdout=sim_log.open("w"),
                stderr=subprocess.STDOUT,
            )
            procs.append((sim, signal.SIGINT, "simulator"))  # SIGINT: it stops its thread cleanly
            time.sleep(3)
            if sim.poll() is not None:
                raise RuntimeError(f"the simulator exited with {sim.returncode}; see {sim_log}")
        cmd = [
            str(venv_bin / "gunicorn"),
            "--workers",
            "1",
            "--threads",
            "16",
            "--worker-class",
            "gthread",
            "--timeout",
            "120",
            "--bind",
            f"127.0.0.1:{port}",
            "app:server",
        ]
        master = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=gunicorn_log.open("w"), stderr=subprocess.STDOUT)
        procs.insert(0, (master, signal.SIGTERM, "gunicorn"))
        print(f"$ {' '.join(cmd)}  (master pid {master.pid}, log {gunicorn_log})")
        if args.simulator == "process":
            print(
                f"$ python -m simulator --i-know-this-writes run --satellites {SATELLITES} --seed {SEED}  "
                f"(pid {procs[1][0].pid}, log {sim_log})"
            )
        else:
            print("simulator inside the worker (MC_SIMULATE=on)")

        deadline = time.monotonic() + 180
        while True:
            if master.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {master.returncode}; see {gunicorn_log}")
            if http_status(base + "/readyz") == 200 and http_status(base + "/api/v1/snapshot") == 200:
                break
            if time.monotonic() > deadline or stop.is_set():
                raise RuntimeError(f"the app was not ready within 180 s; see {gunicorn_log}")
            time.sleep(0.5)
        workers = children(master.pid)
        if len(workers) != 1:
            raise RuntimeError(f"expected one gunicorn worker under pid {master.pid}, found {workers}")
        worker_pid = workers[0]
        print(
            f"ready: worker pid {worker_pid}; {args.viewers} viewers for {args.minutes:g} min, "
            f"sample every {args.sample_s:g} s, warm-up {args.warmup_minutes:g} min"
        )

        def sample(t0: float, label_t: float | None = None) -> dict:
            nonlocal worker_pid
            workers_now = children(master.pid)
            if worker_pid not in workers_now and workers_now:
                print(f"!! worker changed: {worker_pid} -> {workers_now}")
                worker_pid = workers_now[0]
            s = proc_sample(worker_pid) or {
                "pid": worker_pid,
                "rss_mb": float("nan"),
                "hwm_mb": float("nan"),
                "threads": -1,
                "fds": -1,
            }
            sim_s = proc_sample(procs[1][0].pid) if args.simulator == "process" else None
            with lock:
                s.update(requests=stats["requests"], errors=stats["errors"])
            with fine_lock:
                window = [*fine, s["rss_mb"]]
                fine.clear()
            s.update(lo_mb=min(window), hi_mb=max(window))
            s.update(
                t=(time.monotonic() - t0) if label_t is None else label_t,
                sim_mb=sim_s["rss_mb"] if sim_s else float("nan"),
                load=os.getloadavg()[0],
            )
            return s

        def fine_sampler() -> None:
            while not fine_stop.wait(1.0):
                s = proc_sample(worker_pid)
                if s is not None:
                    with fine_lock:
                        fine.append(s["rss_mb"])

        header = (
            f"{'min':>6} {'RSS MB':>8} {'lo MB':>7} {'hi MB':>7} {'HWM MB':>8} {'threads':>7} {'fds':>5} {'requests':>9} "
            f"{'+req':>6} {'errors':>6} {'+err':>5} {'sim MB':>7} {'load1':>5}"
        )
        print("\n" + header)

        def show(s: dict) -> None:
            prev = rows[-2] if len(rows) > 1 else {"requests": 0, "errors": 0}
            print(
                f"{s['t'] / 60:6.1f} {s['rss_mb']:8.1f} {s['lo_mb']:7.1f} {s['hi_mb']:7.1f} {s['hwm_mb']:8.1f} {s['threads']:7d} {s['fds']:5d} "
                f"{s['requests']:9d} {s['requests'] - prev['requests']:6d} {s['errors']:6d} "
                f"{s['errors'] - prev['errors']:5d} {s['sim_mb']:7.1f} {s['load']:5.2f}",
                flush=True,
            )

        # Minute 0: the worker after start-up, before any viewer.
        t0 = time.monotonic()
        rows.append(sample(t0, 0.0))
        show(rows[-1])
        sampler = threading.Thread(target=fine_sampler, name="rss-1s", daemon=True)
        sampler.start()
        threads.append(sampler)
        for i in range(args.viewers):
            t = threading.Thread(
                target=viewer, args=(base, key, outputs, REFRESH_S, stop, stats, lock), name=f"viewer-{i}", daemon=True
            )
            t.start()
            threads.append(t)
            time.sleep(REFRESH_S / args.viewers)  # spread the viewers over one tick
        duration = args.minutes * 60
        k = 1
        while not stop.is_set():
            due = t0 + k * args.sample_s
            if k * args.sample_s > duration + 1e-9:
                break
            if stop.wait(max(0.0, due - time.monotonic())):
                break
            if master.poll() is not None:
                print(f"!! gunicorn exited with {master.returncode} during the soak")
                break
            rows.append(sample(t0))
            show(rows[-1])
            k += 1
    finally:
        stop.set()
        fine_stop.set()
        for t in threads:
            t.join(15)
        alive = sum(t.is_alive() for t in threads)
        for proc, sig, name in procs:
            stop_process(proc, sig, name)

    # -- summary -----------------------------------------------------------------------------
    print("\n== summary ==")
    if interrupted:
        print(f"interrupted by {', '.join(interrupted)}: partial figures")
    if len(rows) < 2:
        print("no samples under load")
        return 1
    warm_s = args.warmup_minutes * 60
    post = [r for r in rows if r["t"] >= warm_s - 1]
    base_row = post[0] if post else rows[-1]
    end = rows[-1]
    growth = (end["rss_mb"] - base_row["rss_mb"]) / base_row["rss_mb"] * 100
    peak = max(rows, key=lambda r: r["rss_mb"])
    slope = slope_per_hour([(r["t"], r["rss_mb"]) for r in post])
    first_load = rows[1]
    floor_growth = (end["lo_mb"] - base_row["lo_mb"]) / base_row["lo_mb"] * 100
    floor_slope = slope_per_hour([(r["t"], r["lo_mb"]) for r in post])
    print(f"command: {' '.join(sys.argv)}")
    print(
        f"duration under load: {end['t'] / 60:.2f} min, {len(rows) - 1} samples under load (+1 before), "
        f"viewers {args.viewers}, simulator: {args.simulator}"
    )
    print(f"worker RSS before viewers (min 0.0):      {rows[0]['rss_mb']:.1f} MB")
    print(f"worker RSS baseline (min {base_row['t'] / 60:.1f}, after warm-up): {base_row['rss_mb']:.1f} MB")
    print(f"worker RSS at the end (min {end['t'] / 60:.1f}):       {end['rss_mb']:.1f} MB")
    print(
        f"worker RSS max (min {peak['t'] / 60:.1f}):              {peak['rss_mb']:.1f} MB (VmHWM at end {end['hwm_mb']:.1f} MB)"
    )
    print(f"growth baseline → end:                 {growth:+.2f} % (budget < 5 %)")
    print(f"least-squares slope after warm-up:     {slope:+.2f} MB/hour over {len(post)} samples")
    print(
        f"interval floor (lowest 1-s RSS in each {args.sample_s:g}-s interval): baseline {base_row['lo_mb']:.1f} MB, "
        f"end {end['lo_mb']:.1f} MB, growth {floor_growth:+.2f} %, slope {floor_slope:+.2f} MB/hour; "
        f"highest 1-s RSS after warm-up {max(r['hi_mb'] for r in post):.1f} MB"
    )
    print(
        f"threads: {rows[0]['threads']} before viewers, {first_load['threads']} at min {first_load['t'] / 60:.1f}, "
        f"{base_row['threads']} at baseline, {end['threads']} at the end (max {max(r['threads'] for r in rows)})"
    )
    print(
        f"open fds: {rows[0]['fds']} before viewers, {first_load['fds']} at min {first_load['t'] / 60:.1f}, "
        f"{base_row['fds']} at baseline, {end['fds']} at the end (max {max(r['fds'] for r in rows)})"
    )
    with lock:
        requests, errors, kinds = stats["requests"], stats["errors"], sorted(stats["error_kinds"])
    print(
        f"requests: {requests} ({requests / max(end['t'], 1e-9):.1f}/s), errors: {errors}"
        + (f" ({', '.join(kinds)})" if kinds else "")
    )
    if args.simulator == "process":
        sims = [r["sim_mb"] for r in rows if r["sim_mb"] == r["sim_mb"]]
        if sims:
            print(f"simulator process RSS: {sims[0]:.1f} MB → {sims[-1]:.1f} MB")
    if alive:
        print(f"{alive} viewer threads did not stop within 15 s")
    for path in (gunicorn_log, sim_log):
        found = log_findings(path)
        if found:
            print(f"{path}: {len(found)} notable lines, first ones:")
            for line in found[:15]:
                print("   " + line[:240])
    return 0


if __name__ == "__main__":
    sys.exit(main())

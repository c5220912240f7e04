"""Soak benchmark of DESIGN.md's budget "memory of a worker over a one-hour soak with 100
viewers: grows < 5 %", on PostgreSQL + Redis, with the deployment as configured.

    python bench/soak.py [--minutes 60] [--viewers 100] [--warmup-minutes 5] [--sample-s 30]
                         [--workers 2] [--trace-producer MIN]

What it runs, each part in its own OS process:
  - PostgreSQL database `mc_bench_live` with 1M backlinks (bench/live_view.ensure_database;
    the first run bulk-loads them), its rollups emptied (unless --keep-rollups) so the
    producer's first analytics pass, a full build, runs in the warm-up; Redis db 9 (flushed);
  - the fleet simulator writing into that database so the data keeps moving
    (`python -m simulator run --i-know-this-writes`, as a real Link Profiler fleet is outside
    the dashboard);
  - the app as deployed: `gunicorn -c gunicorn.conf.py` (gevent web workers that only read,
    WEB_CONCURRENCY=--workers; the producer, with the analytics, as the master's child
    process `python -m producer`);
  - the viewers: bench/loadgen.py in push mode, one asyncio process: each viewer holds
    `GET /api/v1/stream?only=version` and, for each version notice, sends the main screen's
    refresh callback with the digests it holds (what a dashboard tab does).

Every --sample-s seconds it samples each web worker and the producer process (VmRSS, VmHWM,
threads, open fds) and prints a row; a 1-s sampler records each process's lowest and highest
RSS within the interval (the producer's analytics refresh every MISSION_CONTROL_CACHE_TTL s
allocates and frees a lot, so a point sample depends on where it falls in that cycle; the
interval minimum is the floor a leak would lift). At the end, per process: RSS at the end of
the warm-up (baseline), at the end, max, growth % baseline → end, least-squares slope (MB/hour)
over the post-warm-up samples, the same for the floor; and the viewers' requests and errors.

`--trace-producer MIN` starts tracemalloc in the producer (bench/memtrace.py) and writes a
snapshot every MIN minutes; the summary prints the allocation sites that grew most between the
first snapshot after the warm-up and the last, with the producer's gc object counts. Tracing
costs memory itself: figures of a traced run are for finding a leak, not for the table.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import os
import signal
import socket
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


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def roles(master_pid: int) -> dict[int, str]:
    """The master's children by role: 'producer' (`python -m producer`) and the web workers."""
    out = {}
    for pid in children(master_pid):
        out[pid] = "producer" if " -m producer" in f" {cmdline(pid)}" else "worker"
    return out


def summarise(name: str, rows: list[dict], warm_s: float, sample_s: float) -> None:
    """Growth, slope, peak and floor of one process's samples."""
    rows = [r for r in rows if r["rss_mb"] == r["rss_mb"]]
    post = [r for r in rows if r["t"] >= warm_s - 1]
    if len(post) < 2:
        print(f"{name}: too few samples after the warm-up")
        return
    base, end = post[0], post[-1]
    peak = max(rows, key=lambda r: r["hi_mb"])
    growth = (end["rss_mb"] - base["rss_mb"]) / base["rss_mb"] * 100
    floor_growth = (end["lo_mb"] - base["lo_mb"]) / base["lo_mb"] * 100
    print(
        f"{name} (pid {end['pid']}): RSS at start {rows[0]['rss_mb']:.1f} MB; after warm-up (min {base['t'] / 60:.1f}) "
        f"{base['rss_mb']:.1f} → end (min {end['t'] / 60:.1f}) {end['rss_mb']:.1f} MB: {growth:+.2f} % (budget < 5 %), "
        f"slope {slope_per_hour([(r['t'], r['rss_mb']) for r in post]):+.2f} MB/h; "
        f"peak 1-s RSS {peak['hi_mb']:.1f} MB (min {peak['t'] / 60:.1f}), VmHWM at end {end['hwm_mb']:.1f} MB"
    )
    print(
        f"    floor (lowest 1-s RSS of each {sample_s:g}-s interval): {base['lo_mb']:.1f} → {end['lo_mb']:.1f} MB "
        f"({floor_growth:+.2f} %), slope {slope_per_hour([(r['t'], r['lo_mb']) for r in post]):+.2f} MB/h; "
        f"threads {base['threads']} → {end['threads']}, fds {base['fds']} → {end['fds']}"
    )


def empty_rollups(url: str) -> None:
    """Empty the rollups (and their watermarks), so the producer's first analytics pass, a full
    build, falls inside the warm-up as on a fresh deployment."""
    from analytics.tables import ROLLUP_TABLES, ensure_tables
    from data.connections import make_engine

    engine = make_engine(url)
    ensure_tables(engine)
    with engine.begin() as conn:
        for table in ROLLUP_TABLES:
            conn.execute(table.delete())
    engine.dispose()


# -- the soak ------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--warmup-minutes", type=float, default=5)
    parser.add_argument("--sample-s", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY (gunicorn.conf.py's default: 2)")
    parser.add_argument("--backlinks", type=int, default=1_000_000)
    parser.add_argument(
        "--cache-ttl",
        type=int,
        default=None,
        help="MISSION_CONTROL_CACHE_TTL (analytics refresh period, s; default: the setting's)",
    )
    parser.add_argument("--trace-producer", type=float, metavar="MIN", help="tracemalloc snapshots every MIN minutes")
    parser.add_argument(
        "--keep-rollups",
        action="store_true",
        help="keep the rollups of an earlier run (default: the producer builds them anew)",
    )
    parser.add_argument("--logs", default=None, help="directory for the logs (default: a new temporary one)")
    args = parser.parse_args()

    import redis as redis_lib

    url = ensure_database(args.backlinks)
    redis_lib.Redis.from_url(REDIS).flushdb()
    if not args.keep_rollups:
        empty_rollups(url)

    logs = Path(args.logs or tempfile.mkdtemp(prefix="mc-soak-"))
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MC_", "LP_", "GUNICORN_")) and k not in ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")
    }
    env.update(
        DATABASE_URL=url,
        REDIS_URL=REDIS,
        DASHBOARD_REFRESH_RATE="1000",
        MC_SIMULATOR_SATELLITES=str(SATELLITES),
        SIMULATOR_SEED=str(SEED),
        PYTHONUNBUFFERED="1",
        MC_SIMULATE="off",
        MC_PRODUCER="external",
        WEB_CONCURRENCY=str(args.workers),
        HOST="127.0.0.1",
        PORT=str(port),
        # Room for every viewer's version stream (the default admits 100 per deployment).
        MAX_WEBSOCKET_CONNECTIONS=str(args.viewers + 100),
    )
    if args.cache_ttl is not None:
        env["MISSION_CONTROL_CACHE_TTL"] = str(args.cache_ttl)
    trace_dir = None
    if args.trace_producer:
        trace_dir = logs / "trace"
        trace_dir.mkdir(exist_ok=True)
        # bench/bench_site/sitecustomize.py starts bench.memtrace in `python -m producer`.
        env.update(
            MC_SOAK_TRACE_DIR=str(trace_dir),
            MC_SOAK_TRACE_EVERY_S=str(args.trace_producer * 60),
            PYTHONPATH=os.pathsep.join((str(ROOT / "bench" / "bench_site"), str(ROOT))),
        )
    py = str(Path(sys.executable))
    gunicorn_log, sim_log, viewers_out = logs / "gunicorn.log", logs / "simulator.log", logs / "viewers.json"
    procs: list[tuple[subprocess.Popen, int, str]] = []
    stop = threading.Event()
    per: dict[str, list[dict]] = {}  # role name → samples
    fine: dict[int, list[float]] = {}  # pid → RSS MB every second since the last sample
    fine_lock = threading.Lock()
    interrupted: list[str] = []
    viewers = None
    t0_wall = time.time()

    def on_signal(signum, _frame):
        interrupted.append(signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    try:
        sim_cmd = [
            py,
            "-m",
            "simulator",
            "--i-know-this-writes",
            "run",
            "--satellites",
            str(SATELLITES),
            "--seed",
            str(SEED),
        ]
        sim = subprocess.Popen(sim_cmd, cwd=ROOT, env=env, stdout=sim_log.open("w"), stderr=subprocess.STDOUT)
        procs.append((sim, signal.SIGINT, "simulator"))  # SIGINT: it stops its thread cleanly
        cmd = [py, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
        master = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=gunicorn_log.open("w"), stderr=subprocess.STDOUT)
        procs.insert(0, (master, signal.SIGTERM, "gunicorn"))
        ttl = "" if args.cache_ttl is None else f"MISSION_CONTROL_CACHE_TTL={args.cache_ttl} "
        print(f"$ WEB_CONCURRENCY={args.workers} {ttl}{' '.join(cmd[1:])}")
        print(f"  (master pid {master.pid}; logs in {logs})")
        print(f"$ {' '.join(sim_cmd[1:])}  (pid {sim.pid})")

        deadline = time.monotonic() + 300
        while True:
            for proc, _sig, name in procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}; see {logs}")
            if http_status(base + "/readyz") == 200 and http_status(base + "/api/v1/snapshot") == 200:
                break
            if time.monotonic() > deadline or stop.is_set():
                raise RuntimeError(f"the app was not ready within 300 s; see {gunicorn_log}")
            time.sleep(0.5)
        by_pid = roles(master.pid)
        workers = sorted(pid for pid, role in by_pid.items() if role == "worker")
        producers = [pid for pid, role in by_pid.items() if role == "producer"]
        if len(workers) != args.workers or len(producers) != 1:
            raise RuntimeError(
                f"expected {args.workers} workers and one producer under pid {master.pid}, found {by_pid}"
            )
        tracked = {f"worker {i + 1}": pid for i, pid in enumerate(workers)}
        tracked["producer"] = producers[0]
        tracked["simulator"] = sim.pid
        print(
            "ready: "
            + ", ".join(f"{name} pid {pid}" for name, pid in tracked.items())
            + f"; {args.viewers} viewers for {args.minutes:g} min, sample every {args.sample_s:g} s, "
            f"warm-up {args.warmup_minutes:g} min"
        )

        def follow() -> None:
            """A web worker or the producer replaced (recycled, crashed): follow its successor."""
            now = roles(master.pid)
            for name, pid in list(tracked.items()):
                if name == "simulator" or pid in now:
                    continue
                taken = set(tracked.values())
                want = "producer" if name == "producer" else "worker"
                new = next((p for p, r in sorted(now.items()) if r == want and p not in taken), None)
                if new is not None:
                    print(f"!! {name} changed: pid {pid} -> {new}")
                    tracked[name] = new

        def sample(t: float) -> None:
            follow()
            for name, pid in tracked.items():
                s = proc_sample(pid) or {
                    "pid": pid,
                    "rss_mb": float("nan"),
                    "hwm_mb": float("nan"),
                    "threads": -1,
                    "fds": -1,
                }
                with fine_lock:
                    window = [*fine.pop(pid, []), s["rss_mb"]]
                s.update(t=t, lo_mb=min(window), hi_mb=max(window))
                per.setdefault(name, []).append(s)

        def fine_sampler() -> None:
            while not stop.wait(1.0):
                for pid in list(tracked.values()):
                    s = proc_sample(pid)
                    if s is not None:
                        with fine_lock:
                            fine.setdefault(pid, []).append(s["rss_mb"])

        names = list(tracked)
        print("\n   min " + " ".join(f"{n[:10]:>10} lo/hi" + " " * 6 for n in names) + " load1")

        def show(t: float) -> None:
            cells = []
            for n in names:
                r = per[n][-1]
                cells.append(f"{r['rss_mb']:7.1f} {r['lo_mb']:6.1f}/{r['hi_mb']:6.1f}")
            print(f"{t / 60:6.1f} " + " ".join(cells) + f" {os.getloadavg()[0]:5.2f}", flush=True)

        t0, t0_wall = time.monotonic(), time.time()
        sample(0.0)
        show(0.0)
        threading.Thread(target=fine_sampler, name="rss-1s", daemon=True).start()
        duration = args.minutes * 60
        viewers = subprocess.Popen(
            [
                py,
                str(ROOT / "bench" / "loadgen.py"),
                base,
                "--mode",
                "push",
                "--fetch",
                "--clients",
                str(args.viewers),
                "--seconds",
                str(duration + 5),
                "--out",
                str(viewers_out),
            ],
            cwd=ROOT,
            stdout=(logs / "viewers.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        k = 1
        while not stop.is_set() and k * args.sample_s <= duration + 1e-9:
            if stop.wait(max(0.0, t0 + k * args.sample_s - time.monotonic())):
                break
            if master.poll() is not None:
                print(f"!! gunicorn exited with {master.returncode} during the soak")
                break
            sample(time.monotonic() - t0)
            show(per[names[0]][-1]["t"])
            k += 1
    finally:
        stop.set()
        if viewers is not None:
            try:
                viewers.wait(60)
            except subprocess.TimeoutExpired:
                viewers.kill()
        for proc, sig, name in procs:
            stop_process(proc, sig, name)

    # -- summary -----------------------------------------------------------------------------
    print("\n== summary ==")
    if interrupted:
        print(f"interrupted by {', '.join(interrupted)}: partial figures")
    print(f"command: {' '.join(sys.argv)}")
    if not per or len(next(iter(per.values()))) < 2:
        print("no samples under load")
        return 1
    end_t = next(iter(per.values()))[-1]["t"]
    print(
        f"duration under load: {end_t / 60:.2f} min, viewers {args.viewers} (push: version stream + refresh callback)"
    )
    for name, rows in per.items():
        summarise(name, rows, args.warmup_minutes * 60, args.sample_s)
    if viewers_out.exists():
        out = json.loads(viewers_out.read_text())
        calls = out["callbacks"]
        ok = sum(1 for c in calls if c[3] in (200, 204))
        print(
            f"viewers: {len(out['notices'])} version notices received, {len(calls)} refresh callbacks "
            f"({ok} answered 200/204), errors {out['errors'] or 0}"
        )
    else:
        print(f"viewers: no output ({logs / 'viewers.log'})")
    if trace_dir is not None:
        from bench.memtrace import report

        report(trace_dir, t0_wall + args.warmup_minutes * 60)
    for path in (gunicorn_log, sim_log):
        found = log_findings(path)
        if found:
            print(f"{path}: {len(found)} notable lines, first ones:")
            for line in found[:15]:
                print("   " + line[:240])
    return 0


if __name__ == "__main__":
    sys.exit(main())

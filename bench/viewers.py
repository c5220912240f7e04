"""Benchmark of the live view as it is deployed (issue 16), on PostgreSQL + Redis.

    python bench/viewers.py [--backlinks 1000000] [--seconds 75] [--cache-ttl 20] [--viewers 1,100]
                            [--push 1000] [--fill-runs 5] [--deployment split|embedded]

Every part runs in its own OS process, as in production:
  - the simulator (`python -m simulator run`, 8 satellites) writes Link Profiler's tables;
  - the producer: `split` runs `python -m producer` beside web workers that only read
    (MC_PRODUCER=external); `embedded` is the single-image deployment of the Dockerfile
    before issue 16 (gunicorn gthread workers, each with a standby producer inside);
  - the web server: gunicorn with the repository's gunicorn.conf.py (when present) or the
    Dockerfile's command line, serving `bench.instrument:app` (app.server plus a timer);
  - the viewers: bench/loadgen.py, one asyncio process, sending exactly the browser's requests;
  - the /healthz probe: another loadgen process, 10 clients at 5 requests a second.

Each window lasts --seconds with MISSION_CONTROL_CACHE_TTL=--cache-ttl, so it holds several
analytics refreshes (their count and that of the jobs completed are printed; the run says so
when a window holds fewer than two refreshes or no completion). Server time of the refresh
callback (p50 / p95 / p99 / max) is reported for the whole window and for the requests that
started while an analytics refresh ran. Also: publish → received for --push viewers holding
the version stream, first fill in headless Chromium with analytics busy and idle, bytes per
viewer per tick, and the app's SQL statements per minute (web workers + producer, never the
simulator). Prints a markdown table; asserts nothing (machines are noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.live_view import REDIS, ensure_database  # noqa: E402

PY = sys.executable
CALLBACK = "/_dash-update-component"
TARGETS = {
    "p95_100": 50.0,
    "push_p95": 100.0,
    "fill_busy": 1000.0,
    "bytes_mean": 2048.0,
    "ratio": 1.05,
}


def pct(values: list[float], p: float) -> float:
    xs = sorted(values)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deployment:
    """The processes under test, their environment and what they recorded."""

    def __init__(self, args, url: str):
        self.args = args
        self.dir = Path(tempfile.mkdtemp(prefix="mc-bench-"))
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = url
        self.split = args.deployment == "split"
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": REDIS,
            "MISSION_CONTROL_CACHE_TTL": str(args.cache_ttl),
            "DASHBOARD_REFRESH_RATE": "1000",
            "MC_SIMULATE": "off",
            "LOG_LEVEL": "info",
            "MC_BENCH_DIR": str(self.dir),
            # Room for every viewer's version stream (the default admits 100).
            "MAX_WEBSOCKET_CONNECTIONS": str(max(args.push, 100) + 200),
            # bench_site/sitecustomize.py starts the recorders in `python -m producer`, however
            # it is started (by gunicorn.conf.py's master, or by this bench).
            "PYTHONPATH": os.pathsep.join((str(ROOT / "bench" / "bench_site"), str(ROOT))),
        }
        self.procs: dict[str, subprocess.Popen] = {}

    def spawn(self, name: str, cmd: list[str], **env) -> subprocess.Popen:
        log = (self.dir / f"{name}.log").open("w")
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def start(self) -> None:
        import redis

        redis.Redis.from_url(REDIS).flushdb()
        self.spawn(
            "simulator",
            [PY, "-m", "simulator", "--i-know-this-writes", "run", "--satellites", "8", "--seed", "11"],
            MC_BENCH_DIR="",
        )
        web_env = {"MC_BENCH_WEB": "1"}
        if self.split:
            # The deployment's own configuration: gevent workers that only read, the producer
            # as the master's child process (MC_PRODUCER=external).
            if not (ROOT / "gunicorn.conf.py").exists():
                raise SystemExit("--deployment split needs gunicorn.conf.py (the producer as its own process)")
            web_env["MC_PRODUCER"] = "external"
            conf, flags = ["-c", "gunicorn.conf.py"], []
        else:
            # The Dockerfile before issue 16: gthread workers, each with a standby producer inside.
            web_env["MC_PRODUCER"] = "inline"
            conf = []
            flags = ["--workers", "2", "--threads", "16", "--worker-class", "gthread", "--timeout", "120"]
        self.spawn(
            "web",
            [PY, "-m", "gunicorn", *conf, *flags, "--bind", f"127.0.0.1:{self.port}", "bench.instrument:app"],
            **web_env,
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    # -- what the processes recorded ---------------------------------------------------------
    def _lines(self, kind: str) -> list:
        out = []
        for path in self.dir.glob(f"{kind}.*.jsonl"):
            out += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return out

    def requests(self, t0: float, t1: float) -> list:
        return [r for r in self._lines("requests") if t0 <= r[0] < t1]

    def refreshes(self) -> list[tuple[float, float]]:
        return sorted((e[1], e[2]) for e in self._lines("events") if e[0] == "heavy")

    def refreshing_since(self) -> float | None:
        """Start of the analytics refresh running now, if any."""
        events = self._lines("events")
        started = max((e[1] for e in events if e[0] == "start"), default=None)
        ended = max((e[1] for e in events if e[0] == "heavy"), default=None)
        return started if started is not None and (ended is None or ended < started) else None

    def statements(self, role: str | None = None) -> int:
        """SQL statements run so far by the measured processes (of `role` only: "web", "producer")."""
        total = 0
        for path in self.dir.glob("statements.*.json"):
            with contextlib.suppress(ValueError, KeyError):
                found = json.loads(path.read_text())
                if role is None or found.get("role") == role:
                    total += found["statements"]
        return total

    def wait_ready(self, timeout_s: float = 900) -> None:
        """Until the first snapshot is served and the first analytics refresh has finished."""
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise SystemExit(f"{name} exited: see {self.dir / (name + '.log')}")
            try:
                with urllib.request.urlopen(self.base + "/api/v1/snapshot", timeout=5) as resp:
                    if resp.status == 200 and self.refreshes():
                        return
            except OSError:
                pass  # not listening yet
            time.sleep(1)
        raise SystemExit("the deployment did not become ready in time")


def loadgen(dep: Deployment, mode: str, clients: int, seconds: float, name: str, *extra: str) -> subprocess.Popen:
    out = dep.dir / f"{name}.json"
    return subprocess.Popen(
        [
            PY,
            str(ROOT / "bench" / "loadgen.py"),
            dep.base,
            "--mode",
            mode,
            "--clients",
            str(clients),
            "--seconds",
            str(seconds),
            "--out",
            str(out),
            *extra,
        ],
        cwd=ROOT,
    )


def read_out(dep: Deployment, name: str) -> dict:
    return json.loads((dep.dir / f"{name}.json").read_text())


def completions(url: str, t0: float, t1: float) -> int:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.connect() as conn:
        n = conn.execute(
            sa.text(
                "SELECT COUNT(*) FROM crawl_jobs WHERE status = 'completed' AND completed_date >= "
                "to_timestamp(:a) AT TIME ZONE 'UTC' AND completed_date < to_timestamp(:b) AT TIME ZONE 'UTC'"
            ),
            {"a": t0, "b": t1},
        ).scalar()
    engine.dispose()
    return int(n or 0)


def viewers_window(dep: Deployment, count: int, push_mode: bool) -> dict:
    """One window of `count` viewers (poll, or push + fetch) with the /healthz probe beside them."""
    seconds = dep.args.seconds
    before, web_before, t0 = dep.statements(), dep.statements("web"), time.time()
    extra = ("--fetch",) if push_mode else ()
    viewers = loadgen(dep, "push" if push_mode else "poll", count, seconds, f"viewers{count}", *extra)
    probe = loadgen(dep, "health", dep.args.health_clients, seconds, f"health{count}", "--rate", "5")
    viewers.wait()
    probe.wait()
    t1 = time.time()
    time.sleep(1.5)  # the recorders flush every 0.5 s
    statements = dep.statements() - before
    web_statements = dep.statements("web") - web_before
    out, health = read_out(dep, f"viewers{count}"), read_out(dep, f"health{count}")
    w0, w1 = out["window"]
    server = [r for r in dep.requests(w0, w1) if r[1] == CALLBACK]
    refreshes = [(a, b) for a, b in dep.refreshes() if b > w0 and a < w1]
    busy = [r for r in server if any(a <= r[0] < b for a, b in refreshes)]
    ms = [r[2] for r in server]
    busy_ms = [r[2] for r in busy]
    # Per tick: every answered update after the viewer's first (which fills the whole page).
    sizes = [c[2] for c in out["callbacks"] if c[3] in (200, 204) and c[4] > 1]
    hz = [h[1] for h in health["health"]]
    hz_busy = [h[1] for h in health["health"] if any(a <= h[0] < b for a, b in refreshes)]
    return {
        "viewers": count,
        "load": round(os.getloadavg()[0], 1),
        "mode": "push + fetch" if push_mode else "poll 1 s",
        "seconds": round(w1 - w0),
        "requests": len(out["callbacks"]),
        "errors": sum(out["errors"].values()) + sum(health["errors"].values()),
        "error_kinds": {**out["errors"], **health["errors"]},
        "refreshes": len(refreshes),
        "refresh_s": [round(b - a, 1) for a, b in refreshes],
        "completions": completions(dep.url, w0, w1),
        "all": [pct(ms, 0.5), pct(ms, 0.95), pct(ms, 0.99), max(ms, default=float("nan"))],
        "busy": [pct(busy_ms, 0.5), pct(busy_ms, 0.95), pct(busy_ms, 0.99), max(busy_ms, default=float("nan"))],
        "busy_n": len(busy_ms),
        "client_p95": pct([c[1] for c in out["callbacks"]], 0.95),
        "bytes_mean": statistics.fmean(sizes) if sizes else 0.0,
        "bytes_p95": pct(sizes, 0.95),
        "stream_bytes_per_viewer": out["stream_bytes"] / count,
        "statements_per_min": statements / (t1 - t0) * 60,
        "web_statements": web_statements,
        "healthz": [pct(hz, 0.5), pct(hz, 0.95), pct(hz, 0.99), max(hz, default=float("nan"))],
        "healthz_busy_p95": pct(hz_busy, 0.95),
    }


def push_window(dep: Deployment, count: int) -> dict:
    seconds = dep.args.seconds
    proc = loadgen(dep, "push", count, seconds, f"push{count}")
    proc.wait()
    out = read_out(dep, f"push{count}")
    delays = [n[1] for n in out["notices"]]
    w0, w1 = out["window"]
    refreshes = [(a, b) for a, b in dep.refreshes() if b > w0 and a < w1]
    busy = [n[1] for n in out["notices"] if any(a <= n[0] < b for a, b in refreshes)]
    return {
        "viewers": count,
        "load": round(os.getloadavg()[0], 1),
        "notices": len(delays),
        "errors": sum(out["errors"].values()),
        "error_kinds": out["errors"],
        "refreshes": len(refreshes),
        "delay": [pct(delays, 0.5), pct(delays, 0.95), pct(delays, 0.99), max(delays, default=float("nan"))],
        "busy_p95": pct(busy, 0.95),
        "lag_p95": pct(out.get("lag", []), 0.95),
    }


def first_fills(dep: Deployment, runs: int) -> dict:
    """Navigation → every panel filled, `runs` times while analytics run and `runs` times idle."""
    from bench.live_view import first_fill_driver, measure_fill

    driver = first_fill_driver()
    out: dict[str, list[float]] = {"busy": [], "idle": [], "busy_overlap": []}
    try:
        measure_fill(driver, dep.base)  # warm the browser's cache, as a returning viewer has it
        deadline = time.time() + runs * dep.args.cache_ttl * 3 + 120
        while (len(out["busy"]) < runs or len(out["idle"]) < runs) and time.time() < deadline:
            since = dep.refreshing_since()
            want = "busy" if since is not None else "idle"
            if len(out[want]) >= runs:
                time.sleep(0.2)
                continue
            if want == "idle" and time.time() - max((b for _a, b in dep.refreshes()), default=0) < 1:
                time.sleep(0.2)  # not right after a refresh: its end may not be flushed yet
                continue
            started = time.time()
            ms = measure_fill(driver, dep.base)
            if ms is None:
                continue
            # Busy only when the whole navigation ran inside one refresh.
            time.sleep(0.6)
            inside = any(a <= started and started + ms / 1000 <= b for a, b in dep.refreshes())
            if want == "busy":
                out["busy" if inside else "busy_overlap"].append(ms)
            elif dep.refreshing_since() is None and not any(
                a < started + ms / 1000 and b > started for a, b in dep.refreshes()
            ):
                out["idle"].append(ms)
    finally:
        driver.quit()
    return out


def fmt(xs) -> str:
    return " / ".join(f"{x:,.1f}" if x == x else "–" for x in xs)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backlinks", type=int, default=1_000_000)
    p.add_argument("--seconds", type=float, default=75.0, help="length of each window")
    p.add_argument("--cache-ttl", type=int, default=20, help="MISSION_CONTROL_CACHE_TTL during the run")
    p.add_argument("--viewers", default="1,100", help="viewer counts (comma list, or none)")
    p.add_argument("--push", type=int, default=1000, help="viewers holding the version stream (0: none)")
    p.add_argument("--fill-runs", type=int, default=5)
    p.add_argument("--health-clients", type=int, default=10)
    p.add_argument(
        "--deployment",
        choices=("split", "embedded"),
        default="split",
        help="split: producer in its own process (MC_PRODUCER=external); embedded: producer inside the web workers",
    )
    p.add_argument("--poll", action="store_true", help="viewers poll every second instead of following the stream")
    args = p.parse_args(argv)

    url = ensure_database(args.backlinks)
    dep = Deployment(args, url)
    print(f"bench dir {dep.dir} (logs, samples)", flush=True)
    dep.start()
    try:
        dep.wait_ready()
        print("ready: first analytics refresh done", flush=True)
        counts = [] if args.viewers == "none" else [int(n) for n in args.viewers.split(",")]
        rows = []
        for n in counts:
            rows.append(viewers_window(dep, n, push_mode=not args.poll))
            print(json.dumps(rows[-1]), flush=True)
        push = push_window(dep, args.push) if args.push else None
        if push:
            print(json.dumps(push), flush=True)
        fills = first_fills(dep, args.fill_runs) if args.fill_runs else None
        if fills:
            print(json.dumps(fills), flush=True)
    finally:
        dep.stop()
    report(args, rows, push, fills)
    return 0


def report(args, rows: list[dict], push: dict | None, fills: dict | None) -> None:
    print(
        f"\n{args.deployment} deployment, {args.backlinks:,} backlinks, windows of {args.seconds:.0f} s, "
        f"MISSION_CONTROL_CACHE_TTL={args.cache_ttl}, viewers {'polling at 1 s' if args.poll else 'following the version stream'}\n"
    )
    print("| figure | measured | target |")
    print("|---|---|---|")
    for r in rows:
        v = r["viewers"]
        target = f"p95 < {TARGETS['p95_100']:.0f} ms" if v >= 100 else ""
        print(
            f"| refresh callback server ms p50 / p95 / p99 / max, {v} viewer(s), whole window "
            f"({r['requests']:,} requests, {r['refreshes']} refreshes of {r['refresh_s']} s, "
            f"{r['completions']} jobs completed, {r['errors']} errors, load average {r['load']}) | {fmt(r['all'])} | {target} |"
        )
        print(f"| … the same, requests during an analytics refresh ({r['busy_n']:,}) | {fmt(r['busy'])} | |")
        print(
            f"| bytes per viewer per tick, mean (p95), {v} viewer(s) | {r['bytes_mean']:,.0f} ({r['bytes_p95']:,.0f})"
            f" + stream {r['stream_bytes_per_viewer'] / max(1, r['seconds']):,.0f} B/s | mean < 2 KB |"
        )
        print(
            f"| /healthz ms p50 / p95 / p99 / max ({args.health_clients} clients at 5/s) beside {v} viewer(s) "
            f"| {fmt(r['healthz'])} (p95 during refreshes {r['healthz_busy_p95']:.1f}) | p95 < 25 ms |"
        )
        print(f"| app SQL statements / min, {v} viewer(s) | {r['statements_per_min']:,.0f} | |")
        print(
            f"| … of them run by the web workers (the viewers' requests), whole window, {v} viewer(s) | {r['web_statements']:,} | 0 |"
        )
    if len(rows) > 1 and rows[0]["statements_per_min"]:
        ratio = rows[-1]["statements_per_min"] / rows[0]["statements_per_min"]
        print(f"| statements ratio {rows[-1]['viewers']} : {rows[0]['viewers']} viewers | {ratio:.3f} | ≤ 1.05 |")
    if push:
        print(
            f"| {push['viewers']:,} viewers by push: publish → received ms p50 / p95 / p99 / max "
            f"({push['notices']:,} notices, {push['refreshes']} refreshes, load average {push['load']}) | {fmt(push['delay'])}, "
            f"errors {push['errors']}; the load generator's own loop lag p95 {push['lag_p95']:.1f} ms | p95 < 100 ms, 0 errors |"
        )
    if fills:
        for kind in ("busy", "idle"):
            xs = fills[kind]
            if xs:
                print(
                    f"| first fill (navigation → all panels filled), analytics {kind}, median (min–max) of {len(xs)} "
                    f"| {statistics.median(xs):,.0f} ({min(xs):,.0f}–{max(xs):,.0f}) ms | {'< 1 s' if kind == 'busy' else ''} |"
                )
            else:
                print(f"| first fill, analytics {kind} | not measured (no navigation fitted) | |")
    for r in rows:
        if r["refreshes"] < 2 or r["completions"] < 1:
            print(
                f"\nwarning: the {r['viewers']}-viewer window held {r['refreshes']} refreshes and {r['completions']} completions"
            )
        if r["error_kinds"]:
            print(f"errors with {r['viewers']} viewers: {r['error_kinds']}")
    if push and push["error_kinds"]:
        print(f"push errors: {push['error_kinds']}")


if __name__ == "__main__":
    sys.exit(main())

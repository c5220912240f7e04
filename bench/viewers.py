"""Benchmark of the live view as it is deployed (issue 16), on PostgreSQL + Redis.

    python bench/viewers.py [--backlinks 1000000] [--seconds 75] [--cache-ttl 20] [--viewers 1,100]
                            [--push 1000] [--fill-runs 5] [--deployment split|embedded]
                            [--database mc_bench_live] [--redis-db N]

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
the version stream, as the load generator received it and the web workers' own share of it
(publish → notice handed to the server, and → written to the socket: bench/instrument.py), first
fill in headless Chromium with analytics busy and idle, bytes per viewer per tick (the gzipped
body as the browser receives it, and decoded), and the app's SQL statements per minute (web
workers + producer, never the simulator).

Statements per minute follow how many analytics refreshes a window holds (the producer's work,
whatever the viewers do): the ratio of two windows compares them over whole refresh cycles, from
the start of the window's first refresh to the start of its last, so both cover the same work.
The whole-window figure is printed beside it.

The database (--database, created and bulk-loaded on first use) and the Redis database
(--redis-db, FLUSHED at start) are the run's own: two runs at once need different ones.
Prints a markdown table; asserts nothing (machines are noisy).
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
from bisect import bisect_right
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.live_view import DB_NAME, REDIS, ensure_database  # noqa: E402

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


def quantiles(values: list[float]) -> list[float]:
    """p50, p95, p99, max."""
    return [pct(values, 0.5), pct(values, 0.95), pct(values, 0.99), max(values, default=float("nan"))]


def redis_url(db: int | None) -> str:
    """bench.live_view's Redis URL, on database `db` when given."""
    return REDIS if db is None else urlsplit(REDIS)._replace(path=f"/{db}").geturl()


def count_at(series: list[tuple[float, int]], t: float) -> float:
    """One process's cumulative statement count at `t`, interpolated between its records (0.5 s
    apart); 0 before its first record (the process had not started), its last count after it."""
    if not series or t < series[0][0]:
        return 0.0
    i = bisect_right([r[0] for r in series], t)
    if i >= len(series):
        return float(series[-1][1])
    (ta, ca), (tb, cb) = series[i - 1], series[i]
    return ca + (cb - ca) * (t - ta) / (tb - ta) if tb > ta else float(cb)


def push_spread_ms() -> int:
    """The deployment's MC_PUSH_SPREAD_MS (its environment, else the app's default)."""
    from config import load_settings

    return load_settings(dict(os.environ), dotenv_path=None).push_spread_ms


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
        self.redis = redis_url(args.redis_db)
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": self.redis,
            # Pub/sub channels are server-wide, not per Redis database: the run's own names, so
            # its snapshot notices and fleet commands never reach another run's processes.
            "MC_SNAPSHOT_CHANNEL": f"mc:snapshot:notices:bench-{os.getpid()}",
            "REDIS_CRAWLER_CONTROL_PREFIX": f"crawler_control:bench-{os.getpid()}:",
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

        redis.Redis.from_url(self.redis).flushdb()
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

    def refresh_starts(self) -> list[float]:
        return sorted(e[1] for e in self._lines("events") if e[0] == "start")

    def fanout(self, t0: float, t1: float) -> list:
        """[epoch s, publish → handed ms, publish → written ms | None] of the notices the web
        workers sent to tabs' version streams between t0 and t1."""
        return [r for r in self._lines("fanout") if t0 <= r[0] < t1]

    def refreshing_since(self) -> float | None:
        """Start of the analytics refresh running now, if any."""
        events = self._lines("events")
        started = max((e[1] for e in events if e[0] == "start"), default=None)
        ended = max((e[1] for e in events if e[0] == "heavy"), default=None)
        return started if started is not None and (ended is None or ended < started) else None

    def statement_series(self, role: str | None = None) -> list[list[tuple[float, int]]]:
        """Per measured process (of `role` only: "web", "producer"): its [(epoch s, statements so
        far)], one record per flush."""
        out = []
        for path in self.dir.glob("statements.*.jsonl"):
            series = []
            for line in path.read_text().splitlines():
                with contextlib.suppress(ValueError, IndexError):
                    t, count, found_role = json.loads(line)
                    if role is None or found_role == role:
                        series.append((float(t), int(count)))
            if series:
                out.append(series)
        return out

    def statements(self, role: str | None = None) -> int:
        """SQL statements run so far by the measured processes (of `role` only: "web", "producer")."""
        return sum(series[-1][1] for series in self.statement_series(role))

    def statements_between(self, t0: float, t1: float, role: str | None = None) -> float:
        """SQL statements run between t0 and t1 by the measured processes (interpolated)."""
        return sum(count_at(s, t1) - count_at(s, t0) for s in self.statement_series(role))

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
    # The tabs wait as assets/push.js does: a random 0..MC_PUSH_SPREAD_MS after each notice.
    extra = ("--fetch", "--spread-ms", str(push_spread_ms())) if push_mode else ()
    viewers = loadgen(dep, "push" if push_mode else "poll", count, seconds, f"viewers{count}", *extra)
    probe = loadgen(dep, "health", dep.args.health_clients, seconds, f"health{count}", "--rate", "5")
    viewers.wait()
    probe.wait()
    time.sleep(1.5)  # the recorders flush every 0.5 s: their series must reach past the window
    out, health = read_out(dep, f"viewers{count}"), read_out(dep, f"health{count}")
    w0, w1 = out["window"]
    server = [r for r in dep.requests(w0, w1) if r[1] == CALLBACK]
    refreshes = [(a, b) for a, b in dep.refreshes() if b > w0 and a < w1]
    busy = [r for r in server if any(a <= r[0] < b for a, b in refreshes)]
    ms = [r[2] for r in server]
    busy_ms = [r[2] for r in busy]
    # Per tick: every answered update after the viewer's first (which fills the whole page);
    # c[2] the body as received (gzipped), c[5] decoded.
    ticks = [c for c in out["callbacks"] if c[3] in (200, 204) and c[4] > 1]
    wire = [c[2] for c in ticks]
    decoded = [c[5] for c in ticks]
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
        "all": quantiles(ms),
        "busy": quantiles(busy_ms),
        "busy_n": len(busy_ms),
        "client_p95": pct([c[1] for c in out["callbacks"]], 0.95),
        "wire_bytes_mean": statistics.fmean(wire) if wire else 0.0,
        "wire_bytes_p95": pct(wire, 0.95),
        "bytes_mean": statistics.fmean(decoded) if decoded else 0.0,
        "bytes_p95": pct(decoded, 0.95),
        "stream_bytes_per_viewer": out["stream_bytes"] / count,
        **statement_rates(dep, w0, w1),
        "web_statements": round(dep.statements_between(w0, w1, "web")),
        "healthz": quantiles(hz),
        "healthz_busy_p95": pct(hz_busy, 0.95),
    }


def statement_rates(dep: Deployment, w0: float, w1: float) -> dict:
    """The app's statements per minute over the whole window [w0, w1], and over its whole
    analytics refresh cycles: from the start of the first refresh that starts inside the window
    to the start of the last one (the producer's work per minute follows how many refreshes a
    span holds, so two windows compare over whole cycles). With fewer than two refresh starts in
    the window there is no whole cycle: the whole window stands in, flagged."""
    whole = dep.statements_between(w0, w1) / (w1 - w0) * 60
    starts = [t for t in dep.refresh_starts() if w0 <= t < w1]
    if len(starts) >= 2:
        a, b = starts[0], starts[-1]
        cycles_rate, cycles, cycles_s = dep.statements_between(a, b) / (b - a) * 60, len(starts) - 1, b - a
    else:
        cycles_rate, cycles, cycles_s = whole, 0, w1 - w0
    return {
        "statements_per_min": whole,
        "statements_per_min_cycles": cycles_rate,
        "cycles": cycles,  # 0: fewer than two refresh starts, the figure is the whole window's
        "cycles_s": cycles_s,
    }


def push_window(dep: Deployment, count: int) -> dict:
    seconds = dep.args.seconds
    proc = loadgen(dep, "push", count, seconds, f"push{count}")
    proc.wait()
    time.sleep(1.5)  # the web workers' recorders flush every 0.5 s
    out = read_out(dep, f"push{count}")
    delays = [n[1] for n in out["notices"]]
    w0, w1 = out["window"]
    refreshes = [(a, b) for a, b in dep.refreshes() if b > w0 and a < w1]
    busy = [n[1] for n in out["notices"] if any(a <= n[0] < b for a, b in refreshes)]
    fanout = dep.fanout(w0, w1)
    handed = [f[1] for f in fanout]
    written = [f[2] for f in fanout if f[2] is not None]
    return {
        "viewers": count,
        "load": round(os.getloadavg()[0], 1),
        "notices": len(delays),
        "errors": sum(out["errors"].values()),
        "error_kinds": out["errors"],
        "refreshes": len(refreshes),
        "delay": quantiles(delays),
        "busy_p95": pct(busy, 0.95),
        "lag_p95": pct(out.get("lag", []), 0.95),
        "server_notices": len(fanout),
        "server_handed": quantiles(handed),
        "server_written": quantiles(written),
    }


def first_fills(dep: Deployment, runs: int) -> dict:
    """Navigation → every panel filled, `runs` times while analytics run and `runs` times idle:
    the first frame with every panel filled (recorded in the page), and beside it when a
    WebDriver poll first saw it (`*_polled`, the method of earlier runs)."""
    from bench.live_view import fill_times, first_fill_driver

    driver = first_fill_driver()
    kinds = ("busy", "idle", "busy_overlap")
    out: dict[str, list[float]] = {k: [] for k in (*kinds, *(f"{k}_polled" for k in kinds))}

    def keep(kind: str, times: dict) -> None:
        out[kind].append(times["painted"])
        out[f"{kind}_polled"].append(times["polled"])

    try:
        fill_times(driver, dep.base)  # warm the browser's cache, as a returning viewer has it
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
            times = fill_times(driver, dep.base)
            if times is None:
                continue
            # Busy only when the whole navigation (to the later of the two fill times) ran
            # inside one refresh; idle only when no refresh touched it.
            ended = started + max(times["painted"], times["polled"]) / 1000
            time.sleep(0.6)
            inside = any(a <= started and ended <= b for a, b in dep.refreshes())
            if want == "busy":
                keep("busy" if inside else "busy_overlap", times)
            elif dep.refreshing_since() is None and not any(a < ended and b > started for a, b in dep.refreshes()):
                keep("idle", times)
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
    p.add_argument(
        "--database",
        default=DB_NAME,
        help="PostgreSQL database of the run (created and bulk-loaded to --backlinks on first use)",
    )
    p.add_argument(
        "--redis-db",
        type=int,
        default=None,
        help="Redis database number of the run, FLUSHED at start (default: bench.live_view's, MC_BENCH_REDIS_URL)",
    )
    args = p.parse_args(argv)

    url = ensure_database(args.backlinks, args.database, redis_url(args.redis_db))
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
            f"| bytes per viewer per tick, mean (p95), {v} viewer(s): body as received (gzip, as browsers ask) "
            f"| {r['wire_bytes_mean']:,.0f} ({r['wire_bytes_p95']:,.0f})"
            f" + stream {r['stream_bytes_per_viewer'] / max(1, r['seconds']):,.0f} B/s | mean < 2 KB |"
        )
        print(f"| … the same bodies decoded | {r['bytes_mean']:,.0f} ({r['bytes_p95']:,.0f}) | |")
        print(
            f"| /healthz ms p50 / p95 / p99 / max ({args.health_clients} clients at 5/s) beside {v} viewer(s) "
            f"| {fmt(r['healthz'])} (p95 during refreshes {r['healthz_busy_p95']:.1f}) | p95 < 25 ms |"
        )
        print(f"| app SQL statements / min, {v} viewer(s), whole window | {r['statements_per_min']:,.0f} | |")
        if r["cycles"]:
            span = f"{r['cycles']} whole refresh cycle(s), {r['cycles_s']:.1f} s: first refresh start → last"
        else:
            span = "FLAGGED: fewer than 2 refresh starts in the window, so the whole window"
        print(f"| … over whole refresh cycles ({span}) | {r['statements_per_min_cycles']:,.0f} | |")
        print(
            f"| … of them run by the web workers (the viewers' requests), whole window, {v} viewer(s) | {r['web_statements']:,} | 0 |"
        )
    if len(rows) > 1 and rows[0]["statements_per_min_cycles"]:
        first, last = rows[0], rows[-1]
        ratio = last["statements_per_min_cycles"] / first["statements_per_min_cycles"]
        flagged = "" if first["cycles"] and last["cycles"] else "; FLAGGED: a window without 2 refresh starts"
        whole = (
            last["statements_per_min"] / first["statements_per_min"] if first["statements_per_min"] else float("nan")
        )
        print(
            f"| statements ratio {last['viewers']} : {first['viewers']} viewers, statements / min over whole refresh "
            f"cycles{flagged} (whole windows: {whole:.3f}) | {ratio:.3f} | ≤ 1.05 |"
        )
    if push:
        print(
            f"| {push['viewers']:,} viewers by push: publish → received ms p50 / p95 / p99 / max "
            f"({push['notices']:,} notices, {push['refreshes']} refreshes, load average {push['load']}) | {fmt(push['delay'])}, "
            f"errors {push['errors']}; the load generator's own loop lag p95 {push['lag_p95']:.1f} ms | p95 < 100 ms, 0 errors |"
        )
        print(
            f"| … the web workers' share ({push['server_notices']:,} notices): publish → notice handed to the "
            f"server by the stream, ms p50 / p95 / p99 / max | {fmt(push['server_handed'])} | |"
        )
        print(f"| … publish → notice written to the socket by the web worker | {fmt(push['server_written'])} | |")
    if fills:
        for kind in ("busy", "idle"):
            xs, polled = fills[kind], fills[f"{kind}_polled"]
            if xs:
                print(
                    f"| first fill (navigation → first frame with all panels filled, recorded in the page), analytics {kind}, "
                    f"median (min–max) of {len(xs)} | {statistics.median(xs):,.0f} ({min(xs):,.0f}–{max(xs):,.0f}) ms "
                    f"| {'< 1 s' if kind == 'busy' else ''} |"
                )
                print(
                    f"| … the same navigations as a WebDriver poll every 20 ms first saw them (earlier runs' method) "
                    f"| {statistics.median(polled):,.0f} ({min(polled):,.0f}–{max(polled):,.0f}) ms | |"
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

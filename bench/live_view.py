"""Benchmark of the live view (issue 3 / DESIGN.md's budget), on PostgreSQL + Redis.

    python bench/live_view.py [--backlinks 1000000] [--seconds 20] [--viewers 1,10,100 | none] [--fill-runs 7]

Loads N backlinks with the simulator's bulk mode (once; reused on later runs), runs the
simulator and the app (producer included) on loopback, then reports:
  - navigation → every panel filled, in headless Chromium (median of 5);
  - refresh-callback server time p50 / p95 / max and errors with 1, 10, 100 viewers polling
    at the refresh rate (each viewer keeps its own digests, as a browser does);
  - database statements per minute at each viewer count (the ratio 100 : 1 should be ~1);
  - bytes sent per viewer per tick.
Prints figures; asserts nothing (machines are noisy).

Superseded for the deployment's figures by bench/viewers.py: here the viewers (threads) and the
simulator share the server's process and interpreter lock, so the figures include the load
generator's own work (see README, "Why viewers' requests waited").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from app import create_app
from bench.pg import database_url
from config import load_settings
from data.bootstrap import create_lp_tables, create_mc_tables
from data.connections import StatementCounter, make_engine
from data.services import Services
from pages.mission.ids import MissionIds as Main
from pages.shell.ids import ShellIds as Shell

REDIS = os.environ.get("MC_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
DB_NAME = "mc_bench_live"


def ensure_database(n_backlinks: int, name: str = DB_NAME, redis_url: str = REDIS) -> str:
    """URL of PostgreSQL database `name` holding at least `n_backlinks` (bulk-loaded the first time)."""
    url = database_url(name).render_as_string(hide_password=False)
    engine = make_engine(url)
    create_lp_tables(engine, "M")
    create_mc_tables(engine)
    with engine.connect() as conn:
        have = conn.execute(sa.text("SELECT COUNT(*) FROM backlinks")).scalar()
    engine.dispose()
    if have < n_backlinks:
        from simulator.bulk import bulk_load_backlinks

        settings = dataclasses.replace(load_settings({}, dotenv_path=None), database_url=url, redis_url=redis_url)
        svc = Services(settings)
        started = time.perf_counter()
        result = bulk_load_backlinks(svc, n_backlinks - have, seed=7)
        print(f"bulk load: {n_backlinks - have:,} backlinks in {time.perf_counter() - started:.1f} s ({result})")
        svc.dispose()
    return url


class ServerTimer:
    """WSGI middleware timing the Dash callback endpoint on the server side."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.samples: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/_dash-update-component":
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        body = b"".join(self.wsgi_app(environ, start_response))
        with self.lock:
            self.samples.append((time.perf_counter() - started) * 1000)
        return [body]


def refresh_request(app) -> tuple[str, list]:
    key = next(k for k in app.callback_map if f"{Main.HELD}.data" in k)
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    return key, outputs


def refresh_body(key: str, outputs: list, held: dict) -> bytes:
    """The main screen's tick as a browser posts it, holding the key `held`."""
    return json.dumps(
        {
            "output": key,
            "outputs": outputs,
            "inputs": [{"id": Shell.VERSION, "property": "data", "value": {"v": 1}}],
            "state": [{"id": Main.HELD, "property": "data", "value": held}],
            "changedPropIds": [f"{Shell.VERSION}.data"],
        }
    ).encode()


def post_refresh(base: str, key: str, outputs: list, held: dict, timeout: float = 30) -> tuple[int, bytes]:
    """POST the main screen's tick to a running server: (status, body); HTTP errors are answers."""
    req = urllib.request.Request(
        base + "/_dash-update-component",
        data=refresh_body(key, outputs, held),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def viewer(base, key, outputs, refresh_s, stop, stats, lock):
    digests = {}
    while not stop.is_set():
        started = time.perf_counter()
        body = refresh_body(key, outputs, digests)
        req = urllib.request.Request(
            base + "/_dash-update-component", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                data = resp.read()
                code = resp.status
        except Exception as exc:  # a benchmark counts errors, it does not stop on them
            with lock:
                stats["errors"] += 1
                stats["error_kinds"].add(type(exc).__name__)
            stop.wait(refresh_s)
            continue
        with lock:
            stats["requests"] += 1
            stats["bytes"].append(len(data) if code == 200 else 0)
        if code == 200:
            # What the browser keeps: the version it now shows.
            digests = json.loads(data)["response"].get(Main.HELD, {}).get("data", digests)
        stop.wait(max(0.0, refresh_s - (time.perf_counter() - started)))


def run_viewers(base, app, count, seconds, refresh_s, timer, counter):
    key, outputs = refresh_request(app)
    stats = {"requests": 0, "errors": 0, "bytes": [], "error_kinds": set()}
    lock = threading.Lock()
    stop = threading.Event()
    # Warm-up: every viewer's first request carries the full page; measure the steady state.
    threads = [
        threading.Thread(target=viewer, args=(base, key, outputs, refresh_s, stop, stats, lock), daemon=True)
        for _ in range(count)
    ]
    for i, t in enumerate(threads):
        t.start()
        time.sleep(refresh_s / count * (i % 2))  # spread the first requests over a tick
    time.sleep(3)
    with lock:
        stats.update(requests=0, errors=0, bytes=[])
    timer.samples.clear()
    counter.count = 0
    started = time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - started
    statements = counter.count
    samples = sorted(timer.samples)
    stop.set()
    for t in threads:
        t.join(15)
    per_tick = [b for b in stats["bytes"]]

    def pct(p):
        return samples[min(len(samples) - 1, int(p * len(samples)))] if samples else float("nan")

    return {
        "viewers": count,
        "requests": stats["requests"],
        "errors": stats["errors"],
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "max_ms": samples[-1] if samples else float("nan"),
        "statements_per_min": statements / elapsed * 60,
        "bytes_per_tick_mean": statistics.fmean(per_tick) if per_tick else 0.0,
        "bytes_per_tick_p95": sorted(per_tick)[int(0.95 * len(per_tick))] if per_tick else 0,
        "error_kinds": sorted(stats["error_kinds"]),
    }


# The panels that must be filled, and what "filled" means: an element with text other than the
# placeholder dash; a graph with Plotly's drawing in it.
FILLED_TEST_JS = """
(ids) => { for (const id of ids) {
  const el = document.getElementById(id);
  if (!el) return false;
  if (el.classList.contains('dash-graph')) { if (!el.querySelector('.main-svg')) return false; }
  else if (!el.textContent.trim() || el.textContent.trim() === '—') return false;
} return true; }
"""

# Polled by WebDriver (the method of the earlier runs): the time of the first poll that finds the
# page filled. A poll is a task the page runs after whatever it is doing, and WebDriver waits for
# the page's load first, so this lags the screen by tens to a couple of hundred milliseconds.
FILLED_JS = "return (" + FILLED_TEST_JS + ")(arguments[0]) ? performance.now() : false;"

# Recorded in the page, from its first script on: a MutationObserver checks the test after each
# batch of DOM changes; `filled` is that moment, `painted` the end of the first frame after it.
# A frame's style, layout and paint run right after its requestAnimationFrame callbacks, in the
# same task; a task posted from there at user-blocking priority runs as soon as they are done,
# ahead of the page's other queued work (a task at normal priority waited 150–250 ms behind
# Plotly's resizes and the first callbacks, long after the frame was on the screen).
FILL_OBSERVER_JS = """
(() => {
  const test = %s;
  const ids = %s;
  const afterFrame = (fn) => requestAnimationFrame(() => {
    if (window.scheduler && scheduler.postTask) { scheduler.postTask(fn, {priority: 'user-blocking'}); return; }
    const next = new MessageChannel();
    next.port1.onmessage = fn;
    next.port2.postMessage(0);
  });
  const seen = new MutationObserver(() => {
    if (window.__mcFill || !test(ids)) return;
    seen.disconnect();
    const state = window.__mcFill = {filled: performance.now(), painted: null};
    afterFrame(() => { state.painted = performance.now(); });
  });
  seen.observe(document, {childList: true, subtree: true, characterData: true});
})();
"""

FILL_IDS = [
    Main.KPI_ACTIVE,
    Main.KPI_FLEET,
    Main.KPI_QUEUE,
    Main.KPI_ALERTS,
    Main.METRIC_PAGES,
    Main.METRIC_BACKLINKS,
    Main.DISCOVERY_CHART,
    Main.DISCOVERY_RADAR,
    Main.QUOTA_CHART,
    Main.TIMELINE,
    Main.BOARD,
    Main.FLEET,
    Main.QUEUE_GAUGE,
    Main.QUEUE_TREND,
    Main.ERRORS,
]


def first_fill_driver():
    """Debian's headless Chromium (software rendering) at 1920 × 1080, with the fill recorder
    installed in every page it opens."""
    import json

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1920,1080",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    recorder = FILL_OBSERVER_JS % (FILLED_TEST_JS, json.dumps([str(i) for i in FILL_IDS]))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": recorder})
    return driver


def fill_times(driver, base) -> dict | None:
    """One navigation to the main screen: ms from navigation start until every panel is filled
    (`filled`), until the first frame after that (`painted`), and until a WebDriver poll every
    20 ms first saw it (`polled`); None if it did not fill within 20 s."""
    driver.get("about:blank")
    driver.get(base + "/")
    deadline = time.time() + 20
    polled = None
    while time.time() < deadline:
        if polled is None:
            polled = driver.execute_script(FILLED_JS, [str(i) for i in FILL_IDS]) or None
        state = driver.execute_script("return window.__mcFill || null")
        if polled is not None and state and state.get("painted") is not None:
            return {"filled": float(state["filled"]), "painted": float(state["painted"]), "polled": float(polled)}
        time.sleep(0.02)
    return None


def measure_fill(driver, base) -> float | None:
    """One navigation to the main screen: ms from navigation start to the first frame with every
    panel filled (see fill_times)."""
    times = fill_times(driver, base)
    return times["painted"] if times else None


def first_fill(base, runs=5) -> list[float]:
    driver = first_fill_driver()
    try:
        return [ms for ms in (measure_fill(driver, base) for _ in range(runs)) if ms is not None]
    finally:
        driver.quit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlinks", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--viewers", default="1,10,100", help='comma list, or "none" for the first fill only')
    parser.add_argument("--fill-runs", type=int, default=7, help="navigations timed (the median is reported)")
    args = parser.parse_args()

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    url = ensure_database(args.backlinks)
    settings = dataclasses.replace(
        load_settings({}, dotenv_path=None), database_url=url, redis_url=REDIS, simulate="off", refresh_rate_ms=1000
    )
    services = Services(settings)
    services.redis.flushdb()
    # The simulator writes through its own engine, so the statement counter sees only the app.
    sim_services = Services(settings)
    from simulator import Simulator

    sim = Simulator(sim_services, satellites=8, seed=11)
    sim.seed_initial()
    sim.start()
    app = create_app(settings, services=services)
    ctx = app.server.extensions["mission_control"]
    timer = ServerTimer(app.server.wsgi_app)
    app.server.wsgi_app = timer
    counter = StatementCounter(services.engine)

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    while ctx.snapshots.version() == 0:
        time.sleep(0.2)
    with services.engine.connect() as conn:
        total = conn.execute(sa.text("SELECT COUNT(*) FROM backlinks")).scalar()
    heavy_ms = time.perf_counter()
    ctx.producer.refresh_heavy()
    heavy_ms = (time.perf_counter() - heavy_ms) * 1000
    _, doc = ctx.snapshots.load()
    print(
        f"\nbacklinks in PostgreSQL: {total:,}; fast snapshot build {doc['mc']['build_ms']} ms; "
        f"heavy analytics refresh {heavy_ms:.0f} ms (every {settings.cache_ttl_s} s, off the tick)"
    )

    fills = first_fill(base, args.fill_runs)
    print(
        f"navigation → all panels filled (headless Chromium, {len(fills)} runs): "
        f"median {statistics.median(fills):.0f} ms, min {min(fills):.0f} ms, max {max(fills):.0f} ms"
    )

    counts = [] if args.viewers == "none" else [int(n) for n in args.viewers.split(",")]
    rows = [run_viewers(base, app, n, args.seconds, 1.0, timer, counter) for n in counts]
    if rows:
        print(
            "\n| viewers | requests | errors | server p50 ms | p95 ms | max ms | DB statements / min | bytes / viewer / tick (mean, p95) |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['viewers']} | {r['requests']} | {r['errors']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
                f"{r['max_ms']:.1f} | {r['statements_per_min']:.0f} | {r['bytes_per_tick_mean']:.0f}, {r['bytes_per_tick_p95']} |"
            )
        if len(rows) > 1 and rows[0]["statements_per_min"]:
            print(
                f"\nstatements ratio {rows[-1]['viewers']} : {rows[0]['viewers']} viewers = "
                f"{rows[-1]['statements_per_min'] / rows[0]['statements_per_min']:.3f}"
            )
        for r in rows:
            if r["error_kinds"]:
                print(f"errors with {r['viewers']} viewers: {', '.join(r['error_kinds'])}")
    server.shutdown()
    sim.stop()
    ctx.stop()
    counter.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

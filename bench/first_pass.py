"""Benchmark of the first analytics pass (every rollup built from nothing, as a producer does on
its first start over an existing Link Profiler database): peak memory and duration, at 1M and
10M backlinks on PostgreSQL.

    python bench/first_pass.py [--sizes 1m,10m] [--chunk-links N] [--one-pass 1m] [--skip-indexes]

The data are bench/analytics.py's (database `mc_bench_analytics`, schemas `bench_1m` and
`bench_10m`, variant M, the simulator's bulk backlinks over 365 days, loaded on first use with
`python bench/analytics.py --load-only`); the opt-in indexes (`python -m analytics.setup
--create-indexes`) are created first unless --skip-indexes. Each pass runs in a fresh Python
process (`--child`), so the figure is that pass's own high-water mark: `ru_maxrss` of the process
(resource.getrusage, the kernel's peak resident set), beside its RSS before the pass (the
interpreter with the app's modules imported) and after it. `--chunk-links` is
MC_ROLLUP_CHUNK_LINKS (links per chunk of whole days); `--one-pass SIZES` also runs those sizes
with MC_ROLLUP_CHUNK_LINKS=0 (the single-pass build of before, for comparison).

This measures memory; its seconds depend on the machine's load (they move by tens of percent on
a shared machine). Prints a markdown table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = {"1m": ("bench_1m", 1_000_000), "10m": ("bench_10m", 10_000_000)}


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(schema: str, chunk_links: int) -> dict:
    """One first pass in this process: the rollups emptied, then `refresh(full=True)`."""
    from analytics.refresh import Refresher
    from analytics.settings import AnalyticsSettings
    from bench.analytics import NOW, services_for
    from simulator import names

    svc = services_for(schema)
    cfg = AnalyticsSettings(
        tracked_domains=names.TARGET_DOMAINS[:1],
        competitor_domains=names.COMPETITOR_DOMAINS,
        rollup_chunk_links=chunk_links,
    )
    refresher = Refresher(svc, cfg)
    refresher.ensure_tables()
    before = rss_mb()
    started = time.perf_counter()
    report = refresher.refresh(NOW, full=True)
    seconds = time.perf_counter() - started
    svc.dispose()
    return {
        "before_mb": before,
        "after_mb": rss_mb(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "seconds": seconds,
        "links": (report or {}).get("links", {}),
        "steps": (report or {}).get("seconds", {}),
    }


def run_child(schema: str, chunk_links: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", schema, "--chunk-links", str(chunk_links)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"first pass over {schema} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="1m,10m")
    p.add_argument(
        "--chunk-links", type=int, default=None, help="MC_ROLLUP_CHUNK_LINKS (default: the setting's default)"
    )
    p.add_argument("--one-pass", default="", help="sizes to run also with the single-pass build (e.g. 1m)")
    p.add_argument("--skip-indexes", action="store_true")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    from analytics.settings import AnalyticsSettings

    chunk = AnalyticsSettings().rollup_chunk_links if args.chunk_links is None else args.chunk_links
    if args.child:
        print(json.dumps(child(args.child, chunk)))
        return 0

    from analytics.setup import create_indexes
    from bench.analytics import ensure_loaded, services_for

    runs = [(size, chunk) for size in args.sizes.split(",") if size]
    runs += [(size, 0) for size in args.one_pass.split(",") if size]
    rows = []
    for size, chunk_links in runs:
        schema, n = SIZES[size]
        svc = services_for(schema)
        have = ensure_loaded(svc, n)
        if not args.skip_indexes:
            create_indexes(svc)
        svc.dispose()
        r = run_child(schema, chunk_links)
        build = (
            "one pass"
            if chunk_links == 0
            else f"chunks of ≤ {chunk_links:,} links ({r['links'].get('chunks', '?')} chunks)"
        )
        print(
            f"{schema} ({have:,} backlinks), {build}: peak {r['peak_mb']:.0f} MB (before {r['before_mb']:.0f}, "
            f"after {r['after_mb']:.0f}), {r['seconds']:.1f} s; steps {r['steps']}",
            flush=True,
        )
        rows.append((have, build, r))
    print("\n| backlinks | build | peak RSS (ru_maxrss) | RSS before → after | seconds |")
    print("|---:|---|---:|---|---:|")
    for have, build, r in rows:
        print(
            f"| {have / 1e6:g}M | {build} | {r['peak_mb']:.0f} MB | {r['before_mb']:.0f} → {r['after_mb']:.0f} MB | {r['seconds']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

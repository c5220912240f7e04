"""Benchmark of the analysis pages (issue 6) at 1M and 10M backlinks on PostgreSQL.

    python bench/analytics.py [--small 1000000] [--large 10000000] [--repeat 5] [--load-only] [--panels-only] [--only TEXT]

Data lives in one database, `mc_bench_analytics`, in two schemas (`bench_1m`, `bench_10m`), so
both sizes stay loaded and a rerun reuses them. Each schema gets Link Profiler's tables
(variant M), the simulator's bulk backlinks, the opt-in indexes of `python -m analytics.setup
--create-indexes`, and a full rollup build. Then every panel's query is timed (median of
`--repeat` runs, page cache bypassed) at both sizes, and the ratio large / small is printed.
The two sizes are timed in turn, run by run (`timed_pair`), so a change in the machine's load
weighs on both sides of a ratio. Prints figures; asserts nothing (machines are noisy).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from config import load_settings
from data.bootstrap import create_lp_tables, create_mc_tables
from data.connections import make_engine
from bench.pg import database_url
from data.services import Services

REDIS = os.environ.get("MC_BENCH_REDIS_URL", "memory://bench-analytics")
DB_NAME = "mc_bench_analytics"
# One fixed "now" for both sizes, so every window covers the same days.
NOW = datetime(2026, 6, 1, 12, 0, 0)


def schema_url(schema: str) -> str:
    """URL of `mc_bench_analytics` with `schema` first on the search path (created if missing)."""
    base = database_url(DB_NAME)
    engine = make_engine(base.render_as_string(hide_password=False))
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def services_for(schema: str) -> Services:
    settings = dataclasses.replace(
        load_settings({}, dotenv_path=None), database_url=schema_url(schema), redis_url=REDIS, simulate="off"
    )
    return Services(settings)


def ensure_loaded(svc: Services, n: int) -> int:
    """Load backlinks until the schema holds `n`; returns how many it holds."""
    create_lp_tables(svc.engine, "M")
    create_mc_tables(svc.mc_engine)
    svc.forget_schema()
    with svc.engine.connect() as conn:
        have = conn.execute(sa.text("SELECT COUNT(*) FROM backlinks")).scalar()
    if have < n:
        from simulator.bulk import bulk_load_backlinks

        started = time.perf_counter()
        step = 2_000_000
        while have < n:
            k = min(step, n - have)
            bulk_load_backlinks(svc, k, seed=6, now=NOW)
            have += k
            print(f"  loaded {have:,} backlinks ({time.perf_counter() - started:.0f} s)", flush=True)
        with svc.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE backlinks"))
            conn.execute(sa.text("ANALYZE domains"))
    return have


def panels(svc: Services) -> dict:
    """Each panel's query (as the pages run it, without the page cache)."""
    from analytics import crawler, discovery, domains
    from analytics.settings import AnalyticsSettings
    from analytics.watchlist import resolve
    from simulator import names

    cfg = AnalyticsSettings(tracked_domains=names.TARGET_DOMAINS[:1], competitor_domains=names.COMPETITOR_DOMAINS)
    mc, lp = svc.mc_engine, svc.engine
    watch = resolve(lp, mc, svc.schema, cfg)
    tracked, rivals, everyone = list(watch.tracked), list(watch.competitors), watch.all
    gem = domains.expired_domains(mc, NOW, limit=1)
    gem_name = str(gem["name"].iloc[0]) if not gem.empty else "none"
    return {
        "discovery radar": lambda: discovery.radar(mc, NOW, everyone),
        "authority heat map (90 d)": lambda: discovery.heatmap(mc, NOW, 90),
        "competition board (30 d)": lambda: (
            discovery.competition(mc, NOW, 30, everyone),
            discovery.competition_daily(mc, NOW, 30, everyone),
        ),
        "link velocity (90 d)": lambda: discovery.velocity(mc, NOW, 90, tracked),
        "anchor distribution (90 d)": lambda: discovery.anchors(mc, NOW, 90, tracked),
        "high-authority finds (30 d)": lambda: discovery.finds(mc, NOW, 30),
        "main screen discovery metrics": lambda: discovery.discovery_metrics(mc, NOW),
        "expired domain hunter": lambda: domains.expired_domains(mc, NOW),
        "expiring within 30 d": lambda: domains.expired_domains(mc, NOW, within_days=30),
        "domain value breakdown": lambda: domains.value_breakdown(mc, gem_name, dict(cfg.value_weights)),
        "competitor portfolios + overlaps": lambda: (domains.portfolios(mc, everyone), domains.overlaps(mc, everyone)),
        "link gap (prospects)": lambda: domains.link_gap(mc, tracked, rivals),
        "brand mentions (30 d)": lambda: domains.mentions(mc, NOW, 30),
        "main screen domain metrics": lambda: domains.domain_metrics(mc, NOW),
        "satellite leaderboard (7 d)": lambda: crawler.leaderboard(mc, NOW, 168),
        "adaptive rate limiting": lambda: crawler.rate_limits(mc, NOW, cfg),
        "drill-down: links found on a day (click)": lambda: discovery.links_found_on(
            lp, svc.schema, "2026-05-31", tracked, bucket=3, mc=mc
        ),
        "drill-down: links lost on a day (click)": lambda: discovery.links_lost_on(
            lp, mc, svc.schema, "2026-05-31", tracked
        ),
    }


def timed_pair(small, large, repeat: int) -> tuple[float, float]:
    """Median wall ms of `repeat` runs of each, alternating small and large, after a warm-up."""
    small()
    large()
    a, b = [], []
    for _ in range(repeat):
        for fn, runs in ((small, a), (large, b)):
            started = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(a), statistics.median(b)


def prepare(svc: Services) -> dict:
    """Opt-in indexes, a full rollup build and one incremental refresh; returns their seconds."""
    from analytics.refresh import Refresher
    from analytics.settings import AnalyticsSettings
    from analytics.setup import create_indexes
    from simulator import names

    out = {}
    started = time.perf_counter()
    create_indexes(svc)
    out["indexes"] = time.perf_counter() - started
    refresher = Refresher(
        svc, AnalyticsSettings(tracked_domains=names.TARGET_DOMAINS[:1], competitor_domains=names.COMPETITOR_DOMAINS)
    )
    started = time.perf_counter()
    refresher.refresh(NOW, full=True)
    out["full rollup build"] = time.perf_counter() - started
    started = time.perf_counter()
    refresher.refresh(NOW)
    out["incremental refresh"] = time.perf_counter() - started
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--small", type=int, default=1_000_000)
    p.add_argument("--large", type=int, default=10_000_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--load-only", action="store_true")
    p.add_argument("--panels-only", action="store_true", help="reuse the rollups built by an earlier run")
    p.add_argument("--only", help="time only the panels whose name contains this text, over the rollups already built")
    args = p.parse_args(argv)
    sizes = (("bench_1m", args.small), ("bench_10m", args.large))
    for schema, n in sizes:
        svc = services_for(schema)
        print(f"{schema}: {ensure_loaded(svc, n):,} backlinks", flush=True)
        svc.dispose()
    if args.load_only:
        return 0
    results: dict = {}
    setup: dict = {}
    services = {}
    for schema, _n in sizes:
        svc = services_for(schema)
        services[schema] = svc
        if args.only:  # a few panels over the rollups of an earlier run (the data do not change)
            setup[schema] = {}
            continue
        if args.panels_only:
            from analytics.refresh import Refresher
            from analytics.settings import AnalyticsSettings
            from simulator import names

            started = time.perf_counter()
            Refresher(
                svc,
                AnalyticsSettings(
                    tracked_domains=names.TARGET_DOMAINS[:1], competitor_domains=names.COMPETITOR_DOMAINS
                ),
            ).refresh(NOW)
            setup[schema] = {"incremental refresh": time.perf_counter() - started}
        else:
            setup[schema] = prepare(svc)
        print(f"{schema}: " + ", ".join(f"{k} {v:.1f} s" for k, v in setup[schema].items()), flush=True)
    small, large = (s for s, _n in sizes)
    # Both sizes timed in turn, run by run, so that a change in the machine's load during the
    # run (other work on the two cores) weighs on both sides of a ratio alike.
    fns = {schema: panels(services[schema]) for schema in (small, large)}
    results = {small: {}, large: {}}
    for name in fns[small]:
        if args.only and args.only not in name:
            continue
        a, b = timed_pair(fns[small][name], fns[large][name], args.repeat)
        results[small][name], results[large][name] = a, b
    for svc in services.values():
        svc.dispose()
    print(f"\n| panel | {args.small / 1e6:g}M backlinks (ms) | {args.large / 1e6:g}M backlinks (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for name in results[small]:
        a, b = results[small][name], results[large][name]
        print(f"| {name} | {a:.1f} | {b:.1f} | {b / a:.2f} |")
    for step in setup[small]:
        a, b = setup[small][step], setup[large][step]
        print(f"| (producer) {step} | {a * 1000:.0f} | {b * 1000:.0f} | {b / a:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

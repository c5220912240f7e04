"""Command line of the fleet simulator.

    python -m simulator run  [--satellites N] [--seed S] [--queue-type list|zset] [--interval 1.0]
                             [--scenario satellite-dies|queue-flood|spam-attack] [--duration SECONDS]
    python -m simulator bulk --backlinks 1000000 [--seed S] [--days 365] [--domains 50000]

Both use DATABASE_URL / REDIS_URL from the environment (or .env). They refuse to write into a
non-embedded database unless `--i-know-this-writes` or MC_SIMULATE=on is given: pointing the
dashboard's environment at a real Link Profiler must never fill it with simulated data.
Link Profiler's tables are created only when the database has none of them.
"""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import inspect

from config import Settings, cli_settings
from data.bootstrap import BootstrapRefused, create_lp_tables, create_mc_tables
from data.lp_tables import LP_TABLES
from data.services import Services

SCENARIOS = ("satellite-dies", "queue-flood", "spam-attack")
SCENARIO_AFTER_S = 15.0  # let the dashboard see the healthy fleet first


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Simulated Link Profiler fleet")
    parser.add_argument(
        "--i-know-this-writes",
        action="store_true",
        help="allow writing into a non-embedded database (same as MC_SIMULATE=on)",
    )
    parser.add_argument(
        "--variant", choices=("M", "O"), default="M", help="schema variant to create on an empty database (default M)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a coordinator and satellites until stopped")
    run.add_argument("--satellites", type=int, default=None, help="default MC_SIMULATOR_SATELLITES (6)")
    run.add_argument("--seed", type=int, default=None, help="default SIMULATOR_SEED (random)")
    run.add_argument("--queue-type", choices=("list", "zset"), default="list")
    run.add_argument("--interval", type=float, default=1.0, help="seconds between ticks")
    run.add_argument("--scenario", choices=SCENARIOS)
    run.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    bulk = sub.add_parser("bulk", help="load many backlinks fast (benchmarks)")
    bulk.add_argument("--backlinks", type=int, required=True)
    bulk.add_argument("--seed", type=int, default=None)
    bulk.add_argument("--days", type=int, default=365)
    bulk.add_argument("--domains", type=int, default=50_000)
    for p in (run, bulk):
        p.add_argument("--i-know-this-writes", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def may_write(settings: Settings, forced: bool) -> bool:
    """Writing is allowed on the embedded database, or when explicitly asked for."""
    return settings.embedded_database or forced or settings.simulate == "on"


def prepare_database(services: Services, variant: str) -> list[str]:
    """Create Link Profiler's and the mc_ tables on an empty database; returns what was created.

    Raises `BootstrapRefused` when only some of Link Profiler's tables exist.
    """
    had_lp_tables = any(t in set(inspect(services.engine).get_table_names()) for t in LP_TABLES)
    created = create_lp_tables(services.engine, variant)  # no-op when all exist, refuses a partial schema
    if not had_lp_tables:
        created += create_mc_tables(services.mc_engine)
    services.forget_schema()
    return created


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = cli_settings()
    if not may_write(settings, args.i_know_this_writes):
        print(
            "refusing to write simulated data into a non-embedded database "
            f"({settings.database_url.split('://', 1)[0]}://...); pass --i-know-this-writes "
            "or set MC_SIMULATE=on if this database is yours to fill",
            file=sys.stderr,
        )
        return 3
    services = Services(settings)
    try:
        created = prepare_database(services, args.variant)
        if created:
            print("created tables: " + ", ".join(created))
        if args.command == "bulk":
            return _bulk(services, args)
        return _run(services, settings, args)
    except BootstrapRefused as exc:
        print(f"bootstrap refused: {exc}", file=sys.stderr)
        return 1
    finally:
        services.dispose()


def _bulk(services: Services, args) -> int:
    from simulator.bulk import bulk_load_backlinks

    result = bulk_load_backlinks(services, args.backlinks, seed=args.seed, days=args.days, domains=args.domains)
    print(
        f"rows={result.rows} domains={result.domains} seconds={result.seconds:.1f} "
        f"rows_per_second={result.rows_per_second:,.0f}"
    )
    return 0


def _run(services: Services, settings: Settings, args) -> int:
    from simulator.world import Simulator

    if settings.embedded_redis:
        print(
            "note: REDIS_URL is the in-process Redis, so only this process sees the queue and heartbeats",
            file=sys.stderr,
        )
    sim = Simulator(
        services,
        satellites=args.satellites or settings.simulator_satellites,
        seed=args.seed if args.seed is not None else settings.simulator_seed,
        queue_type=args.queue_type,
    )
    if sim.seed_initial():
        print("seeded a starting world")
    sim.start(args.interval)
    started = time.monotonic()
    scenario_done = args.scenario is None
    try:
        while args.duration is None or time.monotonic() - started < args.duration:
            time.sleep(0.2)
            if not scenario_done and time.monotonic() - started >= SCENARIO_AFTER_S:
                print(f"scenario {args.scenario}: {_scenario(sim, args.scenario)}")
                scenario_done = True
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    print(f"stopped after {sim.ticks} ticks")
    return 0


def _scenario(sim, name: str) -> str:
    if name == "satellite-dies":
        return f"killed {sim.kill_satellite()}"
    if name == "queue-flood":
        return f"queued {sim.flood_queue()} jobs"
    return f"{sim.spam_attack()} spam links"


if __name__ == "__main__":
    sys.exit(main())

"""Create Link Profiler's tables (variant M or O) on an empty database, plus the mc_ tables.

    python -m data.bootstrap [--variant M|O] [--database-url URL] [--mc-only]

It only ever creates tables that are missing. It refuses to add Link Profiler tables to a
database that already holds some of them (that is somebody's deployment, not an empty one),
and it never alters or drops any of them. Our own mc_ tables are brought up to their declared
column widths (data.mc_migrate), so an upgrade accepts the text the new release accepts.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from data.connections import make_engine
from data.lp_tables import LP_TABLES, build_metadata
from data.mc_migrate import sync_mc_indexes, widen_mc_columns
from data.mc_tables import load_feature_tables


class BootstrapRefused(RuntimeError):
    """The database already holds part of Link Profiler's schema."""


def create_lp_tables(engine: Engine, variant: str = "M") -> list[str]:
    """Create Link Profiler's tables when none exists; return the names created."""
    present = set(inspect(engine).get_table_names())
    existing = [t for t in LP_TABLES if t in present]
    if len(existing) == len(LP_TABLES):
        return []
    if existing:
        raise BootstrapRefused(
            "database already holds Link Profiler tables ("
            + ", ".join(existing)
            + "); refusing to add the others to an existing deployment"
        )
    md = build_metadata(variant)
    md.create_all(engine)
    return list(md.tables)


def create_mc_tables(engine: Engine) -> list[str]:
    """Create the missing mc_ tables; return the names created."""
    md = load_feature_tables()
    present = set(inspect(engine).get_table_names())
    missing = [t for t in md.tables if t not in present]
    md.create_all(engine, checkfirst=True)
    widen_mc_columns(engine, md)
    sync_mc_indexes(engine, md)
    return missing


def main(argv: list[str] | None = None) -> int:
    from config import cli_settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=("M", "O"), default="M")
    parser.add_argument("--database-url", help="default: DATABASE_URL / the embedded database")
    parser.add_argument("--mc-only", action="store_true", help="create only Mission Control's mc_ tables")
    args = parser.parse_args(argv)
    settings = cli_settings()
    url = args.database_url or settings.database_url
    engine = make_engine(url)
    try:
        created = [] if args.mc_only else create_lp_tables(engine, args.variant)
        mc_engine = (
            engine if args.database_url or not settings.mc_database_url else make_engine(settings.own_database_url)
        )
        created += create_mc_tables(mc_engine)
    except BootstrapRefused as exc:
        print(f"bootstrap refused: {exc}", file=sys.stderr)
        return 1
    print("created: " + (", ".join(created) if created else "nothing (all tables exist)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The explicit, opt-in setup of the analysis pages' storage helpers.

    python -m analytics.setup --create-indexes [--database-url URL] [--dry-run]
    python -m analytics.setup --create-views [--schedule-cron]
    python -m analytics.setup --rebuild-rollups | --refresh
    python -m analytics.setup --drop-indexes

Mission Control never creates anything on Link Profiler's tables by itself. This command is the
one documented place that does, and only when asked:

- `--create-indexes`: the indexes the incremental refresh reads by (without them every refresh
  scans `backlinks`, with the same answers), built CONCURRENTLY on PostgreSQL so Link Profiler
  keeps writing while they build:
    mc_backlinks_first_seen      backlinks (discovered_date | first_seen)   new links since the watermark, drill-downs
    mc_backlinks_lost            backlinks (crawl_timestamp) WHERE is_active = false OR http_status IN (404, 410)
    mc_perf_logs_timestamp       satellite_performance_logs (timestamp)
    mc_social_mentions_published social_mentions (published_date)
    mc_crawl_jobs_waiting        crawl_jobs (status, priority)
- `--create-views` (PostgreSQL): the `mission_control_summary` materialized view (see
  analytics.summary_view); `--schedule-cron` also schedules its refresh with pg_cron when the
  extension is installed (Debian: postgresql-15-cron, `shared_preload_libraries = 'pg_cron'`,
  `CREATE EXTENSION pg_cron`); otherwise the producer refreshes it.
- `--rebuild-rollups`: empty the mc_ rollups and rebuild them from all rows (after a back-dated
  bulk import, which the watermarks cannot see); `--refresh`: one incremental refresh.
- `--drop-indexes`: remove the indexes above (and nothing else).
`--dry-run` prints the SQL instead of running it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

from analytics import summary_view

INDEXES = (
    # (name, table, column list or None for the first-seen column, partial predicate)
    ("mc_backlinks_first_seen", "backlinks", None, None),
    ("mc_backlinks_lost", "backlinks", "crawl_timestamp", "is_active = false OR http_status IN (404, 410)"),
    ("mc_perf_logs_timestamp", "satellite_performance_logs", "timestamp", None),
    ("mc_social_mentions_published", "social_mentions", "published_date", None),
    ("mc_crawl_jobs_waiting", "crawl_jobs", "status, priority", None),
)


def index_statements(engine: Engine, schema) -> list[str]:
    """CREATE INDEX statements for the tables present (PostgreSQL: CONCURRENTLY)."""
    concurrently = " CONCURRENTLY" if engine.dialect.name == "postgresql" else ""
    out = []
    for name, table, columns, where in INDEXES:
        if not schema.has(table):
            continue
        cols = columns or schema.link_first_seen
        partial = f" WHERE {where}" if where else ""
        out.append(f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON {table} ({cols}){partial}")
    return out


def drop_statements(engine: Engine) -> list[str]:
    concurrently = " CONCURRENTLY" if engine.dialect.name == "postgresql" else ""
    return [f"DROP INDEX{concurrently} IF EXISTS {name}" for name, *_ in INDEXES]


def run(engine: Engine, statements: list[str], dry_run: bool) -> None:
    for sql in statements:
        if dry_run:
            print(sql + ";")
            continue
        started = time.perf_counter()
        # CONCURRENTLY cannot run inside a transaction block.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(sql))
        print(f"{sql}  ({time.perf_counter() - started:.1f} s)")


def create_indexes(services, dry_run: bool = False) -> list[str]:
    statements = index_statements(services.engine, services.schema)
    run(services.engine, statements, dry_run)
    return statements


def create_views(services, schedule_cron: bool, dry_run: bool = False) -> None:
    engine = services.engine
    if engine.dialect.name != "postgresql":
        print("materialized views are PostgreSQL only; on SQLite the page queries crawl_jobs directly")
        return
    run(engine, [summary_view.CREATE_SQL.strip(), summary_view.INDEX_SQL], dry_run)
    if not schedule_cron:
        return
    with engine.connect() as conn:
        has_cron = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'")).scalar()
    if not has_cron:
        print("pg_cron is not installed here: the producer refreshes the view under its advisory lock")
        return
    sql = "SELECT cron.schedule(:job, '* * * * *', :cmd)"
    if dry_run:
        print(f"SELECT cron.schedule('{summary_view.CRON_JOB}', '* * * * *', '{summary_view.REFRESH_SQL}');")
        return
    with engine.begin() as conn:
        conn.execute(text(sql), {"job": summary_view.CRON_JOB, "cmd": summary_view.REFRESH_SQL})
    print(f"scheduled {summary_view.CRON_JOB} with pg_cron (every minute)")


def main(argv=None) -> int:
    from config import ConfigError, load_settings
    from data.services import Services

    p = argparse.ArgumentParser(prog="python -m analytics.setup", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", help="Link Profiler's database (default: DATABASE_URL)")
    p.add_argument("--create-indexes", action="store_true")
    p.add_argument("--drop-indexes", action="store_true")
    p.add_argument("--create-views", action="store_true")
    p.add_argument("--schedule-cron", action="store_true")
    p.add_argument("--rebuild-rollups", action="store_true")
    p.add_argument("--refresh", action="store_true")
    p.add_argument("--dry-run", action="store_true")
    args = p.parse_args(argv)
    if not any((args.create_indexes, args.drop_indexes, args.create_views, args.rebuild_rollups, args.refresh)):
        p.print_help()
        return 2
    try:
        settings = load_settings()
        if args.database_url:
            settings = dataclasses.replace(settings, database_url=args.database_url)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    services = Services(settings)
    try:
        if args.drop_indexes:
            run(services.engine, drop_statements(services.engine), args.dry_run)
        if args.create_indexes:
            create_indexes(services, args.dry_run)
        if args.create_views:
            create_views(services, args.schedule_cron, args.dry_run)
        if (args.rebuild_rollups or args.refresh) and not args.dry_run:
            from analytics.refresh import Refresher
            from data.frames import utcnow

            started = time.perf_counter()
            report = Refresher(services).refresh(utcnow(), full=args.rebuild_rollups)
            print("rollups:", "skipped (another producer holds the lock)" if report is None else report,
                  f"({time.perf_counter() - started:.1f} s)")
    finally:
        services.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

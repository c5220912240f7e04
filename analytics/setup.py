"""The explicit, opt-in setup of the analysis pages' storage helpers.

    python -m analytics.setup --create-indexes [--database-url URL] [--dry-run]
    python -m analytics.setup --create-views [--schedule-cron]
    python -m analytics.setup --cron-status | --unschedule-cron
    python -m analytics.setup --rebuild-rollups | --refresh
    python -m analytics.setup --drop-indexes | --drop-views

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
    mc_crawl_jobs_created, mc_crawl_jobs_status_created, mc_crawl_jobs_type_created
                                 crawl_jobs (created_at), (status, created_at), (job_type, created_at): the jobs list
    mc_crawl_jobs_completed      crawl_jobs (completed_date): the drain forecast's throughput
    mc_perf_logs_job             satellite_performance_logs (current_job_id), variant O: a job's progress history
    mc_crawl_jobs_target_trgm    crawl_jobs USING gin (target_url gin_trgm_ops), when pg_trgm is installed:
                                 the jobs list's target search
- `--create-views` (PostgreSQL): the `mission_control_summary` materialized view (see
  analytics.summary_view); `--schedule-cron` also schedules its refresh every minute with
  pg_cron (Debian: postgresql-15-cron; `shared_preload_libraries = 'pg_cron'`, a restart,
  `CREATE EXTENSION pg_cron` in `cron.database_name`), in whichever database pg_cron lives
  (analytics.cron). Without pg_cron the producer refreshes the view. `--cron-status` shows the
  job and its last run; `--unschedule-cron` hands the refresh back to the producer.
- `--rebuild-rollups`: empty the mc_ rollups and rebuild them from all rows (after a back-dated
  bulk import, which the watermarks cannot see); `--refresh`: one incremental refresh.
- `--drop-indexes`: remove the indexes above (and nothing else); `--drop-views`: remove the
  view and its pg_cron job.
`--dry-run` prints the SQL instead of running it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

from analytics import cron, summary_view

INDEXES = (
    # (name, table, column list or None for the first-seen column, partial predicate)
    ("mc_backlinks_first_seen", "backlinks", None, None),
    ("mc_backlinks_lost", "backlinks", "crawl_timestamp", "is_active = false OR http_status IN (404, 410)"),
    ("mc_perf_logs_timestamp", "satellite_performance_logs", "timestamp", None),
    ("mc_social_mentions_published", "social_mentions", "published_date", None),
    ("mc_crawl_jobs_waiting", "crawl_jobs", "status, priority", None),
    # The jobs list (pages/jobs): newest-first pages, by status or type; the drain forecast's
    # finished-in-window count; a job's performance logs (variant O names the job).
    ("mc_crawl_jobs_created", "crawl_jobs", "created_at", None),
    ("mc_crawl_jobs_status_created", "crawl_jobs", "status, created_at", None),
    ("mc_crawl_jobs_type_created", "crawl_jobs", "job_type, created_at", None),
    ("mc_crawl_jobs_completed", "crawl_jobs", "completed_date", None),
    ("mc_perf_logs_job", "satellite_performance_logs", "current_job_id", None),
)
# The jobs list's target search (ILIKE '%text%'), PostgreSQL with the pg_trgm extension only
# (installed by an administrator: CREATE EXTENSION pg_trgm); without it the search scans.
TRIGRAM_INDEXES = (("mc_crawl_jobs_target_trgm", "crawl_jobs", "target_url"),)


def has_trigram(engine: Engine) -> bool:
    """Whether pg_trgm is installed in the database (PostgreSQL only)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first() is not None


def index_statements(engine: Engine, schema) -> list[str]:
    """CREATE INDEX statements for the tables present (PostgreSQL: CONCURRENTLY)."""
    concurrently = " CONCURRENTLY" if engine.dialect.name == "postgresql" else ""
    out = []
    for name, table, columns, where in INDEXES:
        cols = columns or schema.link_first_seen
        if not all(schema.has(table, c.strip()) for c in cols.split(",")):
            continue  # the table, or a column of this variant, is not there
        partial = f" WHERE {where}" if where else ""
        out.append(f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON {table} ({cols}){partial}")
    if has_trigram(engine):
        for name, table, column in TRIGRAM_INDEXES:
            if schema.has(table, column):
                out.append(
                    f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
                )
    return out


def drop_statements(engine: Engine) -> list[str]:
    concurrently = " CONCURRENTLY" if engine.dialect.name == "postgresql" else ""
    names = [name for name, *_ in INDEXES] + [name for name, *_ in TRIGRAM_INDEXES]
    return [f"DROP INDEX{concurrently} IF EXISTS {name}" for name in names]


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
    if schedule_cron:
        schedule_refresh(engine, dry_run)


def schedule_refresh(engine: Engine, dry_run: bool = False) -> None:
    if dry_run:
        print(
            f"-- in pg_cron's database: cron.schedule[_in_database]('{cron.job_name(engine)}', "
            f"'{cron.SCHEDULE}', '{summary_view.REFRESH_SQL}'[, '{engine.url.database}'])"
        )
        return
    try:
        job = cron.schedule(engine, summary_view.REFRESH_SQL)
    except cron.CronUnavailable as exc:
        print(f"{exc}; the producer keeps refreshing the view under its advisory lock")
        return
    print(
        f"scheduled {job.job} in pg_cron (database {job.cron_database}), every minute: "
        f"the producer leaves the refresh to it"
    )


def print_cron_status(engine: Engine) -> None:
    found = cron.status(engine) if engine.dialect.name == "postgresql" else None
    if found is None:
        print("no pg_cron job refreshes the view here: the producer does")
        return
    last = (
        f"last run {found.last_status} at {found.last_end:%Y-%m-%d %H:%M:%S %Z}"
        f"{' (' + found.last_message.strip() + ')' if found.last_message else ''}"
        if found.last_status
        else "not run yet"
    )
    print(
        f"{found.job} in pg_cron (database {found.cron_database}), {'active' if found.active else 'inactive'}; {last}"
    )


def drop_views(engine: Engine, dry_run: bool = False) -> None:
    if engine.dialect.name != "postgresql":
        return
    if not dry_run and cron.status(engine) is not None:
        cron.unschedule(engine)
        print(f"unscheduled {cron.job_name(engine)}")
    run(engine, [f"DROP MATERIALIZED VIEW IF EXISTS {summary_view.VIEW}"], dry_run)


def main(argv=None) -> int:
    from config import cli_settings
    from data.services import Services

    p = argparse.ArgumentParser(
        prog="python -m analytics.setup", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--database-url", help="Link Profiler's database (default: DATABASE_URL)")
    p.add_argument("--create-indexes", action="store_true")
    p.add_argument("--drop-indexes", action="store_true")
    p.add_argument("--create-views", action="store_true")
    p.add_argument("--schedule-cron", action="store_true")
    p.add_argument("--unschedule-cron", action="store_true")
    p.add_argument("--cron-status", action="store_true")
    p.add_argument("--drop-views", action="store_true")
    p.add_argument("--rebuild-rollups", action="store_true")
    p.add_argument("--refresh", action="store_true")
    p.add_argument("--dry-run", action="store_true")
    args = p.parse_args(argv)
    if not any(
        (
            args.create_indexes,
            args.drop_indexes,
            args.create_views,
            args.schedule_cron,
            args.unschedule_cron,
            args.cron_status,
            args.drop_views,
            args.rebuild_rollups,
            args.refresh,
        )
    ):
        p.print_help()
        return 2
    settings = cli_settings()  # a bad setting: one line, exit 2
    if args.database_url:
        settings = dataclasses.replace(settings, database_url=args.database_url)
    services = Services(settings)
    try:
        if args.drop_indexes:
            run(services.engine, drop_statements(services.engine), args.dry_run)
        if args.create_indexes:
            create_indexes(services, args.dry_run)
        if args.drop_views:
            drop_views(services.engine, args.dry_run)
        if args.create_views:
            create_views(services, args.schedule_cron, args.dry_run)
        elif args.schedule_cron:
            schedule_refresh(services.engine, args.dry_run)
        if args.unschedule_cron and not args.dry_run:
            try:
                print(
                    "unscheduled" if cron.unschedule(services.engine) else "no job to unschedule",
                    cron.job_name(services.engine),
                )
            except cron.CronUnavailable as exc:
                print(exc)
        if args.cron_status:
            print_cron_status(services.engine)
        if (args.rebuild_rollups or args.refresh) and not args.dry_run:
            from analytics.refresh import Refresher
            from common.timestamps import utcnow

            started = time.perf_counter()
            report = Refresher(services).refresh(utcnow(), full=args.rebuild_rollups)
            print(
                "rollups:",
                "skipped (another producer holds the lock)" if report is None else report,
                f"({time.perf_counter() - started:.1f} s)",
            )
    finally:
        services.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

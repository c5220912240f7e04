"""pg_cron: find it, schedule the `mission_control_summary` refresh with it, tell whether it runs.

pg_cron lives in one database per PostgreSQL server (`cron.database_name`, 'postgres' by
default), which is often not Link Profiler's. So everything here first asks the server where
pg_cron is (the setting exists only when `shared_preload_libraries` loads it), then talks to
that database: `cron.schedule` when it is Link Profiler's own, `cron.schedule_in_database`
(superuser, or an explicit GRANT) when it is another. The job's name carries Link Profiler's
database name, so two Link Profiler databases on one server (staging, production) keep one
job each instead of overwriting each other's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)
_warned: set[str] = set()  # the producer asks every analytics cycle: say each problem once

JOB_PREFIX = "mission_control_summary_refresh"
SCHEDULE = "* * * * *"  # every minute: pg_cron 1.4 (Debian 12) has no finer schedule


class CronUnavailable(RuntimeError):
    """pg_cron cannot take the job here; the message says what to change."""


@dataclass(frozen=True)
class CronStatus:
    cron_database: str
    job: str
    active: bool
    last_status: str | None = None  # pg_cron's word: succeeded, failed, running, …
    last_end: datetime | None = None
    last_message: str | None = None


def job_name(engine: Engine) -> str:
    return f"{JOB_PREFIX}:{engine.url.database}"


def cron_database(engine: Engine) -> str | None:
    """The database pg_cron runs in, or None when the server has not loaded pg_cron."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT current_setting('cron.database_name', true)")).scalar() or None


def _cron_engine(engine: Engine, database: str) -> tuple[Engine, bool]:
    """An engine on pg_cron's database (the same credentials), and whether it is a new one."""
    if database == engine.url.database:
        return engine, False
    return create_engine(
        engine.url.set(database=database),
        poolclass=NullPool,
        connect_args={"connect_timeout": 3, "application_name": "mission-control"},
    ), True


def _in_cron_database(engine: Engine, work):
    """Run `work(conn, cron_db)` on pg_cron's database, or raise CronUnavailable saying why not."""
    database = cron_database(engine)
    if database is None:
        raise CronUnavailable(
            "pg_cron is not loaded by this PostgreSQL server (shared_preload_libraries = 'pg_cron' "
            "and a restart; Debian: apt-get install postgresql-15-cron)"
        )
    cron_engine, own = _cron_engine(engine, database)
    try:
        with cron_engine.begin() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'")).scalar():
                raise CronUnavailable(
                    f"pg_cron is loaded but not created in its database {database!r} "
                    f"(cron.database_name): run CREATE EXTENSION pg_cron there"
                )
            return work(conn, database)
    finally:
        if own:
            cron_engine.dispose()


def schedule(engine: Engine, command: str) -> CronStatus:
    """Schedule `command` every minute in Link Profiler's database (replacing our earlier job)."""
    lp_db, name = engine.url.database, job_name(engine)

    def work(conn, database):
        if database == lp_db:
            conn.execute(text("SELECT cron.schedule(:j, :s, :c)"), {"j": name, "s": SCHEDULE, "c": command})
        else:
            try:
                conn.execute(
                    text("SELECT cron.schedule_in_database(:j, :s, :c, :db)"),
                    {"j": name, "s": SCHEDULE, "c": command, "db": lp_db},
                )
            except DBAPIError as exc:
                if "permission denied" not in str(exc.orig):
                    raise
                raise CronUnavailable(
                    f"pg_cron runs in {database!r}, not in {lp_db!r}: scheduling into another database needs a "
                    f"superuser or GRANT EXECUTE ON FUNCTION cron.schedule_in_database TO {engine.url.username}"
                ) from exc
        return _status(conn, database, name, lp_db)

    return _in_cron_database(engine, work)


def unschedule(engine: Engine) -> bool:
    """Remove our job; returns whether there was one."""
    name, lp_db = job_name(engine), engine.url.database

    def work(conn, _database):
        return bool(
            conn.execute(
                text("SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = :j AND database = :db"),
                {"j": name, "db": lp_db},
            ).all()
        )

    return _in_cron_database(engine, work)


def status(engine: Engine) -> CronStatus | None:
    """Our job and its last run, or None when pg_cron is absent or holds no job of ours."""
    try:
        return _in_cron_database(
            engine, lambda conn, database: _status(conn, database, job_name(engine), engine.url.database)
        )
    except CronUnavailable:
        return None


def runs_refresh(engine: Engine) -> bool:
    """True when an active pg_cron job of ours refreshes the view (the producer then leaves it).
    Any doubt (no permission to read cron.job, pg_cron's database unreachable) answers False:
    a second refresh costs a little work, a missing one leaves the figures stale."""
    if engine.dialect.name != "postgresql":
        return False
    try:
        found = status(engine)
    except DBAPIError as exc:
        problem = str(exc.orig).strip()
        if problem not in _warned:
            _warned.add(problem)
            log.warning("cannot read pg_cron's jobs, the producer refreshes the view: %s", problem)
        return False
    return bool(found and found.active)


def _status(conn, database: str, name: str, lp_db: str) -> CronStatus | None:
    job = conn.execute(
        text("SELECT jobid, active FROM cron.job WHERE jobname = :j AND database = :db"), {"j": name, "db": lp_db}
    ).first()
    if job is None:
        return None
    run = conn.execute(
        text(
            "SELECT status, end_time, return_message FROM cron.job_run_details WHERE jobid = :id "
            "ORDER BY runid DESC LIMIT 1"
        ),
        {"id": job.jobid},
    ).first()
    return CronStatus(database, name, bool(job.active), *(tuple(run) if run else ()))

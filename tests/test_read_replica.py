"""DATABASE_READ_URL: the producer reads Link Profiler's tables from the replica and writes its
own (mc_) tables on the primary.

The "replica" is a second schema of the test's PostgreSQL database reached through its own URL
(`options=-csearch_path=replica`): it holds Link Profiler's tables with the test's data and no
mc_ table at all, while the primary's Link Profiler tables are empty. So the snapshot's numbers
can only come from the replica, and an mc_ statement sent to it would fail.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

from sqlalchemy import event, text

from data.bootstrap import create_lp_tables
from data.lp_tables import LP_TABLES
from data.services import Services
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW

REPLICA_SCHEMA = "replica"


def _replica_url(pg_url: str) -> str:
    separator = "&" if "?" in pg_url else "?"
    return f"{pg_url}{separator}options={quote(f'-csearch_path={REPLICA_SCHEMA}')}"


def _record(engine) -> list[str]:
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args, **_kw: statements.append(args[2]))
    return statements


def test_the_producer_reads_link_profiler_from_the_replica_and_writes_on_the_primary(pg_url, redis_url):
    primary = build_services(pg_url, redis_url, "M")  # empty Link Profiler tables + mc_ tables
    with primary.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {REPLICA_SCHEMA}"))
    replica_url = _replica_url(pg_url)
    loader = Services(dataclasses.replace(primary.settings, database_url=replica_url))
    create_lp_tables(loader.engine, "M")
    dataset.load(loader)  # the rows into the replica schema (and the Redis keys)
    loader.dispose()
    primary.dispose()

    services = build_services(pg_url, redis_url, "M", database_read_url=replica_url)
    assert services.read_engine is not services.engine
    on_primary, on_replica = _record(services.engine), _record(services.read_engine)
    try:
        with ticked_app(services, NOW) as (_app, ctx, _loop):
            _version, doc = ctx.snapshots.load()
            # The replica's sessions are named apart from the primary's.
            with services.read_engine.connect() as conn:
                names = set(
                    conn.execute(
                        text("SELECT application_name FROM pg_stat_activity WHERE datname = current_database()")
                    ).scalars()
                )
    finally:
        services.dispose()

    # The data exists only in the replica: the document shows it.
    status = doc["crawler_mission_status"]
    assert status["active_jobs_count"] == 2 and status["completed_jobs_24h_count"] == 2, status
    assert {"mission-control", "mission-control-read"} <= names

    def touches_lp(sql: str) -> bool:
        lowered = sql.lower()
        return any(f"from {t}" in lowered or f'from "{t}"' in lowered or f"join {t}" in lowered for t in LP_TABLES)

    replica_lp = [s for s in on_replica if touches_lp(s)]
    assert replica_lp, "the producer read nothing from the replica"
    # Only reads go to the replica, and none of them touch an mc_ table (it has none).
    assert all(s.lstrip().upper().startswith(("SELECT", "WITH")) for s in on_replica), on_replica
    assert not [s for s in on_replica if "mc_" in s.lower()]
    # The primary keeps the writes (mc_ tables) and reads nothing of Link Profiler's rows.
    assert [s for s in on_primary if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert [s for s in on_primary if touches_lp(s)] == []


def test_without_a_replica_everything_uses_the_primary(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M")
    try:
        assert services.read_engine is services.engine
    finally:
        services.dispose()

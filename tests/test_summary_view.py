"""The 24 h mission summary (Performance page): the direct query, the `mission_control_summary`
materialized view refreshed by the producer, and the same view refreshed by a real pg_cron.

The jobs are placed relative to the wall clock, because a materialized view's window ends at
the database's now() at refresh time. Expected rows, worked by hand (24 h window on
COALESCE(completed, started, created)):

    backlink_discovery completed   2 jobs  150 pages  15 links  mean (600 s + 1200 s) / 2 = 900 s
    backlink_discovery in_progress 1 job    10 pages  40 links  no duration (not completed)
    backlink_discovery queued      1 job     0 pages   0 links
    technical_audit    failed      1 job     7 pages   0 links  no duration (failed)
    (a completed job 30 h ago is outside the window)
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from analytics import cron, summary_view
from analytics.setup import create_views
from data.connections import make_engine
from common.timestamps import utcnow
from tests import lp_rows as lp
from tests.conftest import IN_CI, build_services
from tests.pg_cron_server import ServerUnavailable, pg_cron_server

ROOT = Path(__file__).resolve().parents[1]
H, S = timedelta(hours=1), timedelta(seconds=1)
EXPECTED = [
    ("backlink_discovery", "completed", 2, 150, 15, 900.0),
    ("backlink_discovery", "in_progress", 1, 10, 40, None),
    ("backlink_discovery", "queued", 1, 0, 0, None),
    ("technical_audit", "failed", 1, 7, 0, None),
]
# The job added after the view was built: the view shows it only once it has been refreshed.
LATE = ("serp_analysis", "completed", 1, 3, 1, 60.0)


def load_jobs(svc, now) -> None:
    lp.insert(
        svc,
        "crawl_jobs",
        [
            lp.job("completed", started=now - 2 * H, completed=now - 2 * H + 600 * S, urls=100, links=10),
            lp.job("completed", started=now - 3 * H, completed=now - 3 * H + 1200 * S, urls=50, links=5),
            lp.job("completed", started=now - 30 * H, completed=now - 30 * H + 999 * S, urls=1000, links=99),
            lp.job("in_progress", started=now - 100 * S, urls=10, links=40),
            lp.job("queued", created=now - 30 * S),
            lp.job(
                "failed", started=now - 20 * 60 * S, completed=now - 10 * 60 * S, urls=7, job_type="technical_audit"
            ),
        ],
    )


def add_late_job(svc) -> None:
    now = utcnow()
    lp.insert(
        svc,
        "crawl_jobs",
        [lp.job("completed", started=now - 70 * S, completed=now - 10 * S, urls=3, links=1, job_type="serp_analysis")],
    )


def rows(svc) -> tuple[list[tuple], str]:
    frame, source = summary_view.summary(svc.engine, utcnow())
    out = [
        (
            r.job_type,
            r.status,
            int(r.jobs),
            int(r.pages_crawled),
            int(r.links_found),
            None
            if r.avg_duration_s is None or r.avg_duration_s != r.avg_duration_s
            else round(float(r.avg_duration_s), 1),
        )
        for r in frame.itertuples()
    ]
    return out, source


def test_direct_query_and_producer_refreshed_view(services):
    load_jobs(services, utcnow())
    assert rows(services) == (EXPECTED, "crawl_jobs")
    if services.engine.dialect.name != "postgresql":
        assert summary_view.refresh(services.engine) is False  # nothing to refresh on SQLite
        return

    create_views(services, schedule_cron=False)
    found, source = rows(services)
    assert found == EXPECTED
    assert source.startswith("mission_control_summary, refreshed ")
    add_late_job(services)
    assert rows(services)[0] == EXPECTED, "a materialized view keeps its rows until refreshed"
    assert cron.runs_refresh(services.engine) is False  # the machine's server does not load pg_cron
    assert summary_view.refresh(services.engine) is True
    assert rows(services)[0] == sorted([*EXPECTED, LATE], key=lambda r: (-r[2], r[0], r[1]))


def setup_cli(url: str, *flags: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "analytics.setup", "--database-url", url, *flags],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SIMULATE": "off"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@contextmanager
def _cron_worlds():
    """Two Link Profiler databases on a private server whose pg_cron lives in `postgres`: `lp_cron`
    (pg_cron in another database, the usual case) and `postgres` itself (pg_cron in Link
    Profiler's own). Both get the view, then a job the view does not hold yet, then the cron job."""
    try:
        server = pg_cron_server()
        url = server.__enter__()
    except ServerUnavailable as exc:
        if IN_CI:
            pytest.fail(f"{exc} (CI=true: the pg_cron path must run)")
        pytest.skip(str(exc))
    worlds, outputs = {}, {}
    try:
        admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("CREATE DATABASE lp_cron"))
        admin.dispose()
        for name in ("lp_cron", "postgres"):
            db_url = url.rsplit("/", 1)[0] + "/" + name
            svc = build_services(db_url, f"memory://cron-{name}-{uuid.uuid4().hex}")
            worlds[name] = (svc, db_url)
            load_jobs(svc, utcnow())
            setup_cli(db_url, "--create-views")
            add_late_job(svc)
            assert rows(svc)[0] == EXPECTED  # the view holds what it was built from
            outputs[name] = setup_cli(db_url, "--schedule-cron")
        yield worlds, outputs, url
    finally:
        for svc, _ in worlds.values():
            svc.dispose()
        server.__exit__(None, None, None)


# The refresh tests watch pg_cron refresh the views; the unscheduling test takes a job away. They
# get separate servers so that neither depends on whether the other ran first.
@pytest.fixture(scope="module")
def cron_worlds():
    with _cron_worlds() as worlds:
        yield worlds


@pytest.fixture(scope="module")
def cron_worlds_to_unschedule():
    with _cron_worlds() as worlds:
        yield worlds


def wait_for_cron(svc, timeout: float = 100.0) -> list[tuple]:
    """Poll until pg_cron has refreshed the view (its schedule fires on the minute)."""
    want = sorted([*EXPECTED, LATE], key=lambda r: (-r[2], r[0], r[1]))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = rows(svc)[0]
        if found == want:
            return found
        time.sleep(1)
    pytest.fail(f"pg_cron did not refresh the view within {timeout:.0f} s; it holds {rows(svc)[0]}")


@pytest.mark.parametrize("name", ["lp_cron", "postgres"])
def test_pg_cron_refreshes_the_view_and_the_producer_leaves_it(cron_worlds, name):
    worlds, outputs, _ = cron_worlds
    svc, db_url = worlds[name]
    assert f"scheduled mission_control_summary_refresh:{name} in pg_cron (database postgres)" in outputs[name]
    assert cron.runs_refresh(svc.engine) is True
    assert summary_view.refresh(svc.engine) is False, "with pg_cron on it the producer must not refresh"

    wait_for_cron(svc)
    status = cron.status(svc.engine)
    assert (status.cron_database, status.job, status.active, status.last_status) == (
        "postgres",
        f"mission_control_summary_refresh:{name}",
        True,
        "succeeded",
    )
    assert "last run succeeded at" in setup_cli(db_url, "--cron-status")


def test_each_database_keeps_one_job_and_unscheduling_hands_back(cron_worlds_to_unschedule):
    worlds, _, url = cron_worlds_to_unschedule
    svc, db_url = worlds["lp_cron"]
    setup_cli(db_url, "--schedule-cron")  # again: replaces, never duplicates
    cron_db = make_engine(url)
    try:
        with cron_db.connect() as conn:
            jobs = conn.execute(sa.text("SELECT jobname, database FROM cron.job ORDER BY database")).all()
        assert [tuple(j) for j in jobs] == [
            ("mission_control_summary_refresh:lp_cron", "lp_cron"),
            ("mission_control_summary_refresh:postgres", "postgres"),
        ]
        assert "unscheduled mission_control_summary_refresh:lp_cron" in setup_cli(db_url, "--unschedule-cron")
        assert cron.runs_refresh(svc.engine) is False
        assert summary_view.refresh(svc.engine) is True, "without the job the producer refreshes again"
        assert "no pg_cron job refreshes the view here" in setup_cli(db_url, "--cron-status")
        with cron_db.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM cron.job")).scalar() == 1
    finally:
        cron_db.dispose()


def test_without_pg_cron_the_setup_says_so(pg_url):
    build_services(pg_url, "memory://no-cron").dispose()
    out = setup_cli(pg_url, "--create-views", "--schedule-cron")
    assert "pg_cron is not loaded by this PostgreSQL server" in out
    assert "the producer keeps refreshing the view" in out

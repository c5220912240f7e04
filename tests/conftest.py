"""Shared fixtures: real PostgreSQL and Redis for integration tests, SQLite for the embedded path.

Service URLs come from `MC_TEST_PG_URL` (a server URL; each test run gets its own throwaway
database on it) and `MC_TEST_REDIS_URL`. When a service is unreachable the tests that need it
skip with the reason, except under `CI=true`, where the skip becomes a failure (CI must prove
the real integrations, not quietly pass without them).
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from config import Settings, load_settings
from data.bootstrap import create_lp_tables, create_mc_tables
from data.connections import make_engine, make_redis
from data.services import Services

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_SERVER_URL = os.environ.get("MC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_TEST_URL = os.environ.get("MC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Lets concurrent runs on one machine (xdist workers, several developers) keep apart.
NAMESPACE = os.environ.get("MC_TEST_NAMESPACE", "mc_test")


def _unavailable(what: str, exc: Exception):
    reason = f"{what} unavailable: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: service tests must run)")
    pytest.skip(reason)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def pg_database_url():
    """URL of a throwaway PostgreSQL database for this test session (dropped at the end)."""
    admin = sa.create_engine(
        PG_SERVER_URL.replace("postgresql://", "postgresql+psycopg2://", 1), isolation_level="AUTOCOMMIT"
    )
    name = f"{NAMESPACE}_{_worker()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        _unavailable("PostgreSQL", exc)
    url = sa.engine.make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_database_url):
    """The session's PostgreSQL database with an empty public schema for this test."""
    engine = make_engine(pg_database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return pg_database_url


def _worker_redis_url() -> str:
    """REDIS_TEST_URL with its database number lowered by the xdist worker index, so parallel
    workers never flush each other's keys."""
    worker = _worker()
    if not worker.startswith("gw"):
        return REDIS_TEST_URL
    base, _, db = REDIS_TEST_URL.rpartition("/")
    return f"{base}/{max(0, int(db or 0) - int(worker[2:]))}"


@pytest.fixture
def redis_url():
    """A real Redis database, flushed before the test."""
    url = _worker_redis_url()
    client = make_redis(url)
    try:
        client.flushdb()
    except Exception as exc:
        _unavailable("Redis", exc)
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'lp.db'}"


@pytest.fixture
def memory_redis_url():
    """A private in-process Redis (fakeredis) for pure-logic tests."""
    return f"memory://{uuid.uuid4().hex}"


def make_settings(**overrides) -> Settings:
    """Settings for tests: defaults from an empty environment, then `overrides`."""
    import dataclasses

    return dataclasses.replace(load_settings({}, dotenv_path=None), **overrides)


def build_services(database_url: str, redis_url: str, variant: str = "M", **overrides) -> Services:
    """Services over a freshly bootstrapped Link Profiler database of `variant`."""
    settings = make_settings(database_url=database_url, redis_url=redis_url, simulate="off", **overrides)
    services = Services(settings)
    create_lp_tables(services.engine, variant)
    create_mc_tables(services.mc_engine)
    return services


@contextmanager
def ticked_app(services: Services, now):
    """An app over `services` without background threads, its producer ticked once at `now`.

    Yields (app, ctx, loop); stops the app's engines (alert delivery, …) afterwards.
    """
    from app import create_app
    from producer.loop import ProducerLoop

    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    loop = ProducerLoop(ctx)
    loop.tick(now=now)
    try:
        yield app, ctx, loop
    finally:
        ctx.stop()


# The storage combinations the read model must agree on.
BACKENDS = [
    pytest.param(("sqlite", "memory", "M"), id="sqlite-M"),
    pytest.param(("pg", "redis", "M"), id="pg-M"),
    pytest.param(("pg", "redis", "O"), id="pg-O"),
]


@pytest.fixture(params=BACKENDS)
def services(request, tmp_path):
    """Bootstrapped `Services` on each backend combination (SQLite+fakeredis, PostgreSQL+Redis M/O)."""
    db, rds, variant = request.param
    db_url = request.getfixturevalue("pg_url") if db == "pg" else f"sqlite:///{tmp_path / 'lp.db'}"
    r_url = request.getfixturevalue("redis_url") if rds == "redis" else f"memory://{uuid.uuid4().hex}"
    svc = build_services(db_url, r_url, variant)
    yield svc
    svc.dispose()


# -- browser ------------------------------------------------------------------------------
CHROMIUM = os.environ.get("MC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("MC_CHROMEDRIVER", "/usr/bin/chromedriver")


@pytest.fixture
def chrome():
    """Debian's headless Chromium driven by Selenium (never a downloaded browser)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        _unavailable("Chromium", FileNotFoundError(f"{CHROMIUM} / {CHROMEDRIVER} not installed"))
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1600,1000",
    ):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def serve():
    """serve(app) -> base URL: runs a Dash app's Flask server on a free loopback port."""
    import threading

    from werkzeug.serving import make_server

    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()


def browser_errors(driver) -> list[str]:
    """SEVERE entries of the browser console (JavaScript errors, failed requests)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]

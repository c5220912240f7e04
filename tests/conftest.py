"""Shared fixtures: real PostgreSQL and Redis for integration tests, SQLite for the embedded path.

Service URLs come from `MC_TEST_PG_URL` and `MC_TEST_REDIS_URL` (server URLs). Each test
process (a run, or each pytest-xdist worker) creates its own PostgreSQL database and claims its
own Redis database (see "isolation between runs"), so runs on one machine never meet. When a service is unreachable the tests that need it
skip with the reason, except under `CI=true`, where the skip becomes a failure (CI must prove
the real integrations, not quietly pass without them).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from config import Settings, load_settings
from data.bootstrap import create_lp_tables, create_mc_tables
from data.connections import make_engine, make_redis
from data.services import Services

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_SERVER_URL = os.environ.get("MC_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# A Redis server URL; its database number (0 unless given) is the registry that holds the claims
# on the test databases below. No test ever flushes the registry.
REDIS_SERVER_URL = os.environ.get("MC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The database numbers a run may claim: not 0 (the registry, and a local app's default) nor 9
# (the benchmarks' database, which they flush).
REDIS_TEST_DBS = os.environ.get("MC_TEST_REDIS_DBS", "1-8,10-15")
# Prefix of the PostgreSQL databases the runs create (and of nothing else on the server).
NAMESPACE = os.environ.get("MC_TEST_NAMESPACE", "mc_test")
# A run killed before its teardown leaves its database behind; later runs drop it after this.
STALE_AFTER_S = 6 * 3600
# Redis pub/sub channels are server-wide (not per database): the satellites' control channels
# carry the process's identity so one run's PAUSE never reaches another run's simulator.
CONTROL_PREFIX = f"crawler_control:mc-test-{socket.gethostname()}-{os.getpid()}:"
# The same for the snapshot notices (api/notice_hub.py).
SNAPSHOT_CHANNEL = f"mc:snapshot:notices:mc-test-{socket.gethostname()}-{os.getpid()}"


def _unavailable(what: str, exc: Exception):
    reason = f"{what} unavailable: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: service tests must run)")
    pytest.skip(reason)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


# -- isolation between runs ---------------------------------------------------------------
# Runs of this suite may overlap on one machine (two checkouts, CI beside a developer), each
# with its pytest-xdist workers. Every test process (the run itself, or each worker) therefore
# creates its own PostgreSQL database and claims its own Redis database; only the servers are
# shared. Processes the tests start get the same databases through `isolated_env`.


def _admin_engine() -> sa.Engine:
    url = PG_SERVER_URL.replace("postgresql://", "postgresql+psycopg2://", 1)
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def _drop_stale_databases(conn) -> list[str]:
    """Drop this suite's databases created more than STALE_AFTER_S ago (the name holds the
    creation time): runs killed before their teardown. A database still in use is kept
    (PostgreSQL refuses to drop it without FORCE)."""
    pattern = re.compile(rf"{re.escape(NAMESPACE)}_(\d{{10}})_[a-z0-9]+_[0-9a-f]{{8}}")
    dropped = []
    for (name,) in conn.execute(sa.text("SELECT datname FROM pg_database")).all():
        found = pattern.fullmatch(name)
        if found and time.time() - int(found[1]) > STALE_AFTER_S:
            try:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
                dropped.append(name)
            except sa.exc.DBAPIError:
                pass  # somebody is connected to it: not stale after all
    return dropped


@pytest.fixture(scope="session")
def pg_database_url():
    """URL of this process's own PostgreSQL database: `<namespace>_<unix time>_<worker>_<random>`,
    created here and dropped at the end of the session."""
    admin = _admin_engine()
    name = f"{NAMESPACE}_{int(time.time())}_{_worker()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            _drop_stale_databases(conn)
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        _unavailable("PostgreSQL", exc)
    try:
        yield sa.engine.make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(
                    sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                    {"n": name},
                )
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        finally:
            admin.dispose()


@pytest.fixture
def pg_url(pg_database_url):
    """The session's PostgreSQL database with an empty public schema for this test."""
    engine = make_engine(pg_database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return pg_database_url


def _database_numbers(spec: str) -> list[int]:
    """'1-8,10-15' -> [1, …, 8, 10, …, 15]"""
    numbers = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        low, _, high = part.partition("-")
        numbers.extend(range(int(low), int(high or low) + 1))
    return numbers


# KEYS[1] the claim, ARGV[1] the claimant's token, ARGV[2] the lifetime in seconds.
_RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class RedisClaim:
    """Exclusive use of one Redis database number by one test process.

    The claim is the key `mc-test:redis-db-claim:<n>` in the registry database, set with SET NX
    (atomic: of two processes asking for the same number, exactly one gets it) to a token only
    this process knows, with a TTL. A thread renews it every TTL/4 seconds while the process
    lives; a killed run's claim lapses within TTL. Renewal and release only touch the key while
    it still holds our token, and `held()` is checked before every flush, so a process never
    flushes a database it does not hold.
    """

    TTL_S = 60
    KEY = "mc-test:redis-db-claim:{}"

    def __init__(self, server_url: str, numbers: list[int]):
        self.registry = make_redis(server_url)
        self.registry_db = int(self.registry.connection_pool.connection_kwargs.get("db") or 0)
        self.server_url = server_url
        self.numbers = [n for n in numbers if n != self.registry_db]
        self.token = f"{socket.gethostname()}:{os.getpid()}:{_worker()}:{uuid.uuid4().hex}"
        self.db: int | None = None
        self.lapsed = False
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    @property
    def url(self) -> str:
        return urlsplit(self.server_url)._replace(path=f"/{self.db}").geturl()

    def acquire(self, wait_s: float = 120.0) -> str:
        try:  # only the numbers the server has (CONFIG may be disabled on a managed Redis)
            available = int(self.registry.config_get("databases")["databases"])
            self.numbers = [n for n in self.numbers if n < available]
        except Exception:
            pass
        deadline = time.monotonic() + wait_s
        while True:
            for n in self.numbers:
                if self.registry.set(self.KEY.format(n), self.token, nx=True, ex=self.TTL_S):
                    self.db = n
                    self._renewer = threading.Thread(target=self._renew_loop, name="redis-claim", daemon=True)
                    self._renewer.start()
                    return self.url
            if time.monotonic() > deadline:
                raise RuntimeError(f"every test database ({REDIS_TEST_DBS}) is claimed by other runs")
            time.sleep(1)

    def held(self) -> bool:
        """Whether the claim is still ours (renewing it); once lost it stays lost."""
        if self.db is None or self.lapsed:
            return False
        if not self.registry.eval(_RENEW, 1, self.KEY.format(self.db), self.token, self.TTL_S):
            self.lapsed = True
        return not self.lapsed

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.TTL_S / 4):
            with suppress(Exception):  # a blip: the next round (well within the TTL) tries again
                self.held()

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(5)
        try:
            if self.held():
                client = make_redis(self.url)
                client.flushdb()
                client.close()
                self.registry.eval(_RELEASE, 1, self.KEY.format(self.db), self.token)
        finally:
            self.registry.close()


@pytest.fixture(scope="session")
def redis_claim():
    """This process's own Redis database, claimed for the session and released at its end."""
    claim = RedisClaim(REDIS_SERVER_URL, _database_numbers(REDIS_TEST_DBS))
    try:
        claim.acquire()
    except Exception as exc:
        claim.registry.close()
        _unavailable("Redis", exc)
    try:
        yield claim
    finally:
        claim.release()


def _flush_claimed(claim: RedisClaim) -> None:
    if not claim.held():
        pytest.fail(f"the claim on Redis database {claim.db} lapsed; refusing to flush a database not ours")
    client = make_redis(claim.url)
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture
def redis_url(redis_claim):
    """This process's Redis database, flushed before and after the test."""
    _flush_claimed(redis_claim)
    yield redis_claim.url
    _flush_claimed(redis_claim)


def isolated_env(database_url: str, redis_url: str) -> dict[str, str]:
    """Environment variables that point a process a test starts (the app, the producer) at this
    test's databases and at this run's control channels."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_CRAWLER_CONTROL_PREFIX": CONTROL_PREFIX,
        "MC_SNAPSHOT_CHANNEL": SNAPSHOT_CHANNEL,
    }


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'lp.db'}"


@pytest.fixture
def memory_redis_url():
    """A private in-process Redis (fakeredis) for pure-logic tests."""
    return f"memory://{uuid.uuid4().hex}"


def make_settings(**overrides) -> Settings:
    """Settings for tests: defaults from an empty environment (with this process's control
    channels), then `overrides`."""
    import dataclasses

    base = load_settings(
        {"REDIS_CRAWLER_CONTROL_PREFIX": CONTROL_PREFIX, "MC_SNAPSHOT_CHANNEL": SNAPSHOT_CHANNEL}, dotenv_path=None
    )
    return dataclasses.replace(base, **overrides)


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


@pytest.fixture
def small_world(monkeypatch):
    """A smaller starting world for simulator tests that do not count its history (fast)."""
    from simulator import seed as seed_module

    monkeypatch.setattr(seed_module, "SOURCE_DOMAINS", 60)
    monkeypatch.setattr(seed_module, "BACKLINKS", 300)
    monkeypatch.setattr(seed_module, "JOBS_PER_SATELLITE_DAY", 4)
    monkeypatch.setattr(seed_module, "PERF_LOG_HOURS", 1)


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


@pytest.fixture(autouse=True, scope="session")
def _validated_figures():
    """Figures are built with plotly.py's validation under test (figures/theme.py): a misspelt
    property fails here, although the app builds them unvalidated for speed."""
    from figures import theme

    before, theme.VALIDATE = theme.VALIDATE, True
    yield
    theme.VALIDATE = before

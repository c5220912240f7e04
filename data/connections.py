"""Engine and Redis clients, plus a statement counter used by tests and benchmarks.

The embedded default is a SQLite file under `var/` and an in-process Redis (fakeredis). Every
client made for the same `memory://` URL in one process shares one fake server, so the
simulator, the producer and the callbacks see the same data, as they would with a real Redis.
"""

from __future__ import annotations

import threading
from typing import Any
from pathlib import Path

import redis
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

_fake_servers: dict[str, Any] = {}  # url -> fakeredis.FakeServer (imported only when used)
_fake_lock = threading.Lock()


def make_engine(url: str, application_name: str = "mission-control") -> Engine:
    """An engine for `url`; creates the folder of a SQLite file and tunes SQLite for sharing.
    `application_name`: how PostgreSQL lists its sessions (pg_stat_activity)."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        # SQLAlchemy 2.1 defaults to psycopg 3; Link Profiler and we ship psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg2")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # WAL lets the simulator write while the producer reads.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"connect_timeout": 3, "application_name": application_name},
    )


def limit_parallel_query(engine: Engine, workers: int) -> None:
    """PostgreSQL: at most `workers` parallel workers per query in this engine's sessions
    (`max_parallel_workers_per_gather`), set once as each session opens; sessions already
    pooled are closed so that none predates it. Other databases: nothing to do."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _limit(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("SET max_parallel_workers_per_gather = %s", (int(workers),))
        cur.close()
        # psycopg2 opened a transaction for the SET: a pool's rollback would undo it.
        dbapi_conn.commit()

    engine.dispose()


# Connections one Redis client of a process may open, and how long a caller waits for a free
# one before that counts as Redis being unavailable.
REDIS_POOL_SIZE = 64
REDIS_POOL_WAIT_S = 5.0


def make_redis(url: str) -> redis.Redis:
    """A Redis client with decoded strings; `memory://name` is an in-process fakeredis."""
    if url.startswith("memory://"):
        import fakeredis

        with _fake_lock:
            server = _fake_servers.setdefault(url, fakeredis.FakeServer())
        return fakeredis.FakeRedis(server=server, decode_responses=True)
    # A blocking pool: under gevent a burst of a thousand stream admissions asks for a thousand
    # connections at once; redis-py's default pool refuses the 101st ("Too many connections"),
    # which a client saw as "Redis offline". Waiting briefly for one of a bounded set is right.
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=REDIS_POOL_SIZE,
        timeout=REDIS_POOL_WAIT_S,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=3,
        health_check_interval=30,
    )
    return redis.Redis(connection_pool=pool)


def redis_twin(client: redis.Redis, **overrides) -> redis.Redis:
    """A client to the same Redis as `client`, with `overrides` to its connection settings (e.g.
    decode_responses=False for bytes), on a blocking pool of its own. A fakeredis client is
    returned as it is (its in-process server has no pool to share)."""
    pool = getattr(client, "connection_pool", None)
    if not isinstance(pool, redis.ConnectionPool) or type(client).__module__.startswith("fakeredis"):
        return client
    kwargs = {**pool.connection_kwargs, **overrides}
    return redis.Redis(
        connection_pool=redis.BlockingConnectionPool(
            connection_class=pool.connection_class,
            max_connections=REDIS_POOL_SIZE,
            timeout=REDIS_POOL_WAIT_S,
            **kwargs,
        )
    )


class StatementCounter:
    """Counts SQL statements an engine executes (to prove viewers never cause SQL).

    With `this_thread_only`, only statements run by the creating thread count (a test's
    requests through Flask's test client), not those of background workers.
    """

    def __init__(self, engine: Engine, this_thread_only: bool = False):
        self.count = 0
        self._lock = threading.Lock()
        self._thread = threading.get_ident() if this_thread_only else None
        event.listen(engine, "before_cursor_execute", self._on_execute)
        self._engine = engine

    def _on_execute(self, *_args, **_kwargs):
        if self._thread is not None and threading.get_ident() != self._thread:
            return
        with self._lock:
            self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._on_execute)

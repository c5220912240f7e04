"""The live handles every part of the app shares: engines, Redis, the detected schema and
the health of each source.

`Services` is built once per app by `create_app` (no module-level state) and handed to the
producer, the API and the simulator. Sources that fail are recorded as offline with the time
they went down, so panels can say "source offline since …" instead of crashing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import redis
from sqlalchemy import text
from sqlalchemy.engine import Engine

from config import Settings
from data.connections import make_engine, make_redis
from data.schema import SchemaInfo, detect_schema

log = logging.getLogger(__name__)

SOURCES = ("database", "redis", "archive")  # archive: the last archive pass (archive/service.py)


@dataclass
class SourceHealth:
    """Online/offline state of one source; `since` is the epoch of the last change."""

    online: bool = True
    since: float = field(default_factory=time.time)
    error: str | None = None

    def as_dict(self) -> dict:
        return {"online": self.online, "since": self.since, "error": self.error}


class Services:
    """Engines, Redis client, schema and source health for one app instance."""

    def __init__(self, settings: Settings, engine: Engine | None = None, redis_client: redis.Redis | None = None):
        self.settings = settings
        self.engine = engine or make_engine(settings.database_url)
        self.mc_engine = make_engine(settings.mc_database_url) if settings.mc_database_url else self.engine
        # The producer's reads of Link Profiler's tables (DATABASE_READ_URL: a replica); writes,
        # mc_ tables, schema detection and admin commands stay on `engine` / `mc_engine`.
        self.read_engine = (
            make_engine(settings.database_read_url, application_name="mission-control-read")
            if settings.database_read_url
            else self.engine
        )
        self.redis = redis_client or make_redis(settings.redis_url)
        self.health = {name: SourceHealth() for name in SOURCES}
        self._schema: SchemaInfo | None = None
        self._lock = threading.Lock()

    # -- health -----------------------------------------------------------------------------
    def mark(self, source: str, ok: bool, error: Exception | None = None) -> None:
        """Record a success or failure of `source`; logs one line when its state changes."""
        h = self.health[source]
        if h.online != ok:
            h.online, h.since = ok, time.time()
            if ok:
                log.warning("%s is back online", source)
            else:
                log.error("%s is offline: %s", source, _one_line(error))
        h.error = None if ok else _one_line(error)

    def ping_database(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            self.mark("database", True)
        except Exception as exc:  # any driver error means "offline" to a viewer
            self.mark("database", False, exc)
        return self.health["database"].online

    def ping_redis(self) -> bool:
        try:
            self.redis.ping()
            self.mark("redis", True)
        except Exception as exc:
            self.mark("redis", False, exc)
        return self.health["redis"].online

    # -- schema -----------------------------------------------------------------------------
    @property
    def schema(self) -> SchemaInfo:
        """The detected schema; re-detected after the database comes back or tables appear."""
        with self._lock:
            if self._schema is None or self._schema.missing_tables:
                try:
                    self._schema = detect_schema(self.engine)
                    self.mark("database", True)
                except Exception as exc:
                    self.mark("database", False, exc)
                    return self._schema or SchemaInfo(variant=None, dialect=self.engine.dialect.name)
            return self._schema

    def forget_schema(self) -> None:
        with self._lock:
            self._schema = None

    def dispose(self) -> None:
        self.engine.dispose()
        if self.mc_engine is not self.engine:
            self.mc_engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
        try:
            self.redis.close()
        except Exception as exc:  # closing a dead connection is not worth a traceback
            log.debug("closing redis: %s", exc)


def _one_line(error: Exception | None) -> str | None:
    if error is None:
        return None
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"{type(error).__name__}: {first}"[:300]

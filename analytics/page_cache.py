"""Memoised page queries shared by every worker, keyed by the rollup version.

Flask-Caching's backends (cachelib): a Redis cache on the deployment's Redis when it is real
(all gunicorn workers share one answer per version), an in-process SimpleCache on the embedded
`memory://` Redis. The key holds `mc:analytics:version`, which each refresh bumps, so a
refresh invalidates every cached answer without deleting anything; entries also expire after
`ttl_s` so old versions do not pile up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time

from flask_caching.backends import RedisCache, SimpleCache

from analytics.refresh import current_version
from data.connections import redis_twin

log = logging.getLogger(__name__)

FLIGHT_PREFIX = "mc:analytics:flight:"
# How long one worker may compute an answer while the others wait for it.
FLIGHT_S = 20.0


class PageCache:
    """`get(name, args, compute)`: compute() once per (name, args, rollup version)."""

    def __init__(self, services, ttl_s: int = 600):
        self.services = services
        self.ttl_s = ttl_s
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        if services.settings.embedded_redis:
            self.backend = SimpleCache(threshold=500, default_timeout=ttl_s)
        else:
            self.backend = RedisCache(host=services.redis, key_prefix="mc:analytics:page:", default_timeout=ttl_s)
            # Our client decodes responses to str; cachelib needs the raw pickled bytes.
            self.backend._write_client = self.backend._read_client = redis_twin(services.redis, decode_responses=False)

    def version(self) -> str:
        return current_version(self.services.redis)

    def key(self, name: str, args) -> str:
        raw = json.dumps([name, args], sort_keys=True, default=str)
        return f"{self.version()}:{name}:{hashlib.blake2b(raw.encode(), digest_size=10).hexdigest()}"

    def _read(self, key: str):
        try:
            return self.backend.get(key)
        except Exception as exc:  # a cache outage only costs a query
            log.debug("page cache read failed: %s", exc)
            return None

    def _write(self, key: str, value) -> None:
        try:
            self.backend.set(key, value)
        except Exception as exc:
            log.debug("page cache write failed: %s", exc)

    def _process_lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            if len(self._locks) > 256:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            return self._locks.setdefault(key, threading.Lock())

    def _claim(self, key: str) -> bool:
        """One computation per key across workers and hosts (a short Redis claim)."""
        try:
            return bool(self.services.redis.set(FLIGHT_PREFIX + key, "1", nx=True, px=int(FLIGHT_S * 1000)))
        except Exception:  # Redis down: compute locally rather than not at all
            return True

    def _unclaim(self, key: str) -> None:
        try:
            self.services.redis.delete(FLIGHT_PREFIX + key)
        except Exception as exc:
            log.debug("page cache unclaim failed: %s", exc)

    def get(self, name: str, args, compute):
        """The cached answer, or compute() it once: when a refresh invalidates every answer,
        the viewers of all workers wait for one computation instead of stampeding the
        database with the same query."""
        key = self.key(name, args)
        hit = self._read(key)
        if hit is not None:
            return hit
        with self._process_lock(key):
            hit = self._read(key)
            if hit is not None:
                return hit
            if self._claim(key):
                try:
                    value = compute()
                    self._write(key, value)
                    return value
                finally:
                    self._unclaim(key)
            deadline = time.monotonic() + FLIGHT_S
            while time.monotonic() < deadline:
                time.sleep(0.05)
                hit = self._read(key)
                if hit is not None:
                    return hit
            return compute()  # the other worker died or is very slow: answer anyway

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

from flask_caching.backends import RedisCache, SimpleCache

from analytics.refresh import current_version

log = logging.getLogger(__name__)


class PageCache:
    """`get(name, args, compute)`: compute() once per (name, args, rollup version)."""

    def __init__(self, services, ttl_s: int = 600):
        self.services = services
        self.ttl_s = ttl_s
        if services.settings.embedded_redis:
            self.backend = SimpleCache(threshold=500, default_timeout=ttl_s)
        else:
            self.backend = RedisCache(host=services.redis, key_prefix="mc:analytics:page:", default_timeout=ttl_s)
            # Our client decodes responses to str; cachelib needs the raw pickled bytes.
            self.backend._write_client = self.backend._read_client = _raw_client(services.redis)

    def version(self) -> str:
        return current_version(self.services.redis)

    def key(self, name: str, args) -> str:
        raw = json.dumps([name, args], sort_keys=True, default=str)
        return f"{self.version()}:{name}:{hashlib.blake2b(raw.encode(), digest_size=10).hexdigest()}"

    def get(self, name: str, args, compute):
        key = self.key(name, args)
        try:
            hit = self.backend.get(key)
        except Exception as exc:  # a cache outage only costs a query
            log.debug("page cache read failed: %s", exc)
            hit = None
        if hit is not None:
            return hit
        value = compute()
        try:
            self.backend.set(key, value)
        except Exception as exc:
            log.debug("page cache write failed: %s", exc)
        return value


def _raw_client(client):
    """A client on the same connection settings as `client` that returns bytes."""
    import redis

    kwargs = dict(client.connection_pool.connection_kwargs)
    kwargs["decode_responses"] = False
    return redis.Redis(connection_pool=redis.ConnectionPool(connection_class=client.connection_pool.connection_class,
                                                            **kwargs))

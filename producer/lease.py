"""Leader election by a Redis lease: exactly one producer per deployment.

`SET key token NX PX lease` takes the lease; the holder renews it every tick with a
compare-and-extend script, so a dead producer's lease lapses within `lease_ms` and another
worker (or host) takes over. The token is random per holder, so a slow holder whose lease
lapsed can never extend or delete its successor's.
"""

from __future__ import annotations

import uuid

import redis

LEASE_KEY = "mc:producer:lease"

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Lease:
    """A renewable lease on `key`; `hold()` takes or renews it and says whether we hold it."""

    def __init__(self, client: redis.Redis, key: str = LEASE_KEY, lease_ms: int = 5000):
        self.redis = client
        self.key = key
        self.lease_ms = lease_ms
        self.token = uuid.uuid4().hex
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def hold(self) -> bool:
        if self._renew(keys=[self.key], args=[self.token, self.lease_ms]):
            return True
        return bool(self.redis.set(self.key, self.token, nx=True, px=self.lease_ms))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.token])

    def holder(self) -> str | None:
        value = self.redis.get(self.key)
        return None if value is None else str(value)

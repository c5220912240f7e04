"""Deployment-wide connection slots for long-lived push streams (SSE today, maybe WebSocket later).

A slot is held exactly while its connection lives: taken before the response starts, released
by `Slot.release()` from the connection's own cleanup (`finally` / the WSGI iterable's
`close()`), whatever ended it. The slots are a Redis sorted set, member = slot id, score = the
moment its lease ends. Every process renews the leases of the slots it holds from one
background thread, independently of the connections: a stream blocked on a client that does
not read is still alive and keeps its slot (it is freed when the write timeout ends that
connection). A lease therefore only lapses when its process died without cleaning up, which is
the one case the stale sweep is for.

Admission (sweep expired leases, count, add) is one Lua script, so concurrent connects across
processes and hosts can never pass the cap.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid

from common.release_once import ReleaseOnce

log = logging.getLogger(__name__)

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
return 1
"""


class Slot(ReleaseOnce):
    """One held slot; `release()` is idempotent and safe to call from any thread."""

    def __init__(self, owner: StreamSlots, slot_id: str):
        super().__init__(lambda: owner._release(slot_id))
        self.id = slot_id


class StreamSlots:
    """At most `limit` live connections under `key`, across every process sharing `redis`."""

    def __init__(self, redis, key: str, limit: int, lease_s: float = 30.0, clock=time.time):
        self.redis = redis
        self.key = key
        self.limit = limit
        self.lease_s = lease_s
        self.clock = clock
        self._acquire = redis.register_script(_ACQUIRE)
        self._held: set[str] = set()
        self._held_lock = threading.Lock()
        self._renewer: threading.Thread | None = None
        self._stop = threading.Event()

    # -- taking and giving back ------------------------------------------------------------
    def acquire(self) -> Slot | None:
        """A slot, or None when all `limit` are held by live connections."""
        slot_id = uuid.uuid4().hex
        now = self.clock()
        if not self._acquire(keys=[self.key], args=[now, self.limit, now + self.lease_s, slot_id]):
            return None
        with self._held_lock:
            self._held.add(slot_id)
        self._ensure_renewer()
        return Slot(self, slot_id)

    def _release(self, slot_id: str) -> None:
        with self._held_lock:
            self._held.discard(slot_id)
        # Redis down: the lease lapses by itself once nobody renews it.
        with contextlib.suppress(Exception):
            self.redis.zrem(self.key, slot_id)

    # -- what is held ----------------------------------------------------------------------
    def held_here(self) -> int:
        """Slots held by live connections of this process."""
        with self._held_lock:
            return len(self._held)

    def in_use(self) -> int:
        """Slots held deployment-wide (leases not yet lapsed)."""
        return int(self.redis.zcount(self.key, self.clock(), "+inf"))

    # -- leases ----------------------------------------------------------------------------
    def renew(self) -> int:
        """Extend the lease of every slot this process holds; returns how many."""
        with self._held_lock:
            held = list(self._held)
        if held:
            until = self.clock() + self.lease_s
            # XX: never resurrect a slot released meanwhile.
            self.redis.zadd(self.key, dict.fromkeys(held, until), xx=True)
        return len(held)

    def _ensure_renewer(self) -> None:
        if self._renewer is not None and self._renewer.is_alive():
            return
        with self._held_lock:
            if self._renewer is not None and self._renewer.is_alive():
                return
            self._renewer = threading.Thread(target=self._renew_loop, name="mc-stream-slots", daemon=True)
            self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                self.renew()
            except Exception as exc:  # Redis blip: try again next round, before the lease ends
                log.warning("stream slot leases not renewed: %s", exc)

    def stop(self) -> None:
        self._stop.set()

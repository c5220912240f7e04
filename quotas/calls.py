"""Provider call records and circuit breakers, shared by every process through Redis.

Redis keys (all `mc:quota:`):
- `mc:quota:calls:{provider}`: a hash of rolling counters. The window (`QUOTA_CALL_WINDOW_S`)
  is cut into 60 buckets; each bucket has `n:{b}` (calls), `ok:{b}` (successful) and `ms:{b}`
  (summed response time). Buckets that fall out of the window are deleted when a new one
  starts, so the hash never holds more than 61 buckets whatever the traffic.
- `mc:quota:breaker:{provider}`: the breaker, a hash `state` (CLOSED | OPEN), `failures`
  (consecutive), `opened_at` (epoch seconds) and `trial_until` (a half-open trial in flight).

HALF_OPEN is not stored: an OPEN breaker whose cool-down has passed *is* half-open, so it needs
nobody to flip it. Recording an outcome and moving the breaker is one Lua script (counters and
state cannot disagree, and two processes cannot both close or both open it); claiming the one
trial call of a half-open breaker is another. Times come from the caller's clock (the quota
manager's, injectable in tests), never from Redis's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from quotas.settings import BreakerSettings

PREFIX = "mc:quota:"
BUCKETS = 60
CLOSED, OPEN, HALF_OPEN = "CLOSED", "OPEN", "HALF_OPEN"
BREAKER_STATES = (CLOSED, OPEN, HALF_OPEN)

# KEYS: calls hash, breaker hash, version key.
# ARGV: ok (1|0), response ms, now (epoch s), bucket, oldest bucket kept, failures threshold,
#       cool-down s, calls hash lifetime s.
# Returns {state after, 1 when the state changed, consecutive failures, state before}.
_RECORD = """
local ok = ARGV[1] == '1'
local bucket = ARGV[4]
if redis.call('HINCRBY', KEYS[1], 'n:' .. bucket, 1) == 1 then
  local oldest = tonumber(ARGV[5])
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    local b = tonumber(string.match(f, ':(%-?%d+)$'))
    if b ~= nil and b < oldest then redis.call('HDEL', KEYS[1], f) end
  end
end
if ok then redis.call('HINCRBY', KEYS[1], 'ok:' .. bucket, 1) end
redis.call('HINCRBYFLOAT', KEYS[1], 'ms:' .. bucket, ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[8])
redis.call('INCR', KEYS[3])

local now = tonumber(ARGV[3])
local state = redis.call('HGET', KEYS[2], 'state') or 'CLOSED'
local opened = tonumber(redis.call('HGET', KEYS[2], 'opened_at') or '0')
if state == 'OPEN' and now >= opened + tonumber(ARGV[7]) then state = 'HALF_OPEN' end
local failures = tonumber(redis.call('HGET', KEYS[2], 'failures') or '0')
if ok then
  if state == 'HALF_OPEN' then
    redis.call('HSET', KEYS[2], 'state', 'CLOSED', 'failures', 0, 'opened_at', 0, 'trial_until', 0)
    return {'CLOSED', 1, 0, state}
  elseif state == 'CLOSED' then
    redis.call('HSET', KEYS[2], 'state', 'CLOSED', 'failures', 0)
    return {'CLOSED', 0, 0, state}
  end
  return {state, 0, failures, state}  -- a late answer to a call made before it opened
end
failures = redis.call('HINCRBY', KEYS[2], 'failures', 1)
if state == 'HALF_OPEN' or (state == 'CLOSED' and failures >= tonumber(ARGV[6])) then
  redis.call('HSET', KEYS[2], 'state', 'OPEN', 'opened_at', ARGV[3], 'trial_until', 0)
  return {'OPEN', 1, failures, state}
end
if state == 'CLOSED' then redis.call('HSET', KEYS[2], 'state', 'CLOSED') end
return {state, 0, failures, state}
"""

# KEYS: breaker hash. ARGV: now, cool-down s, trial lease s.
# 1 when a call may go ahead: the breaker is closed, or it is half-open and this caller took
# its one trial (until the lease runs out: a caller that never reports does not wedge it).
_CLAIM = """
if (redis.call('HGET', KEYS[1], 'state') or 'CLOSED') ~= 'OPEN' then return 1 end
local now = tonumber(ARGV[1])
if now < tonumber(redis.call('HGET', KEYS[1], 'opened_at') or '0') + tonumber(ARGV[2]) then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'trial_until') or '0') > now then return 0 end
redis.call('HSET', KEYS[1], 'trial_until', now + tonumber(ARGV[3]))
return 1
"""


def calls_key(provider: str) -> str:
    return f"{PREFIX}calls:{provider}"


def breaker_key(provider: str) -> str:
    return f"{PREFIX}breaker:{provider}"


@dataclass(frozen=True)
class Breaker:
    """One provider's breaker as read at `now`."""

    state: str = CLOSED
    failures: int = 0
    opened_at: float | None = None  # epoch seconds
    half_open_at: float | None = None  # when an OPEN breaker lets a trial call through
    trial_in_flight: bool = False

    @property
    def blocks(self) -> bool:
        """Whether the router must pass this provider by now."""
        return self.state == OPEN or (self.state == HALF_OPEN and self.trial_in_flight)


@dataclass(frozen=True)
class Performance:
    """The contract's `performance` of one provider, over the rolling window."""

    total_calls: int = 0
    successful_calls: int = 0
    average_response_time_ms: float = 0.0

    @property
    def success_rate(self) -> float:
        # No calls measured: 0.0 with total_calls 0, never a made-up 100 %.
        return round(self.successful_calls / self.total_calls, 4) if self.total_calls else 0.0


def breaker_from(raw: dict[str, str], now: float, cooldown_s: float) -> Breaker:
    """The breaker a stored hash describes at `now` (pure)."""
    failures = int(float(raw.get("failures") or 0))
    if raw.get("state") != OPEN:
        return Breaker(CLOSED, failures)
    opened = float(raw.get("opened_at") or 0)
    half_open_at = opened + cooldown_s
    if now < half_open_at:
        return Breaker(OPEN, failures, opened, half_open_at)
    return Breaker(HALF_OPEN, failures, opened, half_open_at, float(raw.get("trial_until") or 0) > now)


def performance_from(raw: dict[str, str], oldest_bucket: int) -> Performance:
    """Sum the buckets of a calls hash from `oldest_bucket` on (pure)."""
    sums = {"n": 0.0, "ok": 0.0, "ms": 0.0}
    for f, v in raw.items():
        kind, _, bucket = f.partition(":")
        if kind in sums and bucket.lstrip("-").isdigit() and int(bucket) >= oldest_bucket:
            sums[kind] += float(v)
    total = int(sums["n"])
    return Performance(total, int(sums["ok"]), round(sums["ms"] / total, 1) if total else 0.0)


class CallRecords:
    """Records call outcomes and keeps the breakers; thread-safe, share one per process."""

    def __init__(self, client, settings: BreakerSettings, version_key: str):
        self.redis = client
        self.settings = settings
        self.version_key = version_key
        self._record = client.register_script(_RECORD)
        self._claim = client.register_script(_CLAIM)

    def _bucket(self, now: float) -> int:
        return int(now // max(self.settings.window_s / BUCKETS, 1))

    def record(self, provider: str, ok: bool, response_ms: float, now: float) -> tuple[Breaker, str]:
        """Count one call and move the breaker; returns (breaker after, its state before)."""
        s = self.settings
        bucket = self._bucket(now)
        state, changed, failures, before = self._record(
            keys=[calls_key(provider), breaker_key(provider), self.version_key],
            args=[
                1 if ok else 0,
                f"{max(float(response_ms), 0.0):.3f}",
                repr(float(now)),
                bucket,
                bucket - BUCKETS + 1,
                s.failures,
                s.cooldown_s,
                int(s.window_s * 2) + 60,
            ],
        )
        if state == OPEN and int(changed):
            return Breaker(OPEN, int(failures), now, now + s.cooldown_s), before
        if state == CLOSED:
            return Breaker(CLOSED, int(failures)), before
        return self.breakers([provider], now)[provider], before

    def claim(self, provider: str, now: float) -> bool:
        """Whether a call to `provider` may go ahead now (takes a half-open breaker's trial)."""
        s = self.settings
        return bool(int(self._claim(keys=[breaker_key(provider)], args=[repr(float(now)), s.cooldown_s, s.trial_s])))

    def breakers(self, providers: Iterable[str], now: float) -> dict[str, Breaker]:
        names = list(providers)
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(breaker_key(name))
        return {n: breaker_from(raw, now, self.settings.cooldown_s) for n, raw in zip(names, pipe.execute())}

    def read(self, providers: Iterable[str], now: float) -> dict[str, tuple[Performance, Breaker]]:
        """Performance and breaker of each provider: one Redis round trip."""
        names = list(providers)
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(calls_key(name))
            pipe.hgetall(breaker_key(name))
        raw = pipe.execute()
        oldest = self._bucket(now) - BUCKETS + 1
        return {
            n: (performance_from(raw[2 * i], oldest), breaker_from(raw[2 * i + 1], now, self.settings.cooldown_s))
            for i, n in enumerate(names)
        }

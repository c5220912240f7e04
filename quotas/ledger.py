"""The shared quota ledger: atomic counters in Redis, durable rows in `mc_quota_usage_log`.

Redis keys (all `mc:quota:`):
- `mc:quota:usage:{provider}:{YYYYMMDD}` hash per provider and period (the date is the period
  start): `used`, one `d:YYYYMMDD` field per day, `seeded`. A new period is a new key, which
  is how the monthly reset happens without anyone having to run it.
- `mc:quota:version` grows on every grant, so readers can tell cheaply that nothing changed.
- `mc:quota:exhausted:{provider}:{YYYYMMDD}` marks that the "exhausted" event was recorded.

Grant-up-to-limit is one Lua script, so any number of threads and processes on any number of
hosts can never push `used` past the limit. A missing hash (new period, or a Redis that was
flushed or restarted) makes the script answer "seed me": the hash is then rebuilt from the
granted rows in the table with a second script that writes only when the key is still absent,
so two processes seeding at once cannot double count.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, UTC
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from data.dead_rows import store_rows
from quotas import tables
from quotas.errors import QuotaUnavailable
from quotas.periods import period_bounds, previous_period_start
from quotas.providers import ProviderConfig
from common.textsafe import fit_rows

log = logging.getLogger(__name__)

PREFIX = "mc:quota:"
VERSION_KEY = PREFIX + "version"
DECISIONS_KEY = PREFIX + "decisions"
EVENTS_KEY = PREFIX + "events"
DECISIONS_KEPT = 200
EVENTS_KEPT = 200
# Usage hashes outlive their period so the long burn-rate window can look back into it.
KEEP_AFTER_PERIOD_S = 70 * 86400

_GRANT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0} end
local units = tonumber(ARGV[1])
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
if used + units > tonumber(ARGV[2]) then return {0, used} end
used = redis.call('HINCRBY', KEYS[1], 'used', units)
redis.call('HINCRBY', KEYS[1], ARGV[3], units)
redis.call('INCR', KEYS[2])
return {1, used}
"""

_SEED = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""


def usage_key(provider: str, period_start: datetime) -> str:
    return f"{PREFIX}usage:{provider}:{period_start:%Y%m%d}"


def _day_field(day: date) -> str:
    return f"d:{day:%Y%m%d}"


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Usage:
    """One provider's state: used this period and its daily units (this and last period)."""

    used: int
    period_start: datetime
    reset: datetime
    daily: dict[date, int] = field(default_factory=dict)


class QuotaLedger:
    """Counts usage for the providers; thread-safe, share one per process."""

    def __init__(self, services, clock: Callable[[], datetime]):
        self.services = services
        self.redis = services.redis
        self.engine = services.mc_engine
        self.clock = clock
        self._grant = self.redis.register_script(_GRANT)
        self._seed = self.redis.register_script(_SEED)
        self._pending: list[dict] = []  # log rows not yet written (database down)
        self.rows_set_aside = 0  # log rows the database refused (kept in mc_dead_rows)
        self._pending_lock = threading.Lock()

    # -- granting ---------------------------------------------------------------------------
    def grant(
        self, cfg: ProviderConfig, units: int, query_type: str | None, caller: str | None, now: datetime | None = None
    ) -> tuple[bool, int]:
        """Grant `units` if they fit under the limit; log the attempt. Returns (granted, used)."""
        now = now or self.clock()
        start, _ = period_bounds(now, cfg.reset_day)
        key = usage_key(cfg.name, start)
        try:
            for _ in range(3):
                ok, used = self._grant(keys=[key, VERSION_KEY], args=[units, cfg.limit, _day_field(now.date())])
                if ok != -1:
                    break
                self.seed([cfg], now)
            else:
                raise QuotaUnavailable(f"the quota counter of {cfg.name} could not be rebuilt")
        except QuotaUnavailable:
            raise
        except Exception as exc:  # any Redis failure: refuse rather than overrun
            self.services.mark("redis", False, exc)
            raise QuotaUnavailable(f"quota ledger unavailable: {type(exc).__name__}") from exc
        granted, used = ok == 1, int(used)
        self._log(
            dict(
                at=_naive(now),
                provider=cfg.name,
                units=units,
                query_type=query_type,
                caller=(caller or None) and str(caller)[:200],
                granted=granted,
                used_after=used if granted else None,
            )
        )
        return granted, used

    def _log(self, row: dict) -> None:
        with self._pending_lock:
            rows, self._pending = [*self._pending, row], []
        left = self._store(rows)
        if left:
            # Keep the rows: Redis already counted them and the table must catch up later.
            with self._pending_lock:
                self._pending = left + self._pending
            log.warning("quota usage log not written (%d rows pending)", len(left))

    def _store(self, rows: list[dict]) -> list[dict]:
        """Write log rows; returns those to retry (database unreachable). A row the database
        refuses is set aside in mc_dead_rows and counted, never retried ahead of the others."""
        fitted = fit_rows(tables.usage_log, rows)
        left, refused = store_rows(self.engine, tables.usage_log, fitted)
        self.rows_set_aside += refused
        if left:
            self.services.mark("database", False, RuntimeError("quota usage log unwritable"))
        return left

    # -- reading ----------------------------------------------------------------------------
    def usage(self, providers: Iterable[ProviderConfig], now: datetime | None = None) -> dict[str, Usage]:
        """Usage of each provider: one Redis round trip, plus one SQL query if Redis lost keys."""
        now = now or self.clock()
        cfgs = list(providers)
        bounds = {c.name: period_bounds(now, c.reset_day) for c in cfgs}
        keys = []
        for c in cfgs:
            start = bounds[c.name][0]
            keys += [usage_key(c.name, start), usage_key(c.name, previous_period_start(start, c.reset_day))]
        pipe = self.redis.pipeline(transaction=False)
        for k in keys:
            pipe.hgetall(k)
        hashes = dict(zip(keys, pipe.execute()))
        if any(not h for h in hashes.values()):
            missing = [k for k, h in hashes.items() if not h]
            hashes.update(self.seed(cfgs, now, only=set(missing)))
        out = {}
        for c in cfgs:
            start, reset = bounds[c.name]
            current = hashes.get(usage_key(c.name, start)) or {}
            previous = hashes.get(usage_key(c.name, previous_period_start(start, c.reset_day))) or {}
            daily: dict[date, int] = {}
            for h in (previous, current):
                for f, v in h.items():
                    if f.startswith("d:"):
                        daily[datetime.strptime(f[2:], "%Y%m%d").date()] = int(v)
            out[c.name] = Usage(int(current.get("used", 0)), start, reset, daily)
        return out

    def version(self) -> int:
        value = self.redis.get(VERSION_KEY)
        return int(value) if value else 0

    # -- rebuilding from the table ----------------------------------------------------------
    def seed(
        self, providers: Iterable[ProviderConfig], now: datetime, only: set[str] | None = None
    ) -> dict[str, dict[str, str]]:
        """Rebuild the usage hashes (current and previous period) from the table.

        Writes a hash only where Redis still has none; returns {key: hash} as stored. Raises
        QuotaUnavailable when the table cannot be read (counting from zero would overrun).
        """
        cfgs = list(providers)
        periods = {}
        for c in cfgs:
            start, reset = period_bounds(now, c.reset_day)
            prev = previous_period_start(start, c.reset_day)
            periods[c.name] = [(prev, start), (start, reset)]
        since = min(p[0][0] for p in periods.values())
        day = sa.func.date(tables.usage_log.c.at).label("day")
        query = (
            sa.select(tables.usage_log.c.provider, day, sa.func.sum(tables.usage_log.c.units))
            .where(
                tables.usage_log.c.granted.is_(True),
                tables.usage_log.c.at >= _naive(since),
                tables.usage_log.c.provider.in_([c.name for c in cfgs]),
            )
            .group_by(tables.usage_log.c.provider, day)
        )
        try:
            self.flush_pending()
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except Exception as exc:
            self.services.mark("database", False, exc)
            raise QuotaUnavailable(
                f"quota counters lost and the usage log is unreadable: {type(exc).__name__}"
            ) from exc
        by_provider: dict[str, dict[date, int]] = {}
        for provider, d, units in rows:
            d = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
            by_provider.setdefault(provider, {})[d] = int(units or 0)
        stored: dict[str, dict[str, str]] = {}
        for c in cfgs:
            for start, end in periods[c.name]:
                key = usage_key(c.name, start)
                if only is not None and key not in only:
                    continue
                days = {d: u for d, u in by_provider.get(c.name, {}).items() if start.date() <= d < end.date()}
                mapping = {"seeded": now.isoformat(), "used": str(sum(days.values()))}
                mapping.update({_day_field(d): str(u) for d, u in days.items()})
                # Relative to the manager's clock (tests inject one), not Redis's wall clock.
                args = [max(int((end - now).total_seconds()), 0) + KEEP_AFTER_PERIOD_S]
                for f, v in mapping.items():
                    args += [f, v]
                self._seed(keys=[key], args=args)
                stored[key] = self.redis.hgetall(key)
        return stored

    def flush_pending(self) -> None:
        """Write log rows held back while the database was down (before anyone reads it).

        Raises QuotaUnavailable while the database is still unreachable."""
        with self._pending_lock:
            rows, self._pending = self._pending, []
        left = self._store(rows)
        if left:
            with self._pending_lock:
                self._pending = left + self._pending
            raise QuotaUnavailable(f"quota usage log unwritable ({len(left)} rows pending)")

    # -- decisions and events ---------------------------------------------------------------
    def push_decision(self, decision: dict) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.lpush(DECISIONS_KEY, json.dumps(decision, separators=(",", ":")))
        pipe.ltrim(DECISIONS_KEY, 0, DECISIONS_KEPT - 1)
        pipe.incr(VERSION_KEY)
        pipe.execute()

    def decisions(self, limit: int) -> list[dict]:
        return [json.loads(v) for v in self.redis.lrange(DECISIONS_KEY, 0, max(limit, 1) - 1)]

    def mark_exhausted_once(self, cfg: ProviderConfig, now: datetime) -> bool:
        """True the first time a provider is found exhausted in its period."""
        start, reset = period_bounds(now, cfg.reset_day)
        key = f"{PREFIX}exhausted:{cfg.name}:{start:%Y%m%d}"
        return bool(self.redis.set(key, "1", nx=True, ex=max(int((reset - now).total_seconds()), 0) + 86400))

    def record_event(self, event: dict) -> None:
        """Keep an event in Redis (fast reads) and in `mc_quota_events` (survives Redis)."""
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.lpush(EVENTS_KEY, json.dumps(event, separators=(",", ":")))
            pipe.ltrim(EVENTS_KEY, 0, EVENTS_KEPT - 1)
            pipe.incr(VERSION_KEY)
            pipe.execute()
        except Exception as exc:
            self.services.mark("redis", False, exc)
        try:
            row = {
                k: event.get(k)
                for k in ("kind", "provider", "primary_provider", "query_type", "priority", "caller", "message")
            }
            row["at"] = _naive(datetime.fromisoformat(event["at"].replace("Z", "+00:00")))
            with self.engine.begin() as conn:
                conn.execute(tables.events.insert(), row)
        except Exception as exc:
            self.services.mark("database", False, exc)

    def events(self, limit: int) -> list[dict]:
        """Newest first; read back from the table when Redis lost the list."""
        values = self.redis.lrange(EVENTS_KEY, 0, max(limit, 1) - 1)
        if values:
            return [json.loads(v) for v in values]
        t = tables.events
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(t).order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)).mappings().all()
        except Exception:
            return []
        out = []
        for r in rows:
            e = {
                k: r[k] for k in ("kind", "provider", "primary_provider", "query_type", "priority", "caller", "message")
            }
            e["at"] = r["at"].replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
            out.append(e)
        return out

"""QuotaManager: the one object the app, the simulator, the API and the client talk to.

    mgr = QuotaManager(services)                  # providers from settings.quotas (QUOTA_* variables)
    mgr.route("serp_positions", "high")           # {"provider", "reason", "emergency_backup"}
    mgr.consume("serpstack", 1, query_type=..., caller=...)   # {"granted", "used", "remaining"}
    mgr.statuses()                                # the snapshot's `api_quota_statuses`
    mgr.cached_call("technology_stack", {"domain": "x.com"}, fetch)
    mgr.call("dns_history", fetch)                # route + consume + time fetch + record it
    mgr.record("serpstack", ok=False, response_ms=5000)   # an outcome measured elsewhere

It composes the ledger (Redis + mc_ tables), the pure router and forecast rules, and the
response cache, and the call records with their circuit breakers (quotas.calls): a provider
whose breaker is open is passed by in routing, so its fallback stands in for it. `statuses()`
is cheap enough for the producer's every-second tick: two Redis pipelines, plus one SQL query
only when Redis has lost counters.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, UTC
from typing import Any
from collections.abc import Callable, Mapping

from common import metrics
from quotas.cache import ResponseCache
from quotas.calls import CLOSED, HALF_OPEN, OPEN, Breaker, CallRecords, Performance
from quotas.errors import NoQuotaLeft, QuotaUnavailable, UnknownProvider
from quotas.forecast import forecast
from quotas.ledger import VERSION_KEY, QuotaLedger, Usage
from quotas.periods import days_left, iso_utc
from quotas.providers import ProviderConfig, with_demo_keys, with_keys
from quotas.router import choose
from quotas.settings import BreakerSettings

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | float | None) -> datetime | None:
    """An aware UTC datetime from an aware or naive (taken as UTC, like the storage) datetime
    or an epoch number; the producer passes naive UTC."""
    if moment is None:
        return None
    if isinstance(moment, (int, float)):
        return datetime.fromtimestamp(moment, UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# No free tier comes near this; one call never spends more.
MAX_UNITS = 1_000_000
# A response time past this (one day) is a caller's bug, not a measurement.
MAX_RESPONSE_MS = 86_400_000.0


def _check_units(units: Any) -> int:
    # bool is an int in Python; `True` units is a caller bug, not one unit.
    if isinstance(units, bool) or not isinstance(units, int):
        raise ValueError(f"units must be a whole number from 1 to {MAX_UNITS:,}, not {str(units)[:40]!r}")
    if not 1 <= units <= MAX_UNITS:
        # The bound keeps every count storable (the log's units column is a 32-bit integer):
        # a refused 1e29 used to be answered 429 and then poison the usage log.
        raise ValueError(f"units must be a whole number from 1 to {MAX_UNITS:,}, not {str(units)[:40]}")
    return units


class QuotaManager:
    """Counts, routes and forecasts the free-tier API quotas of one deployment."""

    def __init__(
        self,
        services,
        providers: Mapping[str, ProviderConfig] | list[ProviderConfig] | None = None,
        clock: Callable[[], datetime] | None = None,
        breaker: BreakerSettings | None = None,
        demo_keys: bool = False,
    ):
        """`demo_keys`: providers without a real key get a simulated one (the embedded demo,
        whose simulator answers their calls)."""
        self.services = services
        api_keys = services.settings.api_keys
        self.providers: dict[str, ProviderConfig] = with_keys(
            services.settings.quotas.providers if providers is None else providers, api_keys
        )
        if demo_keys:
            self.providers = with_demo_keys(self.providers)
        given = clock or utc_now
        self.clock = lambda: as_utc(given())
        # Measures a call's response time (seconds); a call may pass its own (the simulator's).
        self.timer: Callable[[], float] = time.perf_counter
        self.ledger = QuotaLedger(services, self.clock)
        self.cache = ResponseCache(services.redis)
        self.calls = CallRecords(self.ledger.redis, breaker or services.settings.quotas.breaker, VERSION_KEY)
        # fn(event: dict) for emergency backups and exhaustion (e.g. the alert engine).
        self.listeners: list[Callable[[dict], None]] = []

    # -- counting ---------------------------------------------------------------------------
    def provider(self, name: str) -> ProviderConfig:
        """The configuration of `name`; raises UnknownProvider."""
        try:
            return self.providers[name]
        except (KeyError, TypeError):
            raise UnknownProvider(f"unknown provider {name!r} (known: {', '.join(self.providers)})") from None

    def consume(self, provider: str, units: int = 1, query_type: str | None = None, caller: str | None = None) -> dict:
        """Count `units` against `provider` if they fit under its limit (all or nothing).

        Returns {"granted", "used", "remaining"}. Raises UnknownProvider, ValueError (units <= 0)
        or QuotaUnavailable (Redis down: refusing is safer than overrunning). Usage of a provider
        without a key is counted too: the ledger records what was spent, not what was allowed.
        """
        cfg = self.provider(provider)
        units = _check_units(units)
        now = self.clock()
        granted, used = self.ledger.grant(cfg, units, query_type, caller, now)
        if granted:
            metrics.QUOTA_UNITS.labels(cfg.name).inc(units)
        remaining = max(cfg.limit - used, 0)
        if remaining < cfg.cost_per_call and self.ledger.mark_exhausted_once(cfg, now):
            self._event(
                "exhausted",
                cfg.name,
                now,
                query_type=query_type,
                caller=caller,
                message=f"{cfg.name} used its {cfg.limit} units until {iso_utc(self._reset(cfg, now))}",
            )
        return {"granted": granted, "used": used, "remaining": remaining}

    # -- routing ----------------------------------------------------------------------------
    def route(self, query_type: str, priority: str = "normal", caller: str | None = None) -> dict:
        """Choose a provider; {"provider", "reason", "emergency_backup"}. Raises NoQuotaLeft,
        UnknownQueryType or ValueError (bad priority). Every decision is kept for the page."""
        now = self.clock()
        usage = self.ledger.usage(self.providers.values(), now)
        remaining = {n: max(c.limit - usage[n].used, 0) for n, c in self.providers.items()}
        left = {n: days_left(now, usage[n].reset) for n in self.providers}
        record = {"at": iso_utc(now), "query_type": query_type, "priority": priority, "caller": caller}
        blocked = {
            n: _why_blocked(b) for n, b in self.calls.breakers(self.providers, now.timestamp()).items() if b.blocks
        }
        try:
            # A half-open provider lets one trial call through: whoever loses the claim routes again.
            for _ in range(len(self.providers) + 1):
                decision = choose(self.providers, remaining, left, query_type, priority, blocked)
                if self.calls.claim(decision.provider, now.timestamp()):
                    break
                blocked[decision.provider] = "circuit half-open, its trial call is in flight"
            else:
                raise NoQuotaLeft(f"no provider for {query_type!r} can be called now (circuits open)")
        except NoQuotaLeft as exc:
            self.ledger.push_decision({**record, "provider": None, "reason": str(exc), "emergency_backup": False})
            raise
        self.ledger.push_decision(
            {
                **record,
                "provider": decision.provider,
                "reason": decision.reason,
                "emergency_backup": decision.emergency_backup,
            }
        )
        if decision.emergency_backup:
            self._event(
                "emergency_backup",
                decision.provider,
                now,
                primary_provider=decision.primary,
                query_type=query_type,
                priority=priority,
                caller=caller,
                message=decision.reason,
            )
        return {"provider": decision.provider, "reason": decision.reason, "emergency_backup": decision.emergency_backup}

    def call(
        self,
        query_type: str,
        fetch: Callable[[str], Any],
        priority: str = "normal",
        caller: str | None = None,
        timer: Callable[[], float] | None = None,
    ) -> dict:
        """Route + consume + `fetch(provider)`, timed and recorded (quotas.calls).

        Returns {"result", "provider", "cached": False, "response_time_ms", "emergency_backup"}.
        A `fetch` that raises is recorded as a failed call (it still spent its unit: the call
        was made) and its exception is raised again; enough of them open the provider's
        breaker. `timer` (seconds, default `time.perf_counter`) measures the call.
        """
        timer = timer or self.timer
        # Another caller may take the last unit between route and consume: route again.
        for _ in range(len(self.providers) + 1):
            choice = self.route(query_type, priority, caller)
            cfg = self.providers[choice["provider"]]
            if not self.consume(cfg.name, cfg.cost_per_call, query_type, caller)["granted"]:
                continue
            started = timer()
            try:
                result = fetch(cfg.name)
            except Exception:
                self._record_outcome(cfg.name, False, (timer() - started) * 1000)
                raise
            elapsed_ms = round((timer() - started) * 1000, 3)
            self._record_outcome(cfg.name, True, elapsed_ms)
            return {
                "result": result,
                "provider": cfg.name,
                "cached": False,
                "response_time_ms": elapsed_ms,
                "emergency_backup": choice["emergency_backup"],
            }
        raise NoQuotaLeft(f"quota for {query_type!r} ran out while routing")

    def cached_call(
        self,
        query_type: str,
        params: Any,
        fetch: Callable[[str], Any],
        priority: str = "normal",
        caller: str | None = None,
    ) -> dict:
        """Answer a question from the cache, or `call` the provider the router picks and cache it.

        Returns {"result", "provider", "cached"}; raises NoQuotaLeft when nothing is left. The
        answer must be JSON-serialisable. A failing `fetch` still spent its unit (the call was
        made), counts as a failed call, and is raised again.
        """
        hit = self.cache.get(query_type, params)
        if hit is not None:
            metrics.QUOTA_ANSWERS.labels(str(hit["provider"]), "cache").inc()
            return {"result": hit["result"], "provider": hit["provider"], "cached": True}
        answer = self.call(query_type, fetch, priority, caller)
        cfg = self.providers[answer["provider"]]
        self.cache.put(query_type, params, cfg.name, answer["result"], cfg.cache_ttl_s, iso_utc(self.clock()))
        return {"result": answer["result"], "provider": cfg.name, "cached": False}

    def record(self, provider: str, ok: bool, response_ms: float) -> dict:
        """Count one call's outcome and move the provider's breaker (calls measured elsewhere:
        the HTTP client, which fetches in its own process).

        Returns {"provider", "circuit_breaker_state", "consecutive_failures", "half_open_at"}.
        Raises UnknownProvider, ValueError for a response time that is not a number of
        milliseconds from 0 to a day, or QuotaUnavailable (Redis down). Opening and closing are events (the page lists them).
        """
        cfg = self.provider(provider)
        if not isinstance(ok, bool):
            raise ValueError("ok must be true or false")
        if isinstance(response_ms, bool) or not isinstance(response_ms, (int, float)):
            raise ValueError(f"response_time_ms must be a number, not {str(response_ms)[:40]!r}")
        # NaN compares false and a huge int compares without overflowing (math.isfinite would raise).
        if not 0 <= response_ms <= MAX_RESPONSE_MS:
            raise ValueError(f"response_time_ms must be from 0 to {MAX_RESPONSE_MS:,.0f}, not {str(response_ms)[:40]}")
        now = self.clock()
        try:
            breaker, before = self.calls.record(cfg.name, ok, float(response_ms), now.timestamp())
        except Exception as exc:  # any Redis failure
            self.services.mark("redis", False, exc)
            raise QuotaUnavailable(f"call records unavailable: {type(exc).__name__}") from exc
        if ok:
            metrics.QUOTA_ANSWERS.labels(cfg.name, "provider").inc()
        if breaker.state == OPEN and before != OPEN:
            trial = "a trial call failed, " if before == HALF_OPEN else ""
            self._event(
                "circuit_open",
                cfg.name,
                now,
                message=f"{cfg.name} circuit opened: {trial}{breaker.failures} failed calls in a row; "
                f"calls go to its backup until a trial call at {_iso_epoch(breaker.half_open_at)}",
            )
        elif breaker.state == CLOSED and before == HALF_OPEN:
            self._event("circuit_closed", cfg.name, now, message=f"{cfg.name} circuit closed: a trial call succeeded")
        return {
            "provider": cfg.name,
            "circuit_breaker_state": breaker.state,
            "consecutive_failures": breaker.failures,
            "half_open_at": _iso_epoch(breaker.half_open_at),
        }

    def _record_outcome(self, provider: str, ok: bool, response_ms: float) -> None:
        # The answer (or the caller's exception) matters more than its record: a Redis hiccup
        # here is reported as Redis down, not raised over the call's own outcome.
        try:
            self.record(provider, ok, response_ms)
        except Exception as exc:
            self.services.mark("redis", False, exc)
            log.warning("the outcome of a %s call was not recorded: %s", provider, type(exc).__name__)

    # -- reading ----------------------------------------------------------------------------
    def statuses(self, now: datetime | None = None) -> list[dict]:
        """The contract's `api_quota_statuses`, one dict per provider (configuration order)."""
        now = as_utc(now) or self.clock()
        usage = self.ledger.usage(self.providers.values(), now)
        calls = self.calls.read(self.providers, now.timestamp())
        return [self._status(cfg, usage, calls[cfg.name], now) for cfg in self.providers.values()]

    def _status(
        self, cfg: ProviderConfig, usage: Mapping[str, Usage], calls: tuple[Performance, Breaker], now: datetime
    ) -> dict:
        u = usage[cfg.name]
        perf, breaker = calls
        remaining = max(cfg.limit - u.used, 0)
        backups = [
            (f, self.providers[f].limit - usage[f].used)
            for f in cfg.fallback
            if f in usage
            and self.providers[f].enabled
            and self.providers[f].limit - usage[f].used >= self.providers[f].cost_per_call
        ]
        fc = forecast(
            used=u.used,
            limit=cfg.limit,
            daily=u.daily,
            now=now,
            reset=u.reset,
            enabled=cfg.enabled,
            key_variable=cfg.key_variable,
            cost=cfg.cost_per_call,
            query_types=cfg.query_types,
            backups=backups,
            emergency_only=cfg.emergency_only,
        )
        return {
            "api_name": cfg.name,
            "limit": cfg.limit,
            "used": u.used,
            "remaining": remaining,
            "reset_date": iso_utc(u.reset),
            "percentage_used": round(u.used / cfg.limit * 100, 1) if cfg.limit else 100.0,
            "status": fc.status,
            "predicted_exhaustion_date": iso_utc(fc.predicted_exhaustion),
            "recommended_action": fc.recommended_action,
            "enabled": cfg.enabled,
            "masked_key": cfg.masked_key,
            "burn_rate_short": fc.burn_rate_short,
            "burn_rate_long": fc.burn_rate_long,
            "efficiency": fc.efficiency,
            "query_types": list(cfg.query_types),
            "period_start": iso_utc(u.period_start),
            "days_left": round(days_left(now, u.reset), 2),
            "quality": cfg.quality,
            "cost_per_call": cfg.cost_per_call,
            "cache_ttl_s": cfg.cache_ttl_s,
            "fallback": list(cfg.fallback),
            "emergency_only": cfg.emergency_only,
            "description": cfg.description,
            "simulated": cfg.simulated,
            # The contract's call records, over the last QUOTA_CALL_WINDOW_S seconds.
            "performance": {
                "total_calls": perf.total_calls,
                "successful_calls": perf.successful_calls,
                "average_response_time_ms": float(perf.average_response_time_ms),
                "success_rate": float(perf.success_rate),
                "circuit_breaker_state": breaker.state,
            },
            "circuit_breaker": {
                "state": breaker.state,
                "consecutive_failures": breaker.failures,
                "opened_at": _iso_epoch(breaker.opened_at),
                "half_open_at": _iso_epoch(breaker.half_open_at),
            },
            "calls_window_s": self.calls.settings.window_s,
        }

    def overview(self, now: datetime | None = None, decisions: int = 15, events: int = 10) -> dict:
        """Everything the quota page shows, from one read of the counters:
        {"now", "statuses", "history", "decisions", "events"}."""
        now = as_utc(now) or self.clock()
        usage = self.ledger.usage(self.providers.values(), now)
        calls = self.calls.read(self.providers, now.timestamp())
        return {
            "now": iso_utc(now),
            "statuses": [self._status(c, usage, calls[c.name], now) for c in self.providers.values()],
            "history": self.usage_history(now, usage),
            "decisions": self.recent_decisions(decisions),
            "events": self.recent_events(events),
        }

    def usage_history(self, now: datetime | None = None, usage: Mapping[str, Usage] | None = None) -> dict[str, dict]:
        """Per provider: {"period_start", "reset", "limit", "daily": {date ISO: units}} of the
        current period, for the burn-down chart."""
        now = as_utc(now) or self.clock()
        usage = usage if usage is not None else self.ledger.usage(self.providers.values(), now)
        out = {}
        for name, u in usage.items():
            daily = {d.isoformat(): v for d, v in sorted(u.daily.items()) if d >= u.period_start.date()}
            out[name] = {
                "period_start": iso_utc(u.period_start),
                "reset": iso_utc(u.reset),
                "limit": self.providers[name].limit,
                "daily": daily,
            }
        return out

    def recent_decisions(self, limit: int = 20) -> list[dict]:
        """The router's latest decisions, newest first (refusals have provider None)."""
        return self.ledger.decisions(limit)

    def recent_events(self, limit: int = 20) -> list[dict]:
        """Emergency backup switches, exhaustions and breakers opening or closing, newest first."""
        return self.ledger.events(limit)

    def version(self) -> int:
        """Grows on every grant, decision and event: cheap change detection for viewers."""
        return self.ledger.version()

    # -- internals --------------------------------------------------------------------------
    def _reset(self, cfg: ProviderConfig, now: datetime) -> datetime:
        from quotas.periods import period_bounds

        return period_bounds(now, cfg.reset_day)[1]

    def _event(self, kind: str, provider: str, now: datetime, **fields) -> None:
        event = {
            "at": iso_utc(now),
            "kind": kind,
            "provider": provider,
            "primary_provider": None,
            "query_type": None,
            "priority": None,
            "caller": None,
            "message": None,
        }
        event.update(fields)
        self.ledger.record_event(event)
        log.warning("quota %s: %s", kind, event.get("message"))
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not break counting
                log.exception("quota event listener failed")


def _iso_epoch(seconds: float | None) -> str | None:
    return None if seconds is None else iso_utc(datetime.fromtimestamp(seconds, UTC))


def _why_blocked(breaker: Breaker) -> str:
    """What a routing decision says about a provider its breaker keeps out."""
    if breaker.state == HALF_OPEN:
        return "circuit half-open, its trial call is in flight"
    return (
        f"circuit open after {breaker.failures} failed calls in a row "
        f"(trial call at {_iso_epoch(breaker.half_open_at)})"
    )

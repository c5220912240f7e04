"""Burn rates, exhaustion dates, status, recommended action and efficiency: pure functions.

Inputs are a provider's daily usage (`{date: units}`, UTC days), its used/limit and the clock;
nothing here touches Redis or SQL, so every rule is tested on known series.

Rules (one place, so the page and the API agree):
- burn rate over a window of N days = units in the last N calendar days (today included)
  divided by the time those days cover so far: N-1 whole days plus the elapsed part of today.
- the projection uses the higher of the short and long rates: a recent surge must show up at
  once, and a quiet afternoon must not hide a heavy week.
- Critical: exhausted, >= CRITICAL_PERCENT used, or exhaustion predicted within
  CRITICAL_DAYS (and before the reset). Warning: >= WARNING_PERCENT used or exhaustion
  predicted before the reset. OK otherwise.
- efficiency: the share of the free tier projected to be used by the reset, capped at 100 %
  (the ledger never lets usage pass the limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC
from collections.abc import Mapping, Sequence

SHORT_WINDOW_DAYS = 3
LONG_WINDOW_DAYS = 14
WARNING_PERCENT = 75.0
CRITICAL_PERCENT = 90.0
CRITICAL_DAYS = 3.0
UNDERUSED_PERCENT = 50.0

# Words people use for a query type in a recommendation.
QUERY_LABELS = {
    "serp_positions": "SERP checks",
    "javascript_render": "JavaScript renders",
    "contact_discovery": "contact lookups",
    "technology_stack": "technology lookups",
    "company_enrichment": "enrichment lookups",
    "dns_history": "DNS lookups",
    "subdomains": "subdomain lookups",
}


@dataclass(frozen=True)
class Forecast:
    burn_rate_short: float
    burn_rate_long: float
    projected_rate: float
    predicted_exhaustion: datetime | None
    status: str
    recommended_action: str
    efficiency: float
    projected_end_usage: float


def burn_rate(daily: Mapping[date, int], now: datetime, window_days: int) -> float:
    """Units per day over the last `window_days` calendar days ending today (see module doc)."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=window_days - 1)
    units = sum(v for d, v in daily.items() if first <= d <= today)
    midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
    elapsed_today = max((now - midnight).total_seconds() / 86400.0, 1 / 24)
    return units / ((window_days - 1) + elapsed_today)


def exhaustion_time(remaining: float, rate: float, now: datetime, reset: datetime) -> datetime | None:
    """When the quota runs out at `rate`/day, or None when it lasts until the reset."""
    if remaining <= 0:
        return now
    if rate <= 0:
        return None
    when = now + timedelta(days=remaining / rate)
    return when if when < reset else None


def _label(query_types: Sequence[str]) -> str:
    return QUERY_LABELS.get(query_types[0], f"{query_types[0]} calls") if query_types else "calls"


def recommend(
    *,
    enabled: bool,
    key_variable: str,
    remaining: int,
    cost: int,
    exhaustion: datetime | None,
    projected_end: float,
    limit: int,
    now: datetime,
    reset: datetime,
    query_types: Sequence[str],
    backups: Sequence[tuple[str, int]],
    emergency_only: bool = False,
) -> str:
    """One sentence saying what to do; `backups` are (fallback name, remaining) with room."""
    reset_day = reset.strftime("%d %b")
    label = _label(query_types)
    if not enabled:
        return f"set {key_variable} to enable this provider"
    if remaining < cost:
        if backups:
            return f"exhausted: {label} go to {backups[0][0]} until the reset on {reset_day}"
        return f"exhausted: hold {label} until the reset on {reset_day}"
    safe = remaining / max((reset - now).total_seconds() / 86400.0, 1 / 24)
    if exhaustion is not None:
        if backups:
            return f"switch low-priority {label} to {backups[0][0]} (or reduce usage to {safe:.1f}/day)"
        return f"reduce usage to {safe:.1f}/day to last until {reset_day}"
    if emergency_only:
        # A backup is meant to sit unused; low use is the goal, not waste.
        return f"standby backup: {remaining:,} left for emergencies"
    if limit > 0 and projected_end / limit * 100 < UNDERUSED_PERCENT:
        return f"under-used: room for {safe:.1f} calls/day until {reset_day}"
    return "no action needed"


def forecast(
    *,
    used: int,
    limit: int,
    daily: Mapping[date, int],
    now: datetime,
    reset: datetime,
    enabled: bool = True,
    key_variable: str = "",
    cost: int = 1,
    query_types: Sequence[str] = (),
    backups: Sequence[tuple[str, int]] = (),
    emergency_only: bool = False,
    short_days: int = SHORT_WINDOW_DAYS,
    long_days: int = LONG_WINDOW_DAYS,
) -> Forecast:
    """The full forecast of one provider for its current period."""
    short = burn_rate(daily, now, short_days)
    long = burn_rate(daily, now, long_days)
    rate = max(short, long)
    remaining = max(limit - used, 0)
    exhaustion = exhaustion_time(remaining if remaining >= cost else 0, rate, now, reset)
    days = max((reset - now).total_seconds() / 86400.0, 0.0)
    projected_end = min(used + rate * days, float(limit))
    percent = used / limit * 100 if limit > 0 else 100.0
    if (
        remaining < cost
        or percent >= CRITICAL_PERCENT
        or (exhaustion is not None and exhaustion - now <= timedelta(days=CRITICAL_DAYS))
    ):
        status = "Critical"
    elif percent >= WARNING_PERCENT or exhaustion is not None:
        status = "Warning"
    else:
        status = "OK"
    action = recommend(
        enabled=enabled,
        key_variable=key_variable,
        remaining=remaining,
        cost=cost,
        exhaustion=exhaustion,
        projected_end=projected_end,
        limit=limit,
        now=now,
        reset=reset,
        query_types=query_types,
        backups=backups,
        emergency_only=emergency_only,
    )
    efficiency = projected_end / limit * 100 if limit > 0 else 0.0
    return Forecast(
        round(short, 2), round(long, 2), rate, exhaustion, status, action, round(efficiency, 1), projected_end
    )

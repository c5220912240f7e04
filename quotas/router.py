"""The free-tier router's decision rule, as a pure function over the providers' quota state.

- `high` priority: the best-quality (lowest rank) enabled provider with quota left.
- `normal` / `low`: the provider with the largest daily allowance (remaining quota divided by
  the days left in its own period), so providers with different reset days burn evenly.
- Emergency-only providers (valueserp) are never chosen first. When no primary provider has
  quota left (exhausted or without a key), the primaries' fallback chains are walked in order
  and the first with quota wins: an emergency backup.
- A provider in `blocked` (its circuit breaker is open: see quotas.calls) is passed by like an
  exhausted one, so its fallback stands in for it and the decision says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping

from quotas.errors import NoQuotaLeft, UnknownQueryType
from quotas.providers import ProviderConfig

PRIORITIES = ("high", "normal", "low")


@dataclass(frozen=True)
class Decision:
    provider: str
    reason: str
    emergency_backup: bool = False
    primary: str | None = None  # the provider the backup stands in for


def choose(
    providers: Mapping[str, ProviderConfig],
    remaining: Mapping[str, int],
    days_left: Mapping[str, float],
    query_type: str,
    priority: str = "normal",
    blocked: Mapping[str, str] | None = None,
) -> Decision:
    """Pick a provider for `query_type`; raises UnknownQueryType / NoQuotaLeft / ValueError.

    `blocked`: provider -> why it must not be called now (e.g. "circuit open until 12:00:30Z").
    """
    blocked = blocked or {}
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}, not {priority!r}")
    serving = [p for p in providers.values() if query_type in p.query_types]
    if not serving:
        known = sorted({q for p in providers.values() for q in p.query_types})
        raise UnknownQueryType(f"no provider serves query type {query_type!r} (known: {', '.join(known)})")

    def has_quota(p: ProviderConfig) -> bool:
        return p.enabled and remaining.get(p.name, 0) >= p.cost_per_call

    def callable_now(p: ProviderConfig) -> bool:
        return has_quota(p) and p.name not in blocked

    def why_not(p: ProviderConfig) -> str:
        if p.name in blocked and has_quota(p):
            return blocked[p.name]
        return "exhausted" if p.enabled else "has no API key"

    primaries = sorted((p for p in serving if not p.emergency_only), key=lambda p: (p.quality, p.name))
    ready = [p for p in primaries if callable_now(p)]
    if ready:
        # A primary passed by for its breaker is named, so the decision says why it was not used.
        skipped = "".join(f"; skipped {p.name}: {blocked[p.name]}" for p in primaries if p.name in blocked)
        if priority == "high":
            best = min(ready, key=lambda p: (p.quality, -remaining[p.name], p.name))
            return Decision(
                best.name,
                f"high priority: best quality with quota left (rank {best.quality}, {remaining[best.name]} left)"
                + skipped,
            )
        allowance = {p.name: remaining[p.name] / max(days_left.get(p.name, 1.0), 1 / 24) for p in ready}
        best = max(ready, key=lambda p: (allowance[p.name], -p.quality, p.name))
        return Decision(
            best.name,
            f"{priority} priority: largest daily allowance "
            f"({remaining[best.name]} left over {days_left.get(best.name, 1.0):.1f} days "
            f"= {allowance[best.name]:.1f}/day)" + skipped,
        )
    for primary in primaries or serving:
        for name in primary.fallback:
            backup = providers.get(name)
            if backup is not None and query_type in backup.query_types and callable_now(backup):
                why = why_not(primary)
                return Decision(
                    backup.name,
                    f"emergency backup: {primary.name} {why}, {backup.name} has {remaining[backup.name]} left",
                    True,
                    primary.name,
                )
    if not any(p.enabled for p in serving):
        names = ", ".join(p.name for p in serving)
        raise NoQuotaLeft(f"no provider for {query_type!r} has an API key (set one for {names})")
    stopped = [f"{p.name} {blocked[p.name]}" for p in serving if p.name in blocked and has_quota(p)]
    if stopped:
        raise NoQuotaLeft(f"no provider for {query_type!r} can be called now: {'; '.join(stopped)}")
    raise NoQuotaLeft(f"every provider for {query_type!r} is out of quota until its reset")

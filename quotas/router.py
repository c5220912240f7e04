"""The free-tier router's decision rule, as a pure function over the providers' quota state.

- `high` priority: the best-quality (lowest rank) enabled provider with quota left.
- `normal` / `low`: the provider with the largest daily allowance (remaining quota divided by
  the days left in its own period), so providers with different reset days burn evenly.
- Emergency-only providers (valueserp) are never chosen first. When no primary provider has
  quota left (exhausted or without a key), the primaries' fallback chains are walked in order
  and the first with quota wins: an emergency backup.
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
) -> Decision:
    """Pick a provider for `query_type`; raises UnknownQueryType / NoQuotaLeft / ValueError."""
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}, not {priority!r}")
    serving = [p for p in providers.values() if query_type in p.query_types]
    if not serving:
        known = sorted({q for p in providers.values() for q in p.query_types})
        raise UnknownQueryType(f"no provider serves query type {query_type!r} (known: {', '.join(known)})")

    def has_quota(p: ProviderConfig) -> bool:
        return p.enabled and remaining.get(p.name, 0) >= p.cost_per_call

    primaries = sorted((p for p in serving if not p.emergency_only), key=lambda p: (p.quality, p.name))
    ready = [p for p in primaries if has_quota(p)]
    if ready:
        if priority == "high":
            best = min(ready, key=lambda p: (p.quality, -remaining[p.name], p.name))
            return Decision(
                best.name,
                f"high priority: best quality with quota left (rank {best.quality}, {remaining[best.name]} left)",
            )
        allowance = {p.name: remaining[p.name] / max(days_left.get(p.name, 1.0), 1 / 24) for p in ready}
        best = max(ready, key=lambda p: (allowance[p.name], -p.quality, p.name))
        return Decision(
            best.name,
            f"{priority} priority: largest daily allowance "
            f"({remaining[best.name]} left over {days_left.get(best.name, 1.0):.1f} days "
            f"= {allowance[best.name]:.1f}/day)",
        )
    for primary in primaries or serving:
        for name in primary.fallback:
            backup = providers.get(name)
            if backup is not None and query_type in backup.query_types and has_quota(backup):
                why = "exhausted" if primary.enabled else "has no API key"
                return Decision(
                    backup.name,
                    f"emergency backup: {primary.name} {why}, {backup.name} has {remaining[backup.name]} left",
                    True,
                    primary.name,
                )
    if not any(p.enabled for p in serving):
        names = ", ".join(p.name for p in serving)
        raise NoQuotaLeft(f"no provider for {query_type!r} has an API key (set one for {names})")
    raise NoQuotaLeft(f"every provider for {query_type!r} is out of quota until its reset")

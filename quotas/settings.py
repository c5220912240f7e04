"""The `quotas` section of `config.Settings`: every provider's configuration after the
`QUOTA_<NAME>_<FIELD>` overrides (see quotas.providers), built and validated once by
`config.load_settings`. Pure data: the API keys are applied by the QuotaManager from
`Settings.api_keys`, so the providers here are all disabled and carry no key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from quotas.providers import DEFAULT_PROVIDERS, ProviderConfig


@dataclass(frozen=True)
class BreakerSettings:
    """`QUOTA_BREAKER_FAILURES`, `QUOTA_BREAKER_COOLDOWN_S`, `QUOTA_BREAKER_TRIAL_S`, `QUOTA_CALL_WINDOW_S`."""

    failures: int = 3  # consecutive failed calls that open a provider's breaker
    cooldown_s: float = 30.0  # how long it stays open before one trial call may go
    trial_s: float = 30.0  # how long a trial call holds the half-open slot without an answer
    window_s: int = 3600  # the rolling window of the call records


def _defaults() -> dict[str, ProviderConfig]:
    return {p.name: p for p in DEFAULT_PROVIDERS}


@dataclass(frozen=True)
class QuotaSettings:
    # name -> configuration, in the order the quota page and the snapshot list them.
    providers: Mapping[str, ProviderConfig] = field(default_factory=_defaults)
    # Call records and circuit breakers (QUOTA_BREAKER_* and QUOTA_CALL_WINDOW_S).
    breaker: BreakerSettings = field(default_factory=BreakerSettings)

"""The `quotas` section of `config.Settings`: every provider's configuration after the
`QUOTA_<NAME>_<FIELD>` overrides (see quotas.providers), built and validated once by
`config.load_settings`. Pure data: the API keys are applied by the QuotaManager from
`Settings.api_keys`, so the providers here are all disabled and carry no key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from quotas.providers import DEFAULT_PROVIDERS, ProviderConfig


def _defaults() -> dict[str, ProviderConfig]:
    return {p.name: p for p in DEFAULT_PROVIDERS}


@dataclass(frozen=True)
class QuotaSettings:
    # name -> configuration, in the order the quota page and the snapshot list them.
    providers: Mapping[str, ProviderConfig] = field(default_factory=_defaults)

"""The free-tier API providers Link Profiler calls, with their defaults.

Each provider's limit, reset day, query types, quality rank (1 = best), cost per call (quota
units one call uses), response-cache lifetime and fallback chain can be overridden with
`QUOTA_<NAME>_<FIELD>` variables (e.g. `QUOTA_SERPSTACK_LIMIT=5000`); `config.load_settings`
reads them into `Settings.quotas` (see quotas.settings). A provider is *enabled* when
`Settings.api_keys` holds its key; the key itself never leaves this module except masked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

DAY_S = 86400

# The variable holding each provider's API key; a provider is enabled when its key is set.
API_KEY_VARIABLES = {
    "serpstack": "SERPSTACK_API_KEY",
    "valueserp": "VALUESERP_API_KEY",
    "webscraping_ai": "WEBSCRAPING_AI_API_KEY",
    "hunter_io": "HUNTER_IO_API_KEY",
    "builtwith": "BUILTWITH_API_KEY",
    "clearbit": "CLEARBIT_API_KEY",
    "securitytrails": "SECURITYTRAILS_API_KEY",
}


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    limit: int
    reset_day: int = 1
    query_types: tuple[str, ...] = ()
    quality: int = 1  # rank: 1 is the best answer quality
    cost_per_call: int = 1  # quota units one call consumes
    cache_ttl_s: int = DAY_S
    fallback: tuple[str, ...] = ()  # tried in order when this provider is exhausted
    emergency_only: bool = False  # used only as somebody's fallback, never chosen first
    description: str = ""
    enabled: bool = False
    masked_key: str | None = None
    simulated: bool = False  # enabled by the demo's simulated key, not a real one

    @property
    def key_variable(self) -> str:
        return API_KEY_VARIABLES.get(self.name, f"{self.name.upper()}_API_KEY")


DEFAULT_PROVIDERS: tuple[ProviderConfig, ...] = (
    ProviderConfig(
        "serpstack",
        1000,
        query_types=("serp_positions",),
        quality=1,
        fallback=("valueserp",),
        description="SERP positions",
    ),
    ProviderConfig(
        "valueserp",
        100,
        query_types=("serp_positions",),
        quality=2,
        emergency_only=True,
        description="backup SERP, emergencies only",
    ),
    ProviderConfig(
        "webscraping_ai", 1000, query_types=("javascript_render",), quality=1, description="JavaScript-heavy pages"
    ),
    ProviderConfig(
        "hunter_io",
        50,
        query_types=("contact_discovery",),
        quality=1,
        cache_ttl_s=30 * DAY_S,
        description="contact discovery for high-value prospects",
    ),
    ProviderConfig(
        "builtwith",
        200,
        query_types=("technology_stack",),
        quality=1,
        cache_ttl_s=90 * DAY_S,
        description="technology stack",
    ),
    ProviderConfig(
        "clearbit",
        50,
        query_types=("company_enrichment", "technology_stack"),
        quality=2,
        cache_ttl_s=30 * DAY_S,
        description="company enrichment",
    ),
    ProviderConfig(
        "securitytrails",
        50,
        query_types=("dns_history", "subdomains"),
        quality=1,
        cache_ttl_s=7 * DAY_S,
        description="DNS history and subdomains",
    ),
)


def mask_key(key: str | None) -> str | None:
    """'••••' plus the last four characters; short keys show nothing of themselves."""
    if not key:
        return None
    return "••••" + (key[-4:] if len(key) >= 8 else "")


def with_keys(
    providers: Mapping[str, ProviderConfig] | list[ProviderConfig], api_keys: Mapping[str, str]
) -> dict[str, ProviderConfig]:
    """Providers given explicitly (tests, embedding): enabled/masked from `api_keys` when the
    caller did not set `enabled` itself."""
    items = providers.values() if isinstance(providers, Mapping) else providers
    out = {}
    for cfg in items:
        key = api_keys.get(cfg.name)
        if key and not cfg.enabled:
            cfg = dataclasses.replace(cfg, enabled=True, masked_key=mask_key(key))
        out[cfg.name] = cfg
    return out


SIMULATED_KEY = "simulated"


def with_demo_keys(providers: Mapping[str, ProviderConfig]) -> dict[str, ProviderConfig]:
    """The embedded demo's providers: each one without a real key gets a simulated one (its
    calls are answered by the simulator, never sent), marked as such wherever it is shown."""
    return {
        name: cfg if cfg.enabled else dataclasses.replace(cfg, enabled=True, masked_key=SIMULATED_KEY, simulated=True)
        for name, cfg in providers.items()
    }

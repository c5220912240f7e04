"""The free-tier API providers Link Profiler calls, with defaults and environment overrides.

Each provider's limit, reset day, query types, quality rank (1 = best), cost per call (quota
units one call uses), response-cache lifetime and fallback chain can be overridden with
`QUOTA_<NAME>_<FIELD>` variables (e.g. `QUOTA_SERPSTACK_LIMIT=5000`), read like every other
setting: environment, then `.env`, then the `LP_` fallback. A provider is *enabled* when
`Settings.api_keys` holds its key; the key itself never leaves this module except masked.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from collections.abc import Mapping

from config import API_KEY_VARIABLES, ConfigError, EnvSource

DAY_S = 86400


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


def _names(value: str) -> tuple[str, ...]:
    return tuple(v.strip().lower() for v in value.split(",") if v.strip())


def load_providers(
    api_keys: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike | None = ".env",
) -> dict[str, ProviderConfig]:
    """The configured providers by name: defaults, then `QUOTA_<NAME>_*` overrides.

    Fields: LIMIT, RESET_DAY (1-31), QUALITY, COST, CACHE_DAYS, QUERY_TYPES and FALLBACK
    (comma lists), EMERGENCY_ONLY (bool). Raises `ConfigError` naming the variable.
    """
    src = EnvSource.load(environ, dotenv_path)
    providers: dict[str, ProviderConfig] = {}
    for base in DEFAULT_PROVIDERS:
        p = f"QUOTA_{base.name.upper()}_"
        changes = dict(
            limit=src.integer(p + "LIMIT", base.limit, 0),
            reset_day=src.integer(p + "RESET_DAY", base.reset_day, 1, 31),
            quality=src.integer(p + "QUALITY", base.quality, 1, 100),
            cost_per_call=src.integer(p + "COST", base.cost_per_call, 1),
            cache_ttl_s=src.integer(p + "CACHE_DAYS", base.cache_ttl_s // DAY_S, 0) * DAY_S,
            emergency_only=src.boolean(p + "EMERGENCY_ONLY", base.emergency_only),
        )
        if (qt := src.get(p + "QUERY_TYPES")) is not None:
            changes["query_types"] = _names(qt)
        if (fb := src.get(p + "FALLBACK")) is not None:
            changes["fallback"] = _names(fb)
        key = api_keys.get(base.name)
        providers[base.name] = dataclasses.replace(base, **changes, enabled=bool(key), masked_key=mask_key(key))
    for cfg in providers.values():
        unknown = [f for f in cfg.fallback if f not in providers or f == cfg.name]
        if unknown:
            raise ConfigError(f"QUOTA_{cfg.name.upper()}_FALLBACK names an unknown provider: {', '.join(unknown)}")
    return providers


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

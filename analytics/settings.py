"""Tunables of the analysis pages, from environment variables.

Why not `config.Settings`: these are read only by the analytics package (same reasoning as
`alerts.settings`). Same precedence as config.py: environment, `.env`, then `LP_` fallback.

| variable | default | meaning |
|---|---|---|
| MC_TRACKED_DOMAINS | — | comma list; empty = the most frequent target of completed jobs |
| MC_COMPETITOR_DOMAINS | ALERT_COMPETITOR_DOMAINS | comma list; empty = the other targets of completed jobs |
| DOMAIN_VALUE_WEIGHTS | see scoring.domain_value | `authority=0.3,trust=0.15,...`, normalised to sum 1 |
| MC_HIGH_AUTHORITY | 70 | authority from which a new link is a "high-authority find" |
| MC_ROLLUP_LATE_S | 3600 | how late a row may commit and still be counted (re-scan overlap) |
| MC_DOMAIN_VALUE_REFRESH_S | 600 | how often the domain value table is recomputed |
| MC_CRAWL_TARGET_CONCURRENCY | 2 | requests in flight per site the recommended delay aims at |
| MC_CRAWL_DELAY_MIN / MC_CRAWL_DELAY_MAX | 0.5 / 30 | bounds of the recommended delay (s) |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from config import ConfigError, EnvSource
from scoring.domain_value import DEFAULT_WEIGHTS, parse_weights


@dataclass(frozen=True)
class AnalyticsSettings:
    tracked_domains: tuple[str, ...] = ()
    competitor_domains: tuple[str, ...] = ()
    value_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    high_authority: float = 70.0
    late_s: float = 3600.0
    domain_value_refresh_s: float = 600.0
    target_concurrency: float = 2.0
    delay_min_s: float = 0.5
    delay_max_s: float = 30.0


def _domains(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(d.strip().lower() for d in (text or "").split(",") if d.strip()))


def load_analytics_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: str | None = ".env"
) -> AnalyticsSettings:
    """`AnalyticsSettings` from `environ` (default `os.environ`) and `.env`; raises `ConfigError`."""
    src = EnvSource.load(environ, dotenv_path)
    base = AnalyticsSettings()
    try:
        weights = parse_weights(src.text("DOMAIN_VALUE_WEIGHTS"))
    except ValueError as exc:
        raise ConfigError(f"DOMAIN_VALUE_WEIGHTS: {exc}") from None
    delay_min = src.number("MC_CRAWL_DELAY_MIN", base.delay_min_s)
    delay_max = src.number("MC_CRAWL_DELAY_MAX", base.delay_max_s)
    if delay_max < delay_min:
        raise ConfigError(f"MC_CRAWL_DELAY_MAX={delay_max} must be at least MC_CRAWL_DELAY_MIN={delay_min}")
    return AnalyticsSettings(
        tracked_domains=_domains(src.text("MC_TRACKED_DOMAINS")),
        competitor_domains=_domains(src.text("MC_COMPETITOR_DOMAINS") or src.text("ALERT_COMPETITOR_DOMAINS")),
        value_weights=weights,
        high_authority=src.number("MC_HIGH_AUTHORITY", base.high_authority),
        late_s=src.number("MC_ROLLUP_LATE_S", base.late_s),
        domain_value_refresh_s=src.number("MC_DOMAIN_VALUE_REFRESH_S", base.domain_value_refresh_s),
        target_concurrency=src.number("MC_CRAWL_TARGET_CONCURRENCY", base.target_concurrency, 0.1),
        delay_min_s=delay_min,
        delay_max_s=delay_max,
    )

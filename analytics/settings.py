"""Tunables of the analysis pages: the `analytics` section of `config.Settings`.

`config.load_settings` builds it from these variables (same precedence as every setting:
environment, `.env`, then `LP_` fallback) and validates it at start-up; this module is pure data.

| variable | default | meaning |
|---|---|---|
| MC_TRACKED_DOMAINS | — | comma list; empty = the most frequent target of completed jobs |
| MC_COMPETITOR_DOMAINS | ALERT_COMPETITOR_DOMAINS | comma list; empty = the other targets of completed jobs |
| DOMAIN_VALUE_WEIGHTS | see scoring.domain_value | `authority=0.3,trust=0.15,...`, normalised to sum 1 |
| MC_HIGH_AUTHORITY | 70 | authority from which a new link is a "high-authority find" |
| MC_ROLLUP_LATE_S | 3600 | how late a row may commit and still be counted (re-scan overlap) |
| MC_DOMAIN_VALUE_REFRESH_S | 600 | how often the domain value table is recomputed |
| MC_ROLLUP_CHUNK_LINKS | 250000 | links per chunk of a full rollup build (whole days; bounds its memory); 0 = one pass |
| MC_CRAWL_TARGET_CONCURRENCY | 2 | requests in flight per site the recommended delay aims at |
| MC_CRAWL_DELAY_MIN / MC_CRAWL_DELAY_MAX | 0.5 / 30 | bounds of the recommended delay (s) |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from scoring.domain_value import DEFAULT_WEIGHTS


@dataclass(frozen=True)
class AnalyticsSettings:
    tracked_domains: tuple[str, ...] = ()
    competitor_domains: tuple[str, ...] = ()
    value_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    high_authority: float = 70.0
    late_s: float = 3600.0
    domain_value_refresh_s: float = 600.0
    rollup_chunk_links: int = 250_000
    target_concurrency: float = 2.0
    delay_min_s: float = 0.5
    delay_max_s: float = 30.0

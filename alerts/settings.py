"""Tunables of the alert engine: rule thresholds, severities, pending periods and delivery.

`AlertSettings` is the `alerts` section of `config.Settings`: `config.load_settings` builds it
from the `ALERT_*` environment variables (same precedence as every setting: environment, `.env`,
`LP_` fallback) and validates it with the rest at start-up; tests build it directly. This module
is pure data: it reads no environment. Each built-in rule has a `RuleSettings` (enabled, threshold, severity, pending
period); a rule can be tuned with `ALERT_<RULE>_THRESHOLD`, `_SEVERITY`, `_FOR` (seconds),
`_ENABLED`, e.g. `ALERT_QUEUE_OVERFLOW_THRESHOLD=5000`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

SEVERITIES = ("critical", "warning", "info")


@dataclass(frozen=True)
class RuleSettings:
    """One built-in rule: `threshold` (its meaning is per rule), `severity`, `for_s` = how long
    the condition must hold before the alert fires (the pending period)."""

    enabled: bool = True
    threshold: float = 0.0
    severity: str = "warning"
    for_s: float = 0.0


# name -> defaults. Thresholds: satellite_failure = heartbeat age in s (0 = the app's
# SATELLITE_HEARTBEAT_TIMEOUT); queue_overflow = depth; quota_* unused; high_authority_backlink =
# authority; competitor_surge = new links / 24 h; negative_seo = spam links in the window as a
# multiple of the domain's own baseline; lost_backlinks = lost links per target domain in the
# window; job_failure unused; stalled_job = seconds without progress.
DEFAULT_RULES: dict[str, RuleSettings] = {
    "satellite_failure": RuleSettings(threshold=0, severity="critical"),
    "queue_overflow": RuleSettings(threshold=1000, severity="warning"),
    "quota_predicted": RuleSettings(severity="warning"),
    "quota_exhausted": RuleSettings(severity="critical"),
    "high_authority_backlink": RuleSettings(threshold=70, severity="info"),
    "competitor_surge": RuleSettings(threshold=50, severity="warning"),
    "negative_seo": RuleSettings(threshold=5, severity="critical"),
    "lost_backlinks": RuleSettings(threshold=10, severity="warning"),
    "job_failure": RuleSettings(severity="warning"),
    "stalled_job": RuleSettings(threshold=900, severity="warning"),
}


@dataclass(frozen=True)
class AlertSettings:
    rules: Mapping[str, RuleSettings] = field(default_factory=lambda: dict(DEFAULT_RULES))
    # Backlink rules (SQL on `backlinks`) run at most this often; results are cached between runs.
    backlink_interval_s: float = 60.0
    # Job-event queries (failed jobs, Link Profiler job_status_change rules) run at most this often.
    job_interval_s: float = 2.0
    # How often Link Profiler's alert_rules table is re-read (Link Profiler itself uses 300 s).
    lp_rules_refresh_s: float = 60.0
    # One-shot events (a job failed, a new link) stay listed as firing this long, then expire.
    event_hold_s: float = 3600.0
    # Windows of the backlink rules.
    spam_window_s: float = 3600.0
    spam_baseline_days: int = 7
    spam_min_links: int = 20
    lost_window_s: float = 3600.0
    # Lifecycle.
    repeat_interval_s: float = 4 * 3600.0
    flap_window_s: float = 600.0
    flap_threshold: int = 4  # state changes within the window that make an alert "flapping"
    # Delivery.
    delivery_lease_s: float = 60.0
    delivery_timeout_s: float = 10.0
    retry_base_s: float = 1.0
    retry_max_s: float = 300.0
    delivery_max_age_s: float = 24 * 3600.0
    delivery_poll_s: float = 1.0
    competitor_domains: tuple[str, ...] = ()

    def rule(self, name: str) -> RuleSettings:
        return self.rules.get(name) or DEFAULT_RULES.get(name) or RuleSettings()

    def with_rule(self, name: str, **changes) -> AlertSettings:
        """A copy with rule `name` changed (tests and the benchmark)."""
        rules = dict(self.rules)
        rules[name] = dataclasses.replace(self.rule(name), **changes)
        return dataclasses.replace(self, rules=rules)

"""What a rule reports: a `Condition` that is true now, identified by its fingerprint.

Rules are pure functions from data to a list of conditions; the lifecycle turns the set of
true conditions into pending / firing / resolved alerts and notices. A fingerprint is stable
for "the same problem" (the same satellite down, the same quota exhausted), so a condition
seen on every tick is one alert, not one per tick.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

# Channel names as Link Profiler spells them in alert_rules.channels.
ALL_CHANNELS = ("slack", "email", "webhook")
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def jsonable(value):
    """`value` as plain JSON types (numpy numbers, datetimes and the like become JSON / text)."""
    return json.loads(json.dumps(value, default=_plain))


def _plain(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def fingerprint(*parts) -> str:
    """A short stable id from the parts that identify one problem."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


@dataclass
class Condition:
    """One alert condition that holds now.

    `rule`: the rule that produced it (built-in name or "lp_rule:<id>"); `type`: the contract's
    alert type; `one_shot`: an event (a job failed, a link appeared) that fires once and
    expires silently after the hold window, with no repeat and no resolve notice; `channels`:
    where its notices go (None = every configured channel); `for_s`: its pending period;
    `anomaly`: the anomaly type Link Profiler's anomaly_detected rules may match.
    """

    fingerprint: str
    rule: str
    type: str
    severity: str
    message: str
    recommended_action: str = ""
    affected_jobs: list[str] = field(default_factory=list)
    affected_satellites: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    one_shot: bool = False
    channels: tuple[str, ...] | None = None
    for_s: float = 0.0
    anomaly: str | None = None
    target: str | None = None  # what Link Profiler's target_url_pattern is matched against
    recipients: tuple[str, ...] = ()  # extra e-mail recipients (a Link Profiler rule's own)


# Every alert type the engine produces (filters on the page and the API).
ALERT_TYPES = (
    "satellite_failure",
    "queue_overflow",
    "api_quota_exhausted",
    "api_quota_warning",
    "high_authority_backlink",
    "competitor_surge",
    "negative_seo_attack",
    "lost_backlinks",
    "job_failure",
    "stalled_job",
    "lp_rule",
)

"""The simulated fleet's free-tier API calls: what it asks for, and how the providers answer.

The fleet never names a provider: it asks for a query type (`serp_positions`, …) and Mission
Control's quota router picks the provider, as Link Profiler's clients do through
`quotas.client`. `Simulator(on_api_call=...)` receives `(query_type, priority, fetch, timer)`;
the app wires it to `QuotaManager.call`, which routes, counts the unit, runs `fetch(provider)`
and records its outcome and latency (the breaker included).

Nothing is sent anywhere: `fetch` answers from the model below in simulated time. Its latency
is read on `timer`, a stopwatch `fetch` itself advances, so the records hold the simulated
latencies without the fleet ever waiting for them. The model:
- each provider answers after a log-normal time around its own median, and fails 2 % of calls;
- one provider has an outage on a schedule (by default serpstack, 40 s from 15 s after the
  fleet starts, then every 5 min): every call fails after a timeout, so its circuit breaker
  opens, the router sends its calls to the emergency backup, and a trial call after the
  cool-down closes it again;
- calls come from jobs as they start (per job type) and from a steady background of rank
  checks, renders and lookups (`TRAFFIC_PER_MIN`), evenly spaced so the demo is predictable.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Median response time of each provider (ms); anything else answers around DEFAULT_MEDIAN_MS.
MEDIAN_MS = {
    "serpstack": 420.0,
    "valueserp": 650.0,
    "webscraping_ai": 1800.0,
    "hunter_io": 300.0,
    "builtwith": 520.0,
    "clearbit": 360.0,
    "securitytrails": 260.0,
}
DEFAULT_MEDIAN_MS = 500.0
FAILURE_RATE = 0.02
TIMEOUT_MS = 5000.0

# What each job type asks for when it starts.
JOB_QUERY_TYPES: Mapping[str, tuple[str, ...]] = {
    "serp_analysis": ("serp_positions",),
    "keyword_research": ("serp_positions",),
    "technical_audit": ("javascript_render",),
    "full_seo_audit": ("javascript_render", "technology_stack"),
    "domain_analysis": ("dns_history", "company_enrichment", "technology_stack"),
    "prospect_identification": ("contact_discovery", "company_enrichment"),
    "content_gap_analysis": ("serp_positions",),
    "backlink_discovery": ("javascript_render",),
}

# The fleet's steady background calls per minute (rank tracking, renders, lookups). At these
# rates (plus the jobs' own calls) the free tiers last one to three hours of demo: it shows
# usage climbing, backups and exhaustion, not a month.
TRAFFIC_PER_MIN: Mapping[str, float] = {
    "serp_positions": 7.5,
    "javascript_render": 4.0,
    "technology_stack": 1.0,
    "company_enrichment": 0.4,
    "contact_discovery": 0.3,
    "dns_history": 0.3,
    "subdomains": 0.2,
}


@dataclass(frozen=True)
class Outage:
    """`provider` fails every call for `duration_s`, first `first_after_s` after the fleet's
    first tick, then every `every_s` seconds."""

    provider: str
    first_after_s: float
    duration_s: float
    every_s: float

    def active(self, elapsed_s: float) -> bool:
        if elapsed_s < self.first_after_s:
            return False
        return (elapsed_s - self.first_after_s) % self.every_s < self.duration_s


DEMO_OUTAGES = (Outage("serpstack", 15.0, 40.0, 300.0),)


class SimulatedApiError(Exception):
    """A simulated provider failed the call (the simulator expects these: not logged)."""


class Stopwatch:
    """A timer (seconds) that moves only when a simulated answer says how long it took."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, ms: float) -> None:
        self.seconds += ms / 1000.0


# on_api_call(query_type, priority, fetch, timer)
ApiCall = Callable[[str, str, Callable[[str], Any], Callable[[], float]], None]


class SimulatedApis:
    """The providers' answers and the fleet's background traffic, in simulated time."""

    def __init__(
        self,
        rng: random.Random,
        outages: tuple[Outage, ...] = DEMO_OUTAGES,
        traffic: Mapping[str, float] = TRAFFIC_PER_MIN,
    ):
        self.rng = rng
        self.outages = outages
        self.traffic = dict(traffic)
        self.started: datetime | None = None
        # Each query type's next call is due when its share reaches 1; random starting shares
        # spread the types over the first minute (the first SERP check comes within seconds).
        self._share = {q: rng.uniform(0.5, 1.0) for q in self.traffic}

    def elapsed_s(self, now: datetime) -> float:
        if self.started is None:
            self.started = now
        return (now - self.started).total_seconds()

    def answer(self, provider: str, now: datetime) -> tuple[bool, float]:
        """(ok, response ms) of one call to `provider` at `now`."""
        elapsed = self.elapsed_s(now)
        if any(o.provider == provider and o.active(elapsed) for o in self.outages):
            return False, TIMEOUT_MS * self.rng.uniform(0.9, 1.0)
        median = MEDIAN_MS.get(provider, DEFAULT_MEDIAN_MS)
        ms = min(median * math.exp(self.rng.gauss(0.0, 0.35)), TIMEOUT_MS)
        return self.rng.random() >= FAILURE_RATE, round(ms, 1)

    def fetch_at(self, now: datetime) -> tuple[Callable[[str], dict], Stopwatch]:
        """A `fetch(provider)` answering at `now`, and the stopwatch it advances."""
        watch = Stopwatch()

        def fetch(provider: str) -> dict:
            ok, ms = self.answer(provider, now)
            watch.advance(ms)
            if not ok:
                raise SimulatedApiError(f"{provider} did not answer (simulated)")
            return {"provider": provider, "simulated": True}

        return fetch, watch

    def due(self, dt: float, now: datetime) -> list[str]:
        """The background calls due in the `dt` seconds up to `now`, one query type per call."""
        self.elapsed_s(now)
        out = []
        for query_type, per_min in self.traffic.items():
            share = self._share[query_type] + per_min / 60.0 * dt
            while share >= 1.0:
                out.append(query_type)
                share -= 1.0
            self._share[query_type] = share
        return out


def priority_of(job_priority: Any) -> str:
    """The router priority of a job's calls: urgent jobs get the best provider (queue entries
    are not trusted: anything but a number is a normal job)."""
    if isinstance(job_priority, bool) or not isinstance(job_priority, (int, float)):
        return "normal"
    return "high" if job_priority >= 8 else "low" if job_priority <= 3 else "normal"

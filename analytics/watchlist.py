"""Which domains the competition views compare: the tracked domain(s) and the competitors.

Configured with MC_TRACKED_DOMAINS / MC_COMPETITOR_DOMAINS. When not configured they are taken
from the targets of completed crawl jobs (their hosts, without `www.`), most crawled first:
the first is tracked and the next ones are competitors (or, with competitors configured, the
first job target that is not a competitor is tracked). With no completed jobs, the target
domains with most links stand in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from analytics.dialect import frame
from analytics.fleet_rollups import site_of
from analytics.settings import AnalyticsSettings
from data.schema import SchemaInfo

MAX_COMPETITORS = 5


@dataclass(frozen=True)
class Watchlist:
    tracked: tuple[str, ...]
    competitors: tuple[str, ...]
    source: str  # "configured", "completed jobs" or "most linked"

    @property
    def all(self) -> list[str]:
        return list(dict.fromkeys(self.tracked + self.competitors))


def resolve(lp: Engine, mc: Engine, schema: SchemaInfo, settings: AnalyticsSettings) -> Watchlist:
    """The watchlist for the current configuration and data (bounded queries only)."""
    tracked, competitors = settings.tracked_domains, settings.competitor_domains
    if tracked and competitors:
        return Watchlist(tracked, tuple(c for c in competitors if c not in tracked), "configured")
    candidates: list[str] = []
    source = "completed jobs"
    if schema.has("crawl_jobs"):
        jobs = frame(
            lp,
            "SELECT target_url, COUNT(*) AS n FROM crawl_jobs WHERE status = 'completed' "
            "GROUP BY target_url ORDER BY n DESC LIMIT 500",
            columns=["target_url", "n"],
        )
        counts: Counter = Counter()
        for url, n in zip(jobs["target_url"], jobs["n"]):
            host = site_of(url)
            if host:
                counts[host] += int(n)
        candidates = [h for h, _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    if not candidates:
        source = "most linked"
        top = frame(
            mc,
            "SELECT target_domain, SUM(links) AS n FROM mc_rollup_links_daily WHERE target_domain <> '' "
            "GROUP BY target_domain ORDER BY n DESC, target_domain LIMIT 20",
            columns=["target_domain", "n"],
        )
        candidates = [str(d) for d in top["target_domain"]]
    if tracked:
        rest = [c for c in candidates if c not in tracked]
        return Watchlist(tracked, tuple(rest[:MAX_COMPETITORS]), source)
    if competitors:
        own = [c for c in candidates if c not in competitors]
        return Watchlist(tuple(own[:1]), competitors, source)
    return Watchlist(tuple(candidates[:1]), tuple(candidates[1 : 1 + MAX_COMPETITORS]), source)

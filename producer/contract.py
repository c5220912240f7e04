"""Link Profiler's sections of the document, in exactly its types (pure).

Link Profiler's UI renders list items directly and calls `.toFixed` on its float fields, so
each contract section holds only what its response models say (`api/schemas.py` of Link
Profiler): counts as JSON integers, floats as JSON numbers (never null), lists of strings where
it has lists of strings. Our richer views of the same facts (a linking domain with its link
count, a satellite with its speed) go under `mc`, beside the contract's keys.

A float Link Profiler requires but that nothing measured (no completed job to average, no
satellite log in the last hour, an empty fleet) is sent as 0.0, and its dotted path is listed
in `mc.unmeasured`, so our pages show "—" and alert rules see no value, instead of a zero that
was never observed.
"""

from __future__ import annotations

from typing import Any


class Shaper:
    """Collects the unmeasured paths while the sections are shaped."""

    def __init__(self) -> None:
        self.unmeasured: list[str] = []

    def count(self, section: dict, key: str) -> int:
        value = section.get(key)
        try:
            return int(value) if value is not None else 0
        except (TypeError, ValueError):
            return 0

    def number(self, path: str, value: Any) -> float:
        """`value` as a float; 0.0 (recorded as unmeasured at `path`) when there is none."""
        try:
            f = float(value)
        except (TypeError, ValueError):
            f = float("nan")
        if f != f or f in (float("inf"), float("-inf")):
            self.unmeasured.append(path)
            return 0.0
        return f

    def whole(self, path: str, value: Any) -> int:
        """`value` as an int; 0 (recorded as unmeasured at `path`) when unknown."""
        if value is None:
            self.unmeasured.append(path)
            return 0
        return int(value)

    # -- sections ------------------------------------------------------------------------------
    def backlinks(self, rich: dict) -> tuple[dict, dict]:
        """(`backlink_discovery_metrics`, our extras) from the heavy step's backlink section."""
        path = "backlink_discovery_metrics."
        domains = list(rich.get("top_linking_domains") or [])
        urls = list(rich.get("top_target_urls") or [])
        contract = {
            "total_backlinks_discovered": self.count(rich, "total_backlinks_discovered"),
            "unique_domains_discovered": self.count(rich, "unique_domains_discovered"),
            "new_backlinks_24h": self.count(rich, "new_backlinks_24h"),
            "avg_authority_score": self.number(path + "avg_authority_score", rich.get("avg_authority_score")),
            "top_linking_domains": [_name(d, "domain") for d in domains],
            "top_target_urls": [_name(u, "url") for u in urls],
            "potential_spam_links_24h": self.count(rich, "potential_spam_links_24h"),
        }
        return contract, {"top_linking_domains": domains, "top_target_urls": urls}

    def domains(self, rich: dict) -> tuple[dict, dict]:
        """(`domain_intelligence_metrics`, our extras)."""
        niches = list(rich.get("top_niches_identified") or [])
        contract = {
            "total_domains_analyzed": self.count(rich, "total_domains_analyzed"),
            "valuable_expired_domains_found": self.count(rich, "valuable_expired_domains_found"),
            "avg_domain_value_score": self.number(
                "domain_intelligence_metrics.avg_domain_value_score", rich.get("avg_domain_value_score")
            ),
            "new_domains_added_24h": self.count(rich, "new_domains_added_24h"),
            "top_niches_identified": [_name(n, "niche") for n in niches],
        }
        return contract, {"top_niches_identified": niches}

    def performance(self, rich: dict) -> tuple[dict, dict]:
        """(`performance_optimization_metrics`, our extras): satellites by id, with their figures in mc."""
        path = "performance_optimization_metrics."
        top = list(rich.get("top_performing_satellites") or [])
        worst = list(rich.get("worst_performing_satellites") or [])
        contract: dict[str, Any] = {
            key: self.number(path + key, rich.get(key))
            for key in ("avg_crawl_speed_pages_per_minute", "avg_success_rate_percentage", "avg_response_time_ms")
        }
        contract |= {
            "bottlenecks_detected": [str(b) for b in rich.get("bottlenecks_detected") or []],
            "top_performing_satellites": [_name(s, "satellite_id") for s in top],
            "worst_performing_satellites": [_name(s, "satellite_id") for s in worst],
        }
        return contract, {"top_performing_satellites": top, "worst_performing_satellites": worst}


def _name(item: Any, key: str) -> str:
    """The string Link Profiler lists for one of our items ({"domain": "a.example", ...} -> "a.example")."""
    return str(item.get(key, "")) if isinstance(item, dict) else str(item)

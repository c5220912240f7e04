"""The built-in rules that need SQL on `backlinks`: new high-authority links, competitor
surges, negative-SEO spam influx and lost links.

Every query is bounded: a time window on the first-seen column (`discovered_date` in variant M,
`first_seen` in O) or on `crawl_timestamp` (the recheck time, for lost links), plus a row
limit. The engine runs them every ALERT_BACKLINK_INTERVAL seconds, not every tick, and reuses
their conditions in between. A spam baseline (the domain's own spam rate over the previous
days) is only computed for domains with an influx now, and is cached for an hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from alerts.conditions import Condition, fingerprint
from alerts.settings import AlertSettings
from data.frames import iso, query_frame, scalar
from data.schema import SchemaInfo

ROW_LIMIT = 5000
BASELINE_TTL_S = 3600.0
SPAM_LEVELS = ("medium", "high")


def _authority_sql(schema: SchemaInfo) -> str:
    # Variant O stores the linking domain's authority on the row; M only in domains.
    if schema.has("backlinks", "source_domain_authority"):
        return "COALESCE(b.source_domain_authority, d.authority_score)"
    return "d.authority_score"


def high_authority_links(engine: Engine, schema: SchemaInfo, now: datetime, settings: AlertSettings) -> list[Condition]:
    """One event per (linking domain, target domain) with a new link from authority > threshold."""
    cfg = settings.rule("high_authority_backlink")
    if not cfg.enabled:
        return []
    first = schema.link_first_seen
    auth = _authority_sql(schema)
    join = "LEFT JOIN domains d ON d.name = b.source_domain_name" if schema.has("domains") else ""
    if not join and not schema.has("backlinks", "source_domain_authority"):
        return []
    if not join:
        auth = "b.source_domain_authority"
    frame = query_frame(
        engine,
        f"SELECT b.id, b.source_url, b.target_url, b.source_domain_name, b.target_domain_name, b.anchor_text, "
        f"b.link_type, b.{first} AS first_seen, {auth} AS authority FROM backlinks b {join} "
        f"WHERE b.{first} >= :since AND {auth} > :threshold ORDER BY b.{first} DESC LIMIT :lim",
        {"since": now - timedelta(seconds=settings.event_hold_s), "threshold": cfg.threshold, "lim": 200},
    )
    seen: dict[tuple, Condition] = {}
    for r in frame.to_dict("records"):
        key = (str(r["source_domain_name"]), str(r["target_domain_name"]))
        if key in seen:
            seen[key].details["links"] += 1
            continue
        authority = float(r["authority"])
        seen[key] = Condition(
            fingerprint=fingerprint("high_authority_backlink", *key),
            rule="high_authority_backlink",
            type="high_authority_backlink",
            severity=cfg.severity,
            for_s=cfg.for_s,
            one_shot=True,
            message=f"New backlink to {key[1]} from {key[0]} (authority {authority:.0f}): {r['source_url']}",
            recommended_action="Thank the linking site and keep the linked page healthy",
            details={
                "source_domain": key[0],
                "target_domain": key[1],
                "authority": round(authority, 1),
                "source_url": r["source_url"],
                "target_url": r["target_url"],
                "anchor_text": r["anchor_text"],
                "link_type": r["link_type"],
                "first_seen": iso(r["first_seen"]),
                "links": 1,
            },
            target=str(r["target_url"]),
        )
    return list(seen.values())


def competitor_surges(
    engine: Engine, schema: SchemaInfo, now: datetime, settings: AlertSettings, competitors: tuple[str, ...]
) -> list[Condition]:
    """Competitor domains that gained more than the threshold of new links in 24 h."""
    cfg = settings.rule("competitor_surge")
    if not cfg.enabled or not competitors:
        return []
    first = schema.link_first_seen
    params = {f"c{i}": d for i, d in enumerate(competitors)}
    frame = query_frame(
        engine,
        f"SELECT target_domain_name AS domain, COUNT(*) AS n FROM backlinks WHERE {first} >= :since "
        f"AND target_domain_name IN ({', '.join(':' + k for k in params)}) GROUP BY target_domain_name",
        {"since": now - timedelta(days=1), **params},
    )
    out = []
    for domain, n in zip(frame.get("domain", []), frame.get("n", [])):
        n = int(n)
        if n <= cfg.threshold:
            continue
        out.append(
            Condition(
                fingerprint=fingerprint("competitor_surge", domain),
                rule="competitor_surge",
                type="competitor_surge",
                severity=cfg.severity,
                for_s=cfg.for_s,
                message=f"Competitor {domain} gained {n:,} new backlinks in the last 24 h (threshold {int(cfg.threshold)})",
                recommended_action="Review the competitor's new linking domains as outreach prospects",
                details={"domain": str(domain), "new_links_24h": n, "threshold": cfg.threshold},
                anomaly="competitor_surge",
                target=str(domain),
            )
        )
    return out


class SpamBaselines:
    """Each domain's normal spam-link rate, cached: {domain: (computed epoch, links per window)}."""

    def __init__(self):
        self._cache: dict[str, tuple[float, float]] = {}

    def get(self, engine: Engine, schema: SchemaInfo, domain: str, now: datetime, settings: AlertSettings) -> float:
        now_epoch = now.timestamp()
        hit = self._cache.get(domain)
        if hit and now_epoch - hit[0] < BASELINE_TTL_S:
            return hit[1]
        first = schema.link_first_seen
        window_start = now - timedelta(seconds=settings.spam_window_s)
        count = (
            scalar(
                engine,
                f"SELECT COUNT(*) FROM backlinks WHERE target_domain_name = :d AND spam_level IN ('medium', 'high') "
                f"AND {first} >= :b0 AND {first} < :b1",
                {"d": domain, "b0": window_start - timedelta(days=settings.spam_baseline_days), "b1": window_start},
            )
            or 0
        )
        windows = settings.spam_baseline_days * 86400 / settings.spam_window_s
        rate = float(count) / windows
        self._cache[domain] = (now_epoch, rate)
        return rate


def spam_influx(
    engine: Engine, schema: SchemaInfo, now: datetime, settings: AlertSettings, baselines: SpamBaselines
) -> list[Condition]:
    """Target domains receiving medium/high-spam links at `threshold` × their own baseline
    (and at least ALERT_SPAM_MIN_LINKS within the window): a possible negative-SEO attack."""
    cfg = settings.rule("negative_seo")
    if not cfg.enabled:
        return []
    first = schema.link_first_seen
    frame = query_frame(
        engine,
        f"SELECT target_domain_name AS domain, COUNT(*) AS n, COUNT(DISTINCT source_domain_name) AS sources "
        f"FROM backlinks WHERE {first} >= :since AND spam_level IN ('medium', 'high') "
        f"GROUP BY target_domain_name HAVING COUNT(*) >= :min ORDER BY COUNT(*) DESC LIMIT 50",
        {"since": now - timedelta(seconds=settings.spam_window_s), "min": settings.spam_min_links},
    )
    out = []
    window_min = int(settings.spam_window_s // 60)
    for domain, n, sources in zip(frame.get("domain", []), frame.get("n", []), frame.get("sources", [])):
        n = int(n)
        baseline = baselines.get(engine, schema, str(domain), now, settings)
        if n <= cfg.threshold * baseline:
            continue
        out.append(
            Condition(
                fingerprint=fingerprint("negative_seo", domain),
                rule="negative_seo",
                type="negative_seo_attack",
                severity=cfg.severity,
                for_s=cfg.for_s,
                message=(
                    f"Possible negative-SEO attack on {domain}: {n:,} spam links from {int(sources):,} domains "
                    f"in {window_min} min (normally {baseline:.1f})"
                ),
                recommended_action="Review the new spam links and submit a disavow file for the attacking domains",
                details={
                    "domain": str(domain),
                    "spam_links": n,
                    "source_domains": int(sources),
                    "baseline_per_window": round(baseline, 2),
                    "window_s": settings.spam_window_s,
                },
                anomaly="spam_influx",
                target=str(domain),
            )
        )
    return out


def lost_links(engine: Engine, schema: SchemaInfo, now: datetime, settings: AlertSettings) -> list[Condition]:
    """Target domains that lost at least the threshold of links within the window: links
    rechecked (crawl_timestamp) after their discovery and now inactive, 404 or nofollow."""
    cfg = settings.rule("lost_backlinks")
    if not cfg.enabled:
        return []
    first = schema.link_first_seen
    nofollow = (
        "(b.nofollow = :yes OR b.link_type = 'nofollow')"
        if schema.has("backlinks", "nofollow")
        else "b.link_type = 'nofollow'"
    )
    frame = query_frame(
        engine,
        f"SELECT b.target_domain_name AS domain, b.source_url, b.target_url, b.is_active, b.http_status, "
        f"CASE WHEN {nofollow} THEN 1 ELSE 0 END AS nofollow FROM backlinks b "
        f"WHERE b.crawl_timestamp >= :since AND b.crawl_timestamp > b.{first} "
        f"AND (b.is_active = :no OR b.http_status = 404 OR {nofollow}) LIMIT :lim",
        {"since": now - timedelta(seconds=settings.lost_window_s), "no": False, "yes": True, "lim": ROW_LIMIT},
    )
    by_domain: dict[str, dict] = {}
    for r in frame.to_dict("records"):
        d = by_domain.setdefault(str(r["domain"]), {"inactive": 0, "not_found": 0, "nofollow": 0, "samples": []})
        if r["is_active"] is not None and not bool(r["is_active"]):
            reason = "inactive"
        elif r["http_status"] == 404:
            reason = "not_found"
        else:
            reason = "nofollow"
        d[reason] += 1
        if len(d["samples"]) < 5:
            d["samples"].append({"source_url": r["source_url"], "target_url": r["target_url"], "reason": reason})
    out = []
    window_min = int(settings.lost_window_s // 60)
    for domain, d in sorted(by_domain.items()):
        total = d["inactive"] + d["not_found"] + d["nofollow"]
        if total < cfg.threshold:
            continue
        out.append(
            Condition(
                fingerprint=fingerprint("lost_backlinks", domain),
                rule="lost_backlinks",
                type="lost_backlinks",
                severity=cfg.severity,
                for_s=cfg.for_s,
                message=(
                    f"{domain} lost {total:,} backlinks in {window_min} min: {d['inactive']} inactive, "
                    f"{d['not_found']} returned 404, {d['nofollow']} turned nofollow"
                ),
                recommended_action="Contact the linking sites to restore the links, or redirect the 404 pages",
                details={"domain": domain, "lost": total, **d},
                anomaly="lost_backlinks",
                target=domain,
            )
        )
    return out

"""Backlink discovery queries (table `backlinks`, both variants) for the snapshot.

Column differences are resolved through `SchemaInfo`: the first-seen column is
`discovered_date` (M) or `first_seen` (O); the linking domain's authority is
`domains.authority_score` of `source_domain_name` (M) or the row's `source_domain_authority` (O).
These run at the heavy cadence (MISSION_CONTROL_CACHE_TTL), never per viewer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from data.frames import query_frame
from data.schema import SchemaInfo

SPAMMY = ("medium", "high")


def _authority_source(schema: SchemaInfo) -> tuple[str, str]:
    """(FROM clause, authority expression) for backlinks with their linking domain's authority."""
    if schema.variant == "O" and schema.has("backlinks", "source_domain_authority"):
        return "backlinks b", "b.source_domain_authority"
    if schema.has("domains"):
        return "backlinks b LEFT JOIN domains d ON d.name = b.source_domain_name", "d.authority_score"
    return "backlinks b", "NULL"


def discovery_summary(engine: Engine, schema: SchemaInfo, now: datetime, top: int = 10) -> dict:
    """Totals for `backlink_discovery_metrics`: counts, authority mean, top domains / URLs."""
    if not schema.has("backlinks"):
        return {}
    first = schema.link_first_seen
    since = now - timedelta(hours=24)
    source, authority = _authority_source(schema)
    totals = query_frame(
        engine,
        f"SELECT COUNT(*) AS total, COUNT(DISTINCT b.source_domain_name) AS domains, "
        f"SUM(CASE WHEN b.{first} >= :since THEN 1 ELSE 0 END) AS new24, "
        f"SUM(CASE WHEN b.{first} >= :since AND b.spam_level IN ('medium', 'high') THEN 1 ELSE 0 END) AS spam24, "
        f"AVG({authority}) AS authority FROM {source}",
        {"since": since},
    ).iloc[0]
    top_domains = query_frame(
        engine,
        "SELECT source_domain_name AS domain, COUNT(*) AS backlinks FROM backlinks "
        "WHERE source_domain_name IS NOT NULL GROUP BY source_domain_name ORDER BY backlinks DESC, domain LIMIT :n",
        {"n": top},
    )
    top_targets = query_frame(
        engine,
        "SELECT target_url AS url, COUNT(*) AS backlinks FROM backlinks "
        "GROUP BY target_url ORDER BY backlinks DESC, url LIMIT :n",
        {"n": top},
    )
    return {
        "total_backlinks_discovered": int(totals["total"] or 0),
        "unique_domains_discovered": int(totals["domains"] or 0),
        "new_backlinks_24h": int(totals["new24"] or 0),
        "potential_spam_links_24h": int(totals["spam24"] or 0),
        "avg_authority_score": None if pd.isna(totals["authority"]) else round(float(totals["authority"]), 2),
        "top_linking_domains": [
            {"domain": str(d), "backlinks": int(n)} for d, n in zip(top_domains["domain"], top_domains["backlinks"])
        ]
        if not top_domains.empty
        else [],
        "top_target_urls": [
            {"url": str(u), "backlinks": int(n)} for u, n in zip(top_targets["url"], top_targets["backlinks"])
        ]
        if not top_targets.empty
        else [],
    }


RADAR_COLUMNS = ["target_domain", "backlinks", "referring_domains", "avg_authority", "new_24h", "spam_share_pct"]


def discovery_by_target(engine: Engine, schema: SchemaInfo, now: datetime, top: int = 8) -> pd.DataFrame:
    """Per target domain (the `top` with most links): totals, referring domains, mean authority,
    links found in 24 h and the share of spammy links (RADAR_COLUMNS)."""
    if not schema.has("backlinks"):
        return pd.DataFrame(columns=RADAR_COLUMNS)
    first = schema.link_first_seen
    source, authority = _authority_source(schema)
    frame = query_frame(
        engine,
        f"SELECT b.target_domain_name AS target_domain, COUNT(*) AS backlinks, "
        f"COUNT(DISTINCT b.source_domain_name) AS referring_domains, AVG({authority}) AS avg_authority, "
        f"SUM(CASE WHEN b.{first} >= :since THEN 1 ELSE 0 END) AS new_24h, "
        f"SUM(CASE WHEN b.spam_level IN ('medium', 'high') THEN 1 ELSE 0 END) AS spam "
        f"FROM {source} WHERE b.target_domain_name IS NOT NULL GROUP BY b.target_domain_name "
        f"ORDER BY backlinks DESC, target_domain LIMIT :n",
        {"since": now - timedelta(hours=24), "n": top},
    )
    if frame.empty:
        return pd.DataFrame(columns=RADAR_COLUMNS)
    frame["spam_share_pct"] = (frame["spam"].astype(float) / frame["backlinks"].astype(float) * 100).round(1)
    frame["avg_authority"] = pd.to_numeric(frame["avg_authority"], errors="coerce").round(1)
    for col in ("backlinks", "referring_domains", "new_24h"):
        frame[col] = frame[col].astype(int)
    return frame[RADAR_COLUMNS]

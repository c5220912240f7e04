"""Domain intelligence for the snapshot: domains analysed, valuable expired ones, value scores."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from common.timestamps import to_datetime
from data.frames import parse_json, query_frame, scalar
from data.schema import SchemaInfo
from scoring.domain_value import factor_values, score

VALUABLE_SCORE = 40.0


def domain_values(engine: Engine, schema: SchemaInfo, now: datetime) -> pd.DataFrame:
    """Every domain with its value score and whether it is expired / available.

    Expired = `is_registered` false or `expiration_date` in the past (the contract's rule).
    Columns: name, authority_score, trust_score, spam_score, referring_domains, expired, value, niche.
    """
    if not schema.has("domains"):
        return pd.DataFrame(columns=["name", "value", "expired", "niche"])
    domains = query_frame(
        engine,
        "SELECT name, authority_score, trust_score, spam_score, registered_date, expiration_date, "
        "is_registered, seo_metrics FROM domains",
    )
    if domains.empty:
        return pd.DataFrame(columns=["name", "value", "expired", "niche"])
    refs = pd.DataFrame(columns=["name", "referring_domains"])
    if schema.has("backlinks"):
        refs = query_frame(
            engine,
            "SELECT target_domain_name AS name, COUNT(DISTINCT source_domain_name) AS referring_domains "
            "FROM backlinks WHERE target_domain_name IS NOT NULL GROUP BY target_domain_name",
            columns=["name", "referring_domains"],
        )
    domains = domains.merge(refs, on="name", how="left")
    domains["referring_domains"] = pd.to_numeric(domains["referring_domains"], errors="coerce").fillna(0)
    # Variant O stores spam_score as text; a non-number counts as unknown (0).
    domains["spam_score"] = pd.to_numeric(domains["spam_score"], errors="coerce")
    values, expired, niches = [], [], []
    for r in domains.itertuples(index=False):
        values.append(
            score(
                factor_values(
                    r.authority_score,
                    r.trust_score,
                    r.spam_score,
                    r.referring_domains,
                    to_datetime(r.registered_date),
                    now,
                )
            )
        )
        exp = to_datetime(r.expiration_date)
        expired.append(r.is_registered is False or r.is_registered == 0 or (exp is not None and exp < now))
        metrics = parse_json(r.seo_metrics) or {}
        niches.append(metrics.get("niche") or metrics.get("category") if isinstance(metrics, dict) else None)
    domains["value"], domains["expired"], domains["niche"] = values, expired, niches
    return domains


def domain_summary(engine: Engine, schema: SchemaInfo, now: datetime, top: int = 5) -> dict:
    """`domain_intelligence_metrics` of the contract."""
    frame = domain_values(engine, schema, now)
    if frame.empty:
        return {
            "total_domains_analyzed": 0,
            "valuable_expired_domains_found": 0,
            "avg_domain_value_score": None,
            "new_domains_added_24h": 0,
            "top_niches_identified": [],
        }
    niches = Counter(n for n in frame["niche"] if isinstance(n, str) and n)
    return {
        "total_domains_analyzed": len(frame),
        "valuable_expired_domains_found": int(((frame["expired"]) & (frame["value"] >= VALUABLE_SCORE)).sum()),
        "avg_domain_value_score": round(float(frame["value"].mean()), 1),
        "new_domains_added_24h": new_domains_24h(engine, schema, now),
        "top_niches_identified": [{"niche": n, "domains": c} for n, c in niches.most_common(top)],
    }


def new_domains_24h(engine: Engine, schema: SchemaInfo, now: datetime) -> int:
    """Linking domains whose first backlink was found in the last 24 h (domains has no created_at)."""
    if not schema.has("backlinks"):
        return 0
    first = schema.link_first_seen
    return int(
        scalar(
            engine,
            f"SELECT COUNT(*) FROM (SELECT source_domain_name FROM backlinks WHERE source_domain_name IS NOT NULL "
            f"GROUP BY source_domain_name HAVING MIN({first}) >= :since) AS firsts",
            {"since": now - timedelta(hours=24)},
        )
        or 0
    )

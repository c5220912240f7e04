"""Domain value table and the social-mention rollup.

`mc_domain_values` holds every row of `domains` with its value score, the score's factors and
the expiry facts, recomputed from `domains` plus the link rollups (referring domains, links
pointing at the domain, their mean authority, how many were lost) every
MC_DOMAIN_VALUE_REFRESH_S. Its size follows `domains`, not `backlinks`.

Social mentions are found long after they are published and the table has no "found at"
column, so the last MENTION_DAYS days (by `published_date`) are re-aggregated every refresh;
the brand monitor shows at most that many days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from analytics import tables as t
from analytics.dialect import ts, day_sql, day_start, execute, frame, insert_rows
from data.frames import parse_json
from data.schema import SchemaInfo
from scoring.domain_value import factor_values, score

MENTION_DAYS = 90


def expired(is_registered, expiration: datetime | None, now: datetime) -> bool:
    """The contract's rule: not registered, or past its expiration date."""
    return is_registered is False or is_registered == 0 or (expiration is not None and expiration < now)


def _registrant(whois) -> str | None:
    data = parse_json(whois)
    if not isinstance(data, dict):
        return None
    for key in ("registrant_organization", "registrant_org", "org", "organization", "registrant_name", "registrant"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:255]
    return None


def _niche(metrics) -> str | None:
    data = parse_json(metrics)
    if not isinstance(data, dict):
        return None
    value = data.get("niche") or data.get("category")
    return str(value)[:100] if value else None


# Domains are scored a chunk at a time: the whole table as Python rows (50k domains with their
# WHOIS documents) left the worker ~3 MB larger after every refresh (allocator fragmentation,
# not live objects: tracemalloc saw none), which a one-hour soak showed as a rising floor.
VALUE_CHUNK = 2000


def refresh_domain_values(lp: Engine, mc: Engine, schema: SchemaInfo, now: datetime, weights: dict) -> int:
    """Recompute `mc_domain_values` (in one transaction: readers see the old table or the new
    one); returns the number of domains."""
    if not schema.has("domains"):
        return 0
    whois = "whois_raw" if schema.has("domains", "whois_raw") else "NULL AS whois_raw"
    metrics = "seo_metrics" if schema.has("domains", "seo_metrics") else "NULL AS seo_metrics"
    inbound = _inbound_by_domain(mc)
    written = 0
    with mc.begin() as out, lp.connect() as conn:
        execute(out, "DELETE FROM mc_domain_values")
        result = conn.execution_options(stream_results=True, max_row_buffer=VALUE_CHUNK).execute(
            text(
                f"SELECT name, authority_score, trust_score, spam_score, registered_date, expiration_date, "
                f"is_registered, registrar, ip_address, {whois}, {metrics} FROM domains"
            )
        )
        columns = list(result.keys())
        for part in result.partitions(VALUE_CHUNK):
            chunk = pd.DataFrame(part, columns=columns).merge(inbound, on="name", how="left")
            rows = [_value_row(r, now, weights) for r in chunk.to_dict("records")]
            insert_rows(out, t.domain_values, rows)
            written += len(rows)
    return written


def _inbound_by_domain(mc: Engine) -> pd.DataFrame:
    """Per domain that links point at: referring domains, links, their authority sum and count,
    links lost (from the link rollups; one row per target domain, a small table)."""
    refs = frame(
        mc,
        "SELECT target_domain AS name, SUM(new_ref_domains) AS referring_domains "
        "FROM mc_rollup_ref_domains_daily GROUP BY target_domain",
        columns=["name", "referring_domains"],
    )
    inbound = frame(
        mc,
        "SELECT target_domain AS name, SUM(links) AS inbound_links, SUM(authority_sum) AS a_sum, "
        "SUM(authority_n) AS a_n FROM mc_rollup_links_daily GROUP BY target_domain",
        columns=["name", "inbound_links", "a_sum", "a_n"],
    )
    lost = frame(
        mc,
        "SELECT target_domain AS name, SUM(lost_links) AS inbound_lost FROM mc_rollup_lost_daily "
        "GROUP BY target_domain",
        columns=["name", "inbound_lost"],
    )
    return refs.merge(inbound, on="name", how="outer").merge(lost, on="name", how="outer")


def _count(value) -> int:
    return int(0 if value is None or pd.isna(value) else value)


def _value_row(r: dict, now: datetime, weights: dict) -> dict:
    """One `mc_domain_values` row from a domain joined with its inbound figures."""
    a_n = float(r.get("a_n") or 0) if not pd.isna(r.get("a_n")) else 0.0
    quality = float(r["a_sum"]) / a_n if a_n else None
    spam = pd.to_numeric(r["spam_score"], errors="coerce")  # text in variant O
    registered = ts(r["registered_date"])
    expiration = ts(r["expiration_date"])
    links, lost_n, refs_n = (
        _count(r.get("inbound_links")),
        _count(r.get("inbound_lost")),
        _count(r.get("referring_domains")),
    )
    factors = factor_values(
        r["authority_score"],
        r["trust_score"],
        spam,
        refs_n,
        registered,
        now,
        referring_quality=quality,
        links_total=links,
        links_lost=lost_n,
    )
    reg = r["is_registered"]
    reg = None if reg is None or (isinstance(reg, float) and pd.isna(reg)) else bool(reg)
    return {
        "name": str(r["name"]),
        "value": score(factors, weights),
        "factors": {k: round(v, 4) for k, v in factors.items()},
        "authority": _num(r["authority_score"]),
        "trust": _num(r["trust_score"]),
        "spam": _num(spam),
        "registered_date": registered,
        "expiration_date": expiration,
        "is_registered": reg,
        "expired": expired(reg, expiration, now),
        "referring_domains": refs_n,
        "inbound_links": links,
        "inbound_lost": lost_n,
        "inbound_avg_authority": None if quality is None else round(quality, 2),
        "registrar": (str(r["registrar"])[:255] if isinstance(r["registrar"], str) else None),
        "registrant": _registrant(r["whois_raw"]),
        "ip_address": (str(r["ip_address"])[:64] if isinstance(r["ip_address"], str) else None),
        "niche": _niche(r["seo_metrics"]),
    }


def _num(value):
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def refresh_mentions(lp: Engine, mc: Engine, schema: SchemaInfo, now: datetime) -> int:
    """Re-aggregate the last MENTION_DAYS days of social_mentions; returns rows written."""
    if not schema.has("social_mentions"):
        return 0
    start = day_start(now) - timedelta(days=MENTION_DAYS - 1)
    agg = frame(
        lp,
        (
            f"SELECT {day_sql(lp.dialect.name, 'published_date')} AS day, COALESCE(query, '') AS query, "
            f"COALESCE(LOWER(platform), 'unknown') AS platform, COALESCE(LOWER(sentiment), 'unknown') AS sentiment, "
            f"COUNT(*) AS mentions, COALESCE(SUM(engagement_score), 0) AS engagement_sum FROM social_mentions "
            f"WHERE published_date >= :start GROUP BY 1, 2, 3, 4"
        ),
        {"start": start},
    )
    from analytics.link_rollups import _records

    with mc.begin() as conn:
        execute(conn, "DELETE FROM mc_rollup_mentions_daily")  # only the window is kept
        insert_rows(conn, t.mentions_daily, _records(agg))
    return len(agg)

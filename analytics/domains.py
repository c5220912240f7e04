"""Page queries of domain intelligence: expired domain hunter, value breakdown, competitor
portfolios and the brand mention monitor. They read `mc_domain_values` and the link rollups
(sizes follow `domains` and the referring-domain pairs, never `backlinks`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from analytics import exact_window
from analytics import tables as t
from analytics.dialect import day_key, days_back, frame, in_list
from common.textsafe import db_text
from data.frames import parse_json
from data.schema import SchemaInfo
from scoring.domain_value import LABELS, breakdown, score

HUNTER_COLUMNS = [
    "name",
    "value",
    "authority",
    "trust",
    "spam",
    "inbound_links",
    "inbound_avg_authority",
    "referring_domains",
    "expiration_date",
    "status",
]


def expired_domains(
    mc: Engine, now: datetime, within_days: int | None = None, limit: int = 200, min_value: float = 0.0
) -> pd.DataFrame:
    """Expired / unregistered domains by value (HUNTER_COLUMNS); with `within_days`, the
    registered domains whose expiry falls within that many days instead."""
    if within_days is None:
        where, params = "expired = :yes", {"yes": True}
    else:
        where = "expired = :no AND expiration_date >= :now AND expiration_date <= :until"
        params = {"no": False, "now": now, "until": now + timedelta(days=int(within_days))}
    out = frame(
        mc,
        (
            "SELECT name, value, authority, trust, spam, inbound_links, inbound_avg_authority, referring_domains, "
            f"expiration_date, is_registered FROM mc_domain_values WHERE {where} AND value >= :min "
            "ORDER BY value DESC, name LIMIT :n"
        ),
        {**params, "min": min_value, "n": limit},
        columns=[*HUNTER_COLUMNS[:-1], "is_registered"],
    )
    if out.empty:
        return pd.DataFrame(columns=HUNTER_COLUMNS)
    out["status"] = [
        ("expiring" if within_days is not None else "unregistered" if reg is not None and not bool(reg) else "expired")
        for reg in out["is_registered"]
    ]
    return out[HUNTER_COLUMNS]


def value_breakdown(mc: Engine, name: str, weights: dict[str, float]) -> dict | None:
    """A domain's score and why: {name, value, rows: [{factor, label, value (0–100), weight, points}]}."""
    row = frame(mc, "SELECT name, factors FROM mc_domain_values WHERE name = :n", {"n": name})
    if row.empty:
        return None
    factors = parse_json(row["factors"].iloc[0]) or {}
    factors = {k: float(v) for k, v in factors.items()}
    points = breakdown(factors, weights)
    return {
        "name": str(row["name"].iloc[0]),
        "value": score(factors, weights),
        "rows": [
            {
                "factor": k,
                "label": LABELS.get(k, k),
                "value": round(factors.get(k, 0.0), 1),
                "weight": round(w, 3),
                "points": points[k],
            }
            for k, w in weights.items()
        ],
    }


def domain_names(mc: Engine, prefix: str = "", limit: int = 50) -> list[str]:
    """Domain names starting with `prefix`, for the calculator's picker (highest value first)."""
    out = frame(
        mc,
        "SELECT name FROM mc_domain_values WHERE name LIKE :p ORDER BY value DESC, name LIMIT :n",
        {"p": prefix.replace("%", "").replace("_", "\\_") + "%", "n": limit},
        columns=["name"],
    )
    return [str(n) for n in out["name"]]


def portfolios(mc: Engine, domains: list[str], top: int = 10) -> pd.DataFrame:
    """Per watched domain: referring domains, its strongest linking domains, and the domains it
    owns (same registrant in WHOIS, or the same IP address)."""
    cols = ["domain", "referring_domains", "top_linking_domains", "owned_domains"]
    if not domains:
        return pd.DataFrame(columns=cols)
    marks, p = in_list("t", domains)
    refs = frame(
        mc,
        f"SELECT target_domain AS domain, SUM(new_ref_domains) AS referring_domains "
        f"FROM mc_rollup_ref_domains_daily WHERE target_domain IN ({marks}) GROUP BY target_domain",
        p,
        columns=["domain", "referring_domains"],
    )
    ref_map = dict(zip(refs["domain"], refs["referring_domains"]))
    rows = []
    top_refs = frame(
        mc,
        f"SELECT target_domain, source_domain FROM mc_rollup_top_referrers WHERE target_domain "
        f"IN ({marks}) ORDER BY target_domain, rank",
        p,
        columns=["target_domain", "source_domain"],
    )
    for d in domains:
        linking = top_refs[top_refs["target_domain"] == d].head(top)
        me = frame(mc, "SELECT registrant, ip_address FROM mc_domain_values WHERE name = :d", {"d": d})
        owned: list[str] = []
        if not me.empty:
            # Two indexed lookups rather than one OR-join over every domain.
            for col in ("registrant", "ip_address"):
                value = me[col].iloc[0]
                if isinstance(value, str) and value:
                    found = frame(
                        mc,
                        f"SELECT name FROM mc_domain_values WHERE {col} = :v AND name <> :d "
                        "ORDER BY value DESC, name LIMIT :n",
                        {"v": value, "d": d, "n": top},
                    )
                    owned += [str(n) for n in found.get("name", [])]
        rows.append(
            {
                "domain": d,
                "referring_domains": int(ref_map.get(d, 0) or 0),
                "top_linking_domains": ", ".join(str(s) for s in linking["source_domain"]),
                "owned_domains": ", ".join(dict.fromkeys(owned)) or "—",
            }
        )
    return pd.DataFrame(rows, columns=cols)


def overlaps(mc: Engine, domains: list[str]) -> pd.DataFrame:
    """Shared referring domains between every two watched domains: domain_a, domain_b, shared."""
    if len(domains) < 2:
        return pd.DataFrame(columns=["domain_a", "domain_b", "shared"])
    marks, p = in_list("t", domains)
    return frame(
        mc,
        f"SELECT domain_a, domain_b, shared FROM mc_rollup_overlap WHERE domain_a IN ({marks}) "
        f"ORDER BY shared DESC, domain_a, domain_b",
        p,
        columns=["domain_a", "domain_b", "shared"],
    )


def link_gap(mc: Engine, tracked: list[str], competitors: list[str], limit: int = 50) -> pd.DataFrame:
    """Linking domains of competitors that do not link to the tracked domain(s), by how many
    competitors they link to, then authority: outreach prospects."""
    cols = ["source_domain", "competitors", "authority"]
    if not tracked or not competitors:
        return pd.DataFrame(columns=cols)
    mc_marks, pc = in_list("c", competitors)
    tr_marks, pt = in_list("t", tracked)
    return frame(
        mc,
        (
            f"SELECT r.source_domain, COUNT(*) AS competitors, MAX(v.authority) AS authority FROM mc_rollup_ref_domains r "
            f"LEFT JOIN mc_domain_values v ON v.name = r.source_domain WHERE r.target_domain IN ({mc_marks}) AND NOT EXISTS "
            f"(SELECT 1 FROM mc_rollup_ref_domains o WHERE o.source_domain = r.source_domain AND o.target_domain IN ({tr_marks})) "
            f"GROUP BY r.source_domain ORDER BY competitors DESC, authority DESC, r.source_domain LIMIT :n"
        ),
        {**pc, **pt, "n": limit},
        columns=cols,
    )


def mentions(mc: Engine, now: datetime, days: int, query: str | None = None) -> pd.DataFrame:
    """Mentions per day, platform and sentiment over the window: day, platform, sentiment, mentions, engagement."""
    where, params = ("", {}) if not query else (" AND query = :q", {"q": query})
    return frame(
        mc,
        "SELECT day, platform, sentiment, SUM(mentions) AS mentions, SUM(engagement_sum) AS engagement "
        f"FROM mc_rollup_mentions_daily WHERE day >= :d{where} GROUP BY day, platform, sentiment "
        "ORDER BY day, platform, sentiment",
        {**params, "d": days_back(now, days)},
        columns=["day", "platform", "sentiment", "mentions", "engagement"],
    )


def mention_queries(mc: Engine) -> list[str]:
    out = frame(
        mc,
        "SELECT DISTINCT query FROM mc_rollup_mentions_daily WHERE query <> '' ORDER BY query LIMIT 100",
        columns=["query"],
    )
    return [str(q) for q in out["query"]]


def domain_metrics(
    mc: Engine,
    now: datetime,
    valuable: float = 40.0,
    top: int = 5,
    lp: Engine | None = None,
    schema: SchemaInfo | None = None,
) -> dict:
    """`domain_intelligence_metrics` of the contract, from `mc_domain_values` (the main screen's
    feed); new linking domains in 24 h exact with `lp` and `schema` (see `new_linking_domains`)."""
    agg = frame(
        mc,
        "SELECT COUNT(*) AS n, AVG(value) AS avg_value, "
        "SUM(CASE WHEN expired = :yes AND value >= :v THEN 1 ELSE 0 END) AS valuable FROM mc_domain_values",
        {"yes": True, "v": valuable},
    ).iloc[0]
    niches = frame(
        mc,
        "SELECT niche, COUNT(*) AS domains FROM mc_domain_values WHERE niche IS NOT NULL "
        "GROUP BY niche ORDER BY domains DESC, niche LIMIT :n",
        {"n": top},
        columns=["niche", "domains"],
    )
    n = int(agg["n"] or 0)
    return {
        "total_domains_analyzed": n,
        "valuable_expired_domains_found": int(agg["valuable"] or 0),
        "avg_domain_value_score": None if not n else round(float(agg["avg_value"]), 1),
        "new_domains_added_24h": new_linking_domains(mc, now, lp, schema),
        "top_niches_identified": [
            {"niche": str(k), "domains": int(c)} for k, c in zip(niches["niche"], niches["domains"])
        ],
    }


SOURCE_WIDTH = getattr(t.ref_domains.c.source_domain.type, "length", None)
# Linking domains whose first pair's day compares ({op}) with the day :d, and that have no pair
# on an earlier day ({before}): recent pairs (first_day index) checked against earlier ones of
# the same domain (source_domain index), never a pass over every pair.
FIRST_AFTER_SQL = (
    "SELECT COUNT(DISTINCT r.source_domain) AS n FROM mc_rollup_ref_domains r WHERE r.first_day {op} :d "
    "AND NOT EXISTS (SELECT 1 FROM mc_rollup_ref_domains o WHERE o.source_domain = r.source_domain "
    "AND o.first_day {before} :d)"
)


def new_linking_domains(
    mc: Engine, now: datetime, lp: Engine | None = None, schema: SchemaInfo | None = None, hours: int = 24
) -> int:
    """Linking domains whose first backlink was found in the last `hours` (`domains` has no
    creation time). The pair rollup knows each domain's first *day*:

    - a domain first seen on a day after the window's first day is new (rollup only);
    - one first seen on the window's first day is new unless it has a link on that day before
      the window starts: that part of the day is read from `backlinks` (a range on the
      first-seen index, under a day, only for those domains);
    - a domain the rollup does not know yet (links after its last refresh) is new: the links
      since the refresh are read from `backlinks` (normally seconds of them).

    Without `lp` and `schema` (the benchmarks) whole days: every domain first seen since the
    window's first day."""
    since = now - timedelta(hours=hours)
    d = day_key(since)
    if lp is None or schema is None or not schema.has("backlinks"):
        return int(frame(mc, FIRST_AFTER_SQL.format(op=">=", before="<"), {"d": d})["n"].iloc[0] or 0)
    later = int(frame(mc, FIRST_AFTER_SQL.format(op=">", before="<="), {"d": d})["n"].iloc[0] or 0)
    edge = frame(
        mc,
        "SELECT DISTINCT r.source_domain FROM mc_rollup_ref_domains r WHERE r.first_day = :d AND NOT EXISTS "
        "(SELECT 1 FROM mc_rollup_ref_domains o WHERE o.source_domain = r.source_domain AND o.first_day < :d)",
        {"d": d},
        columns=["source_domain"],
    )
    first = f"b.{schema.link_first_seen}"
    day_from = datetime(since.year, since.month, since.day)
    edge_names = [str(x) for x in edge["source_domain"]]
    early = set()
    if edge_names and day_from < since:
        early = _linking_domains(lp, f"{first} >= :a AND {first} < :b", {"a": day_from, "b": since})
    n = later + len(set(edge_names) - early)
    fresh = exact_window.fresh_until(mc, "links")
    if fresh is None or fresh < now:
        recent = _linking_domains(lp, f"{first} >= :a", {"a": max(fresh or since, since)})
        n += len(recent - _known(mc, sorted(recent)))
    return n


def _linking_domains(lp: Engine, where: str, params: dict) -> set[str]:
    """The linking domains of the backlinks matching `where`, fitted like the rollup's keys."""
    rows = frame(
        lp,
        f"SELECT DISTINCT b.source_domain_name AS d FROM backlinks b WHERE {where} AND b.source_domain_name IS NOT NULL",
        params,
        columns=["d"],
    )
    return {db_text(str(x), SOURCE_WIDTH) for x in rows["d"]}


def _known(mc: Engine, names: list[str]) -> set[str]:
    """Those of `names` the pair rollup already holds."""
    out: set[str] = set()
    for i in range(0, len(names), 500):
        marks, params = in_list("n", names[i : i + 500])
        rows = frame(
            mc,
            f"SELECT DISTINCT source_domain FROM mc_rollup_ref_domains WHERE source_domain IN ({marks})",
            params,
            columns=["source_domain"],
        )
        out |= {str(x) for x in rows["source_domain"]}
    return out

"""Page queries of backlink discovery operations. Every panel reads the `mc_rollup_*` tables
(their size follows days × domains, not the number of backlinks); `backlinks` is read only by
the drill-downs behind a click, bounded to one day (served by the opt-in first-seen index) or
to link ids from the lost-link rollup, with a row limit, and for the edges of "last 24 h"
(about two hours of rows on the same index).

Windows are whole UTC days ending today ("7 days" = today and the 6 days before); "last 24 h"
is exact: whole hours from the hourly rollup and the partial hours at its edges from
`backlinks` (analytics.exact_window).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from analytics import exact_window
from analytics import tables as t
from analytics.dialect import (
    LOST_SQL,
    SPAM_SQL,
    authority_source,
    bucket_sql,
    day_key,
    days_back,
    frame,
    hour_key,
    in_list,
)
from common.textsafe import db_text
from data.schema import SchemaInfo

BUCKETS = list(range(10))
BUCKET_LABELS = {b: f"{b * 10}–{b * 10 + 10}" for b in BUCKETS} | {-1: "unknown"}
RADAR_COLUMNS = ["target_domain", "backlinks", "referring_domains", "avg_authority", "new_24h", "spam_share_pct"]
DRILL_LIMIT = 200
LINK_COLUMNS = [
    "first_seen",
    "source_domain",
    "source_url",
    "target_url",
    "anchor_text",
    "link_type",
    "authority",
    "spam_level",
]


def _target_filter(domains: list[str] | None, column: str = "target_domain") -> tuple[str, dict]:
    if not domains:
        return "", {}
    marks, params = in_list("t", domains)
    return f" AND {column} IN ({marks})", params


def radar(
    mc: Engine,
    now: datetime,
    domains: list[str] | None = None,
    top: int = 8,
    lp: Engine | None = None,
    schema: SchemaInfo | None = None,
) -> pd.DataFrame:
    """Per target domain: backlinks, referring domains, mean authority, found in the last 24 h
    (exact with `lp` and `schema`, see `new_links`) and spam share % (RADAR_COLUMNS); `domains`,
    else the `top` with most links."""
    where, params = _target_filter(domains)
    totals = frame(
        mc,
        "SELECT target_domain, SUM(links) AS backlinks, SUM(spam_links) AS spam, "
        "SUM(authority_sum) AS a_sum, SUM(authority_n) AS a_n FROM mc_rollup_links_daily "
        f"WHERE target_domain <> ''{where} GROUP BY target_domain ORDER BY backlinks DESC, target_domain "
        "LIMIT :top",
        {**params, "top": top if not domains else len(domains)},
    )
    if totals.empty:
        return pd.DataFrame(columns=RADAR_COLUMNS)
    names = [str(d) for d in totals["target_domain"]]
    marks, p = in_list("t", names)
    refs = frame(
        mc,
        f"SELECT target_domain, SUM(new_ref_domains) AS referring_domains FROM mc_rollup_ref_domains_daily "
        f"WHERE target_domain IN ({marks}) GROUP BY target_domain",
        p,
    )
    recent = new_links(mc, now, lp, schema, names).rename(columns={"links": "new_24h"})[["target_domain", "new_24h"]]
    out = totals.merge(refs, on="target_domain", how="left").merge(recent, on="target_domain", how="left")
    out["backlinks"] = out["backlinks"].astype(int)
    out["referring_domains"] = pd.to_numeric(out["referring_domains"]).fillna(0).astype(int)
    out["new_24h"] = pd.to_numeric(out["new_24h"]).fillna(0).astype(int)
    a_n = pd.to_numeric(out["a_n"]).astype(float)
    out["avg_authority"] = (pd.to_numeric(out["a_sum"]).astype(float) / a_n.where(a_n > 0)).round(1)
    out["spam_share_pct"] = (pd.to_numeric(out["spam"]).astype(float) / out["backlinks"].astype(float) * 100).round(1)
    return out[RADAR_COLUMNS]


def heatmap(mc: Engine, now: datetime, days: int, domains: list[str] | None = None) -> pd.DataFrame:
    """Links found per (day, authority bucket) over the window: columns day, authority_bucket, links."""
    where, params = _target_filter(domains)
    return frame(
        mc,
        "SELECT day, authority_bucket, SUM(links) AS links FROM mc_rollup_links_daily "
        f"WHERE day >= :d{where} GROUP BY day, authority_bucket ORDER BY day, authority_bucket",
        {**params, "d": days_back(now, days)},
        columns=["day", "authority_bucket", "links"],
    )


def velocity(mc: Engine, now: datetime, days: int, domains: list[str] | None = None) -> pd.DataFrame:
    """One row per day of the window (zeros included): new links, lost links, new referring
    domains and the referring-domain total at the end of that day."""
    start = days_back(now, days)
    where, params = _target_filter(domains)
    new = frame(
        mc,
        f"SELECT day, SUM(links) AS new_links FROM mc_rollup_links_daily WHERE day >= :d{where} GROUP BY day",
        {**params, "d": start},
        columns=["day", "new_links"],
    )
    lost = frame(
        mc,
        f"SELECT day, SUM(lost_links) AS lost_links FROM mc_rollup_lost_daily WHERE day >= :d{where} GROUP BY day",
        {**params, "d": start},
        columns=["day", "lost_links"],
    )
    refs = frame(
        mc,
        f"SELECT day, SUM(new_ref_domains) AS new_ref_domains FROM mc_rollup_ref_domains_daily "
        f"WHERE day >= :d{where} GROUP BY day",
        {**params, "d": start},
        columns=["day", "new_ref_domains"],
    )
    before = frame(
        mc,
        f"SELECT COALESCE(SUM(new_ref_domains), 0) AS n FROM mc_rollup_ref_domains_daily WHERE day < :d{where}",
        {**params, "d": start},
    )
    first = datetime.strptime(start, "%Y-%m-%d")
    out = pd.DataFrame({"day": [day_key(first + timedelta(days=i)) for i in range(days)]})
    for part in (new, lost, refs):
        out = out.merge(part, on="day", how="left")
    for col in ("new_links", "lost_links", "new_ref_domains"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    out["referring_domains"] = int(before["n"].iloc[0] or 0) + out["new_ref_domains"].cumsum()
    return out


def anchors(mc: Engine, now: datetime, days: int, domains: list[str] | None = None, top: int = 15) -> pd.DataFrame:
    """The `top` anchors of the window by links (the rollup's per-day remainder as one row), with share %."""
    where, params = _target_filter(domains)
    out = frame(
        mc,
        f"SELECT anchor, SUM(links) AS links FROM mc_rollup_anchors_daily WHERE day >= :d{where} "
        "GROUP BY anchor ORDER BY links DESC, anchor",
        {**params, "d": days_back(now, days)},
        columns=["anchor", "links"],
    )
    if out.empty:
        return pd.DataFrame(columns=["anchor", "links", "share_pct"])
    total = float(out["links"].sum())
    out["links"] = out["links"].astype(int)
    head = out.head(top).copy()
    rest = int(out["links"].iloc[top:].sum())
    if rest:
        head = pd.concat([head, pd.DataFrame([{"anchor": "(all other anchors)", "links": rest}])], ignore_index=True)
    head["share_pct"] = (head["links"] / total * 100).round(1)
    return head


def finds(mc: Engine, now: datetime, days: int, domains: list[str] | None = None, limit: int = 100) -> pd.DataFrame:
    """New high-authority links of the window, newest first (from the top-links rollup)."""
    where, params = _target_filter(domains)
    return frame(
        mc,
        "SELECT first_seen, target_domain, source_domain, source_url, target_url, anchor_text, link_type, "
        f"authority, spam_level FROM mc_rollup_top_links WHERE day >= :d{where} "
        "ORDER BY first_seen DESC, authority DESC, link_id LIMIT :n",
        {**params, "d": days_back(now, days), "n": limit},
        columns=[
            "first_seen",
            "target_domain",
            "source_domain",
            "source_url",
            "target_url",
            "anchor_text",
            "link_type",
            "authority",
            "spam_level",
        ],
    )


MIX_COLUMNS = [f"mix_{b}" for b in BUCKETS]


def competition(mc: Engine, now: datetime, days: int, domains: list[str]) -> pd.DataFrame:
    """Head to head, one row per domain: referring domains (all time), new and lost links in the
    window and per day, and the authority mix of its links (share % per bucket, mix_0 … mix_9)."""
    cols = ["domain", "referring_domains", "new_links", "lost_links", "new_per_day", "lost_per_day", *MIX_COLUMNS]
    if not domains:
        return pd.DataFrame(columns=cols)
    start = days_back(now, days)
    marks, p = in_list("t", domains)
    refs = frame(
        mc,
        f"SELECT target_domain AS domain, SUM(new_ref_domains) AS referring_domains "
        f"FROM mc_rollup_ref_domains_daily WHERE target_domain IN ({marks}) GROUP BY target_domain",
        p,
    )
    new = frame(
        mc,
        f"SELECT target_domain AS domain, SUM(links) AS new_links FROM mc_rollup_links_daily "
        f"WHERE day >= :d AND target_domain IN ({marks}) GROUP BY target_domain",
        {**p, "d": start},
    )
    lost = frame(
        mc,
        f"SELECT target_domain AS domain, SUM(lost_links) AS lost_links FROM mc_rollup_lost_daily "
        f"WHERE day >= :d AND target_domain IN ({marks}) GROUP BY target_domain",
        {**p, "d": start},
    )
    mix = frame(
        mc,
        f"SELECT target_domain AS domain, authority_bucket, SUM(links) AS links FROM mc_rollup_links_daily "
        f"WHERE target_domain IN ({marks}) AND authority_bucket >= 0 GROUP BY target_domain, authority_bucket",
        p,
        columns=["domain", "authority_bucket", "links"],
    )
    out = pd.DataFrame({"domain": domains})
    for part in (refs, new, lost):
        if not part.empty:
            out = out.merge(part, on="domain", how="left")
    for col in ("referring_domains", "new_links", "lost_links"):
        out[col] = pd.to_numeric(out[col], errors="coerce").fillna(0).astype(int) if col in out else 0
    out["new_per_day"] = (out["new_links"] / days).round(1)
    out["lost_per_day"] = (out["lost_links"] / days).round(1)
    shares = {d: {b: 0.0 for b in BUCKETS} for d in domains}
    if not mix.empty:
        totals = mix.groupby("domain")["links"].sum()
        for r in mix.itertuples(index=False):
            shares[r.domain][int(r.authority_bucket)] = round(float(r.links) / float(totals[r.domain]) * 100, 1)
    for b in BUCKETS:
        out[f"mix_{b}"] = [shares[d][b] for d in domains]
    return out[cols]


def competition_daily(mc: Engine, now: datetime, days: int, domains: list[str]) -> pd.DataFrame:
    """New and lost links per day per domain over the window: day, domain, new_links, lost_links."""
    if not domains:
        return pd.DataFrame(columns=["day", "domain", "new_links", "lost_links"])
    start = days_back(now, days)
    marks, p = in_list("t", domains)
    new = frame(
        mc,
        f"SELECT day, target_domain AS domain, SUM(links) AS new_links FROM mc_rollup_links_daily "
        f"WHERE day >= :d AND target_domain IN ({marks}) GROUP BY day, target_domain",
        {**p, "d": start},
        columns=["day", "domain", "new_links"],
    )
    lost = frame(
        mc,
        f"SELECT day, target_domain AS domain, lost_links FROM mc_rollup_lost_daily "
        f"WHERE day >= :d AND target_domain IN ({marks})",
        {**p, "d": start},
        columns=["day", "domain", "lost_links"],
    )
    first = datetime.strptime(start, "%Y-%m-%d")
    grid = pd.DataFrame(
        [(day_key(first + timedelta(days=i)), d) for i in range(days) for d in domains], columns=["day", "domain"]
    )
    out = grid.merge(new, on=["day", "domain"], how="left").merge(lost, on=["day", "domain"], how="left")
    for col in ("new_links", "lost_links"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    return out


# -- drill-downs (on click) -----------------------------------------------------------------------
def links_found_on(
    lp: Engine,
    schema: SchemaInfo,
    day: str,
    domains: list[str] | None = None,
    bucket: int | None = None,
    limit: int = DRILL_LIMIT,
    mc: Engine | None = None,
) -> pd.DataFrame:
    """The links behind a bar or a heat-map cell: found on `day` (optionally in an authority
    bucket), newest first, at most `limit`.

    A cell (with `bucket` and the rollups' engine `mc`) reads its newest links from
    `mc_rollup_cell_links` (at most CELL_LINKS per target domain) and fetches them by primary
    key, so it costs the same at 1M or 10M links. A whole day (a velocity bar) uses the
    first-seen index newest-first and stops after `limit` rows.
    """
    if not schema.has("backlinks"):
        return pd.DataFrame(columns=LINK_COLUMNS)
    first = f"b.{schema.link_first_seen}"
    source, authority = authority_source(schema)
    if bucket is not None and mc is not None:
        where, params = _target_filter(domains)
        ids = frame(
            mc,
            f"SELECT link_id FROM mc_rollup_cell_links WHERE day = :d AND authority_bucket = :b{where} "
            "ORDER BY first_seen DESC, link_id LIMIT :n",
            {**params, "d": day, "b": int(bucket), "n": limit},
        )
        if ids.empty:
            return pd.DataFrame(columns=LINK_COLUMNS)
        marks, p = in_list("i", list(ids["link_id"]))
        return frame(
            lp,
            (
                f"SELECT {first} AS first_seen, b.source_domain_name AS source_domain, b.source_url, b.target_url, "
                f"b.anchor_text, b.link_type, {authority} AS authority, b.spam_level FROM {source} "
                f"WHERE b.id IN ({marks}) ORDER BY {first} DESC, b.id"
            ),
            p,
            columns=LINK_COLUMNS,
        )
    start = datetime.strptime(day, "%Y-%m-%d")
    where, params = _target_filter(domains, "b.target_domain_name")
    if bucket is not None:
        where += f" AND {bucket_sql(lp.dialect.name, authority)} = :bucket"
        params["bucket"] = int(bucket)
    return frame(
        lp,
        (
            f"SELECT {first} AS first_seen, b.source_domain_name AS source_domain, b.source_url, b.target_url, "
            f"b.anchor_text, b.link_type, {authority} AS authority, b.spam_level FROM {source} "
            f"WHERE {first} >= :d0 AND {first} < :d1{where} ORDER BY {first} DESC LIMIT :n"
        ),
        {**params, "d0": start, "d1": start + timedelta(days=1), "n": limit},
        columns=LINK_COLUMNS,
    )


def _lost_ids_query(day: str, domains: list[str] | None, limit: int) -> tuple[str, dict]:
    """The first `limit` lost links of `day` (of `domains`) by id, as (SQL, params).

    Each branch walks an index in link_id order and stops after `limit` entries (one branch per
    target domain, then the smallest `limit` of their union), so the cost does not grow with
    how many links were lost that day."""
    head = "SELECT link_id, reason FROM mc_rollup_lost_links WHERE lost_day = :d"
    params: dict = {"d": day, "n": limit}
    if not domains:
        return f"{head} ORDER BY link_id LIMIT :n", params
    branches = []
    for i, domain in enumerate(dict.fromkeys(domains)):
        params[f"t{i}"] = domain
        branches.append(f"SELECT * FROM ({head} AND target_domain = :t{i} ORDER BY link_id LIMIT :n) AS b{i}")
    return f"SELECT link_id, reason FROM ({' UNION ALL '.join(branches)}) AS u ORDER BY link_id LIMIT :n", params


def links_lost_on(
    lp: Engine, mc: Engine, schema: SchemaInfo, day: str, domains: list[str] | None = None, limit: int = DRILL_LIMIT
) -> pd.DataFrame:
    """The links lost on `day` (ids from the lost-link rollup, details by primary key)."""
    cols = [*LINK_COLUMNS, "reason"]
    ids = frame(mc, *_lost_ids_query(day, domains, limit), columns=["link_id", "reason"])
    if ids.empty or not schema.has("backlinks"):
        return pd.DataFrame(columns=cols)
    source, authority = authority_source(schema)
    marks, p = in_list("i", list(ids["link_id"]))
    links = frame(
        lp,
        (
            f"SELECT b.id AS link_id, b.{schema.link_first_seen} AS first_seen, b.source_domain_name AS source_domain, "
            f"b.source_url, b.target_url, b.anchor_text, b.link_type, {authority} AS authority, b.spam_level "
            f"FROM {source} WHERE b.id IN ({marks}) AND {LOST_SQL}"
        ),
        p,
    )
    if links.empty:
        return pd.DataFrame(columns=cols)
    return links.merge(ids, on="link_id").sort_values("link_id")[cols]


def discovery_metrics(
    mc: Engine, now: datetime, top: int = 10, lp: Engine | None = None, schema: SchemaInfo | None = None
) -> dict:
    """`backlink_discovery_metrics` of the contract, from the rollups (the main screen's feed);
    the 24 h counts exact with `lp` and `schema` (see `new_links`)."""
    totals = frame(
        mc,
        "SELECT COALESCE(SUM(links), 0) AS total, COALESCE(SUM(authority_sum), 0) AS a_sum, "
        "COALESCE(SUM(authority_n), 0) AS a_n FROM mc_rollup_links_daily",
    ).iloc[0]
    recent = new_links(mc, now, lp, schema)
    keyed = (
        "SELECT key, SUM(links) AS backlinks FROM (SELECT key, links FROM mc_rollup_counts WHERE kind = :k "
        "UNION ALL SELECT key, links FROM mc_rollup_count_tail WHERE kind = :k) AS k GROUP BY key "
        "ORDER BY backlinks DESC, key LIMIT :n"
    )
    domains = frame(mc, keyed, {"k": "source", "n": top}, columns=["key", "backlinks"])
    urls = frame(mc, keyed, {"k": "target_url", "n": top}, columns=["key", "backlinks"])
    unique = frame(
        mc,
        "SELECT COUNT(*) AS n FROM (SELECT key FROM mc_rollup_counts WHERE kind = 'source' UNION "
        "SELECT key FROM mc_rollup_count_tail WHERE kind = 'source') AS u",
    ).iloc[0]
    a_n = float(totals["a_n"] or 0)
    return {
        "total_backlinks_discovered": int(totals["total"] or 0),
        "unique_domains_discovered": int(unique["n"] or 0),
        "new_backlinks_24h": int(recent["links"].sum()),
        "potential_spam_links_24h": int(recent["spam_links"].sum()),
        "avg_authority_score": round(float(totals["a_sum"]) / a_n, 2) if a_n else None,
        "top_linking_domains": [
            {"domain": str(k), "backlinks": int(n)} for k, n in zip(domains["key"], domains["backlinks"])
        ],
        "top_target_urls": [{"url": str(k), "backlinks": int(n)} for k, n in zip(urls["key"], urls["backlinks"])],
    }


NEW_LINK_COLUMNS = ["links", "spam_links"]
TARGET_WIDTH = getattr(t.links_hourly.c.target_domain.type, "length", None)


def new_links(
    mc: Engine,
    now: datetime,
    lp: Engine | None = None,
    schema: SchemaInfo | None = None,
    targets: list[str] | None = None,
    hours: int = 24,
) -> pd.DataFrame:
    """Links and spam links first seen in the last `hours` per target domain (`targets`, else
    all): columns target_domain, links, spam_links.

    With Link Profiler's engine `lp` and `schema` the window is exact: whole hours from
    `mc_rollup_links_hourly`, the partial hours at both edges from `backlinks`
    (analytics.exact_window). Without them (the benchmarks) whole clock hours only: the
    current hour and the `hours` − 1 before it.
    """
    where, params = _target_filter(targets)
    if lp is None or schema is None or not schema.has("backlinks"):
        return frame(
            mc,
            "SELECT target_domain, SUM(links) AS links, SUM(spam_links) AS spam_links FROM mc_rollup_links_hourly "
            f"WHERE hour >= :h{where} GROUP BY target_domain",
            {**params, "h": hour_key(now - timedelta(hours=hours - 1))},
            columns=["target_domain", *NEW_LINK_COLUMNS],
        )
    window = exact_window.split(now, hours, exact_window.fresh_until(mc, "links"))
    whole = frame(
        mc,
        "SELECT target_domain, SUM(links) AS links, SUM(spam_links) AS spam_links FROM mc_rollup_links_hourly "
        f"WHERE hour >= :h0 AND hour < :h1{where} GROUP BY target_domain",
        {**params, **window.hours},
        columns=["target_domain", *NEW_LINK_COLUMNS],
    )
    edges = exact_window.storage_sums(
        lp,
        f"SELECT COALESCE(b.target_domain_name, '') AS target_domain, COUNT(*) AS links, SUM({SPAM_SQL}) AS spam_links "
        "FROM backlinks b WHERE {range} GROUP BY 1",
        f"b.{schema.link_first_seen}",
        window,
        {},
        ["target_domain", *NEW_LINK_COLUMNS],
    )
    if not edges.empty:
        # The rollup's keys are fitted to its column (common.textsafe): fit these the same way.
        edges["target_domain"] = [db_text(str(d), TARGET_WIDTH) for d in edges["target_domain"]]
        if targets is not None:
            edges = edges[edges["target_domain"].isin(set(targets))]
    out = exact_window.combine([whole, edges], "target_domain", NEW_LINK_COLUMNS)
    for col in NEW_LINK_COLUMNS:
        out[col] = out[col].astype(int)
    return out

"""Mission Control's rollup tables for the analysis pages (declared on MC_METADATA).

All are *derived*: `python -m analytics.setup --rebuild-rollups` empties and rebuilds them
from Link Profiler's tables. Days are 'YYYY-MM-DD' text and hours 'YYYY-MM-DD HH' text (UTC),
the same in SQLite and PostgreSQL, so range filters compare as text on both. A NULL target
domain is stored as '' (primary keys cannot hold NULL).

Crawled text: columns that are keys or indexed keep a bounded width (PostgreSQL cannot index
values past ~2.7 KB) and every write fits longer values into them with a hash suffix
(analytics.dialect.fit_rows → textsafe.db_text), so a 5,000-character domain name is stored,
stays distinct, and cannot fail a refresh; other crawled columns are TEXT.

Sizes do not grow with the number of backlinks: days × target domains × 11 authority buckets
for the daily rollup, one row per (target, linking domain) pair, top-N anchors and finds per
day, one row per lost link (only lost ones), hours × satellites for the fleet.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Index, Integer, String, Table, Text

from data.mc_tables import MC_METADATA

DAY = 10  # 'YYYY-MM-DD'
HOUR = 13  # 'YYYY-MM-DD HH'
NAME = 255

# Watermarks and the time of the last run of each refresh step.
rollup_state = Table(
    "mc_rollup_state",
    MC_METADATA,
    Column("name", String(50), primary_key=True),
    Column("watermark", DateTime),
    Column("updated_at", DateTime),
    Column("note", Text),
)

# Links found per day, target domain and authority bucket (0 = 0–10 … 9 = 90–100, -1 unknown).
links_daily = Table(
    "mc_rollup_links_daily",
    MC_METADATA,
    Column("day", String(DAY), primary_key=True),
    Column("target_domain", String(NAME), primary_key=True),
    Column("authority_bucket", Integer, primary_key=True),
    Column("links", Integer, nullable=False),
    Column("spam_links", Integer, nullable=False),
    Column("dofollow_links", Integer, nullable=False),
    Column("authority_sum", Float, nullable=False),
    Column("authority_n", Integer, nullable=False),
    Index("mc_rollup_links_daily_target", "target_domain", "day"),
)

# Links found per hour and target, for "found in the last 24 h" (kept three days).
links_hourly = Table(
    "mc_rollup_links_hourly",
    MC_METADATA,
    Column("hour", String(HOUR), primary_key=True),
    Column("target_domain", String(NAME), primary_key=True),
    Column("links", Integer, nullable=False),
    Column("spam_links", Integer, nullable=False),
)

# Every (target domain, linking domain) pair ever seen: the referring-domain sets.
ref_domains = Table(
    "mc_rollup_ref_domains",
    MC_METADATA,
    Column("target_domain", String(NAME), primary_key=True),
    Column("source_domain", String(NAME), primary_key=True),
    Column("first_day", String(DAY), nullable=False),
    Column("last_day", String(DAY), nullable=False),
    Index("mc_rollup_ref_domains_first", "first_day"),
    Index("mc_rollup_ref_domains_source", "source_domain"),
)

# New referring domains per day and target (a pair counts on its first day).
ref_domains_daily = Table(
    "mc_rollup_ref_domains_daily",
    MC_METADATA,
    Column("day", String(DAY), primary_key=True),
    Column("target_domain", String(NAME), primary_key=True),
    Column("new_ref_domains", Integer, nullable=False),
)

# The top anchors per day and target; the rest of the day's links under OTHER_ANCHOR.
anchors_daily = Table(
    "mc_rollup_anchors_daily",
    MC_METADATA,
    Column("day", String(DAY), primary_key=True),
    Column("target_domain", String(NAME), primary_key=True),
    Column("anchor", String(200), primary_key=True),
    Column("links", Integer, nullable=False),
)

# The highest-authority new links of each day (at most TOP_LINKS_PER_DAY), for the finds list.
top_links = Table(
    "mc_rollup_top_links",
    MC_METADATA,
    Column("link_id", String(64), primary_key=True),
    Column("day", String(DAY), nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("target_domain", String(NAME), nullable=False),
    Column("source_domain", Text),
    Column("source_url", Text),
    Column("target_url", Text),
    Column("anchor_text", Text),
    Column("link_type", Text),
    Column("spam_level", Text),
    Column("authority", Float),
    Index("mc_rollup_top_links_seen", "first_seen"),
)

# The newest links of each heat-map cell (day × target domain × authority bucket), at most
# CELL_LINKS each: what a click on a cell lists, without scanning that day's links.
cell_links = Table(
    "mc_rollup_cell_links",
    MC_METADATA,
    Column("link_id", String(64), primary_key=True),
    Column("day", String(DAY), nullable=False),
    Column("target_domain", String(NAME), nullable=False),
    Column("authority_bucket", Integer, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Index("mc_rollup_cell_links_cell", "day", "authority_bucket", "target_domain"),
)

# Every lost link once (first time it was seen lost): the dedup set behind lost-per-day.
lost_links = Table(
    "mc_rollup_lost_links",
    MC_METADATA,
    Column("link_id", String(64), primary_key=True),
    Column("target_domain", String(NAME), nullable=False),
    Column("source_domain", Text),
    Column("lost_day", String(DAY), nullable=False),
    Column("reason", String(20), nullable=False),
    # The drill-down reads one day (of one target) in link_id order, LIMIT n: with link_id in
    # the index it stops after n entries instead of sorting the whole day (which grows with the
    # links kept). The day's recount (lost-per-day) reads the first index by its prefix.
    Index("mc_rollup_lost_links_day_target_id", "lost_day", "target_domain", "link_id"),
    Index("mc_rollup_lost_links_day_id", "lost_day", "link_id"),
    # What older releases declared instead (data.mc_migrate drops it where it is left).
    info={"retired_indexes": ("mc_rollup_lost_links_day",)},
)

lost_daily = Table(
    "mc_rollup_lost_daily",
    MC_METADATA,
    Column("day", String(DAY), primary_key=True),
    Column("target_domain", String(NAME), primary_key=True),
    Column("lost_links", Integer, nullable=False),
)

# Shared referring domains between two watched domains (a < b), rebuilt each refresh.
overlap = Table(
    "mc_rollup_overlap",
    MC_METADATA,
    Column("domain_a", String(NAME), primary_key=True),
    Column("domain_b", String(NAME), primary_key=True),
    Column("shared", Integer, nullable=False),
)

# The strongest linking domains of each watched domain (top TOP_REFERRERS by authority), rebuilt each refresh.
top_referrers = Table(
    "mc_rollup_top_referrers",
    MC_METADATA,
    Column("target_domain", String(NAME), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("source_domain", String(NAME), nullable=False),
    Column("authority", Float),
)

# Satellite performance per hour: sums and counts, so any window's mean is exact.
satellite_hourly = Table(
    "mc_rollup_satellite_hourly",
    MC_METADATA,
    Column("hour", String(HOUR), primary_key=True),
    Column("satellite_id", String(NAME), primary_key=True),
    Column("samples", Integer, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("links", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    *[
        c
        for m in ("speed", "success", "response", "cpu", "memory", "network")
        for c in (Column(f"{m}_sum", Float, nullable=False), Column(f"{m}_n", Integer, nullable=False))
    ],
)

# Response time per target site and hour, from the logs of the satellites crawling it.
site_hourly = Table(
    "mc_rollup_site_hourly",
    MC_METADATA,
    Column("hour", String(HOUR), primary_key=True),
    Column("site", String(NAME), primary_key=True),
    Column("samples", Integer, nullable=False),
    Column("response_sum", Float, nullable=False),
    Column("response_n", Integer, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("satellites", Integer, nullable=False),
)

# Which satellite ran which job (Link Profiler keeps no assignment table), kept for good.
satellite_jobs = Table(
    "mc_rollup_satellite_jobs",
    MC_METADATA,
    Column("job_id", String(64), primary_key=True),
    Column("satellite_id", String(NAME), nullable=False),
    Column("site", Text),
    Column("status", Text),
    Column("started_at", DateTime),
    Column("completed_at", DateTime),
    Index("mc_rollup_satellite_jobs_done", "completed_at"),
    # The jobs list's satellite filter: a satellite's newest jobs.
    Index("mc_rollup_satellite_jobs_satellite", "satellite_id", "started_at"),
)

# Social mentions per day, query, platform and sentiment (the last MENTION_DAYS recomputed).
mentions_daily = Table(
    "mc_rollup_mentions_daily",
    MC_METADATA,
    Column("day", String(DAY), primary_key=True),
    Column("query", String(NAME), primary_key=True),
    Column("platform", String(100), primary_key=True),
    Column("sentiment", String(30), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Column("engagement_sum", Float, nullable=False),
)

# Every domain of `domains` with its value, factors and expiry facts.
domain_values = Table(
    "mc_domain_values",
    MC_METADATA,
    Column("name", String(NAME), primary_key=True),
    Column("value", Float, nullable=False),
    Column("factors", JSON),
    Column("authority", Float),
    Column("trust", Float),
    Column("spam", Float),
    Column("registered_date", DateTime),
    Column("expiration_date", DateTime),
    Column("is_registered", Boolean),
    Column("expired", Boolean, nullable=False),
    Column("referring_domains", Integer, nullable=False),
    Column("inbound_links", Integer, nullable=False),
    Column("inbound_lost", Integer, nullable=False),
    Column("inbound_avg_authority", Float),
    Column("registrar", Text),
    Column("registrant", String(NAME)),
    Column("ip_address", String(64)),
    Column("niche", Text),
    Index("mc_domain_values_value", "value"),
    Index("mc_domain_values_expiry", "expiration_date"),
    Index("mc_domain_values_ip", "ip_address"),
    Index("mc_domain_values_registrant", "registrant"),
)

# Link counts per linking domain ('source') and per target URL ('target_url'): days before the
# settle day are summed in `counts`; the days still re-aggregated by each refresh sit in
# `count_tail`, replaced every refresh, and move into `counts` once (see link_rollups).
counts = Table(
    "mc_rollup_counts",
    MC_METADATA,
    Column("kind", String(20), primary_key=True),
    Column("key", String(1000), primary_key=True),
    Column("links", Integer, nullable=False),
)
count_tail = Table(
    "mc_rollup_count_tail",
    MC_METADATA,
    Column("kind", String(20), primary_key=True),
    Column("key", String(1000), primary_key=True),
    Column("day", String(DAY), primary_key=True),
    Column("links", Integer, nullable=False),
    Index("mc_rollup_count_tail_day", "day"),
)

ROLLUP_TABLES = (
    counts,
    count_tail,
    links_daily,
    links_hourly,
    ref_domains,
    ref_domains_daily,
    anchors_daily,
    top_links,
    cell_links,
    lost_links,
    lost_daily,
    overlap,
    top_referrers,
    satellite_hourly,
    site_hourly,
    satellite_jobs,
    mentions_daily,
    domain_values,
    rollup_state,
)


def ensure_tables(engine) -> None:
    """Create the rollup tables that are missing and widen older narrower columns (idempotent;
    they are ours, prefixed mc_)."""
    from data.mc_migrate import sync_mc_indexes, widen_mc_columns

    MC_METADATA.create_all(engine, tables=list(ROLLUP_TABLES), checkfirst=True)
    widen_mc_columns(engine, MC_METADATA)
    sync_mc_indexes(engine, MC_METADATA)

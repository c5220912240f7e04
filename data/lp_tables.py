"""Link Profiler's tables as its two builds create them (variant M: Alembic migration,
variant O: ORM `create_all`), for the bootstrap command, the simulator and the tests.

Mission Control itself only *reads* these tables on a real deployment; the definitions here
exist so a demo or a test database looks exactly like a deployed one. Types are portable:
PostgreSQL gets jsonb / text[]; SQLite stores both as JSON text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

VARIANTS = ("M", "O")

JSONB_ = JSON().with_variant(JSONB(), "postgresql")
TEXT_ARRAY = JSON().with_variant(ARRAY(Text), "postgresql")

JOB_TYPES = (
    "backlink_discovery",
    "link_health_audit",
    "technical_audit",
    "domain_analysis",
    "full_seo_audit",
    "serp_analysis",
    "keyword_research",
    "social_media_crawl",
    "content_gap_analysis",
    "prospect_identification",
    "report_generation",
)
JOB_STATUSES = ("pending", "queued", "in_progress", "paused", "stopped", "completed", "failed", "cancelled")
LINK_TYPES = ("dofollow", "nofollow", "ugc", "sponsored", "internal", "external", "broken", "canonical", "redirect")
SPAM_LEVELS = ("none", "low", "medium", "high")


def build_metadata(variant: str = "M") -> MetaData:
    """Link Profiler's tables for `variant` ("M" or "O") in a fresh MetaData."""
    if variant not in VARIANTS:
        raise ValueError(f"schema variant must be M or O, not {variant!r}")
    m = variant == "M"
    md = MetaData()

    if m:
        Table(
            "domains",
            md,
            Column("name", String, primary_key=True),
            Column("authority_score", Float),
            Column("trust_score", Float),
            Column("spam_score", Float),
            Column("registered_date", DateTime),
            Column("expiration_date", DateTime),
            Column("registrar", String),
            Column("is_registered", Boolean),
            Column("is_parked", Boolean),
            Column("is_dead", Boolean),
            Column("whois_raw", JSONB_),
            Column("dns_records", JSONB_),
            Column("ip_address", String),
            Column("country", String),
            Column("seo_metrics", JSONB_),
            Column("last_checked", DateTime),
        )
    else:
        Table(
            "domains",
            md,
            Column("id", String, primary_key=True),
            Column("name", String, unique=True, nullable=False),
            Column("authority_score", Float),
            Column("trust_score", Float),
            Column("spam_score", String),
            Column("registered_date", DateTime),
            Column("expiration_date", DateTime),
            Column("registrar", String),
            Column("is_registered", Boolean),
            Column("is_parked", Boolean),
            Column("is_dead", Boolean),
            Column("whois_raw", Text),
            Column("dns_records", JSON),
            Column("ip_address", String),
            Column("country", String),
            Column("seo_metrics", JSON),
            Column("last_checked", DateTime),
        )

    job_cols: list[Any] = [
        Column("id", String, primary_key=True),
        Column("target_url", String, nullable=False),
        Column("job_type", String),
        Column("status", String),
        Column("created_at", DateTime),
        Column("started_date", DateTime),
        Column("completed_date", DateTime),
        Column("progress_percentage", Float),
        Column("urls_crawled", Integer),
        Column("links_found", Integer),
        Column("errors", JSONB_ if m else JSON),
        Column("priority", Integer),
        Column("scheduled_at", DateTime),
        Column("cron_schedule", String),
        Column("last_fetched_at", DateTime),
    ]
    if m:
        job_cols += [Column("config", JSONB_), Column("results", JSONB_), Column("anomalies_detected", TEXT_ARRAY)]
    Table("crawl_jobs", md, *job_cols)

    domain_fk = (lambda: [ForeignKey("domains.name")]) if m else (lambda: [])
    link_cols: list[Any] = [
        Column("id", String, primary_key=True),
        Column("source_url", String, nullable=False),
        Column("target_url", String, nullable=False),
        Column("source_domain_name", String, *domain_fk(), nullable=not m),
        Column("target_domain_name", String, *domain_fk(), nullable=not m),
        Column("anchor_text", String, nullable=not m),
        Column("link_type", String),
        Column("rel_attributes", TEXT_ARRAY),
        Column("context_text", Text),
        Column("alt_text", Text),
        Column("position_on_page", Integer if m else String),
        Column("is_image_link", Boolean),
        Column("is_active", Boolean),
        Column("authority_passed", Float),
        Column("spam_level", String),
        Column("http_status", Integer),
        Column("crawl_timestamp", DateTime),
        Column("source_domain_metrics", JSONB_ if m else JSON),
    ]
    if m:
        link_cols += [
            Column("discovered_date", DateTime),
            Column("last_seen_date", DateTime),
            UniqueConstraint("source_url", "target_url", name="uq_backlinks_source_target"),
        ]
    else:
        link_cols += [
            Column("first_seen", DateTime),
            Column("last_seen", DateTime),
            Column("nofollow", Boolean),
            Column("ugc", Boolean),
            Column("sponsored", Boolean),
            Column("source_page_authority", Float),
            Column("source_domain_authority", Float),
        ]
    Table("backlinks", md, *link_cols)

    perf_cols: list[Any] = [
        Column("id", Integer, primary_key=True, autoincrement=True) if m else Column("id", String, primary_key=True),
        Column("satellite_id", String, nullable=False),
        Column("timestamp", DateTime, nullable=not m),
        Column("pages_crawled", Integer),
        Column("links_extracted", Integer),
        Column("errors_logged", Integer),
        Column("crawl_speed_pages_per_minute", Float),
        Column("success_rate_percentage", Float),
        Column("avg_response_time_ms", Float),
        Column("cpu_utilization_percent", Float),
        Column("memory_utilization_percent", Float),
        Column("network_io_mbps", Float),
    ]
    if m:
        perf_cols.append(Column("bottlenecks_detected", TEXT_ARRAY))
    else:
        perf_cols += [
            Column("current_job_id", String),
            Column("current_job_type", String),
            Column("current_job_progress", Float),
        ]
    Table("satellite_performance_logs", md, *perf_cols)

    rule_cols: list[Any] = [
        Column("id", String, primary_key=True),
        Column("name", String, unique=True),
        Column("description", Text),
        Column("is_active", Boolean),
        Column("trigger_type", String),
        Column("job_type_filter", String),
        Column("target_url_pattern", String),
        Column("metric_name", String),
        Column("threshold_value", Float),
        Column("comparison_operator", String),
        Column("anomaly_type_filter", String),
        Column("severity", String),
    ]
    if m:
        rule_cols.append(Column("channels", TEXT_ARRAY))
    else:
        rule_cols += [Column("notification_channels", TEXT_ARRAY), Column("notification_recipients", TEXT_ARRAY)]
    rule_cols += [Column("created_at", DateTime), Column("updated_at", DateTime), Column("last_triggered_at", DateTime)]
    Table("alert_rules", md, *rule_cols)

    Table(
        "domain_history",
        md,
        Column("id", Integer if m else String, primary_key=True),
        Column("domain_name", String, nullable=False),
        Column("snapshot_date", DateTime),
        Column("authority_score", Float),
        Column("trust_score", Float),
        Column("spam_score", Float),
        Column("total_backlinks", Integer),
        Column("referring_domains", Integer),
    )
    Table(
        "social_mentions",
        md,
        Column("id", String, primary_key=True),
        Column("query", String),
        Column("platform", String),
        Column("mention_url", String),
        Column("mention_text", Text),
        Column("published_date", DateTime),
        Column("sentiment", String),
        Column("engagement_score", Float),
    )
    return md


LP_TABLES = tuple(build_metadata("M").tables)

"""Mission Control's quota tables (declared on MC_METADATA, created by data.bootstrap).

`mc_quota_usage_log` is the durable ledger: every consume attempt, granted or refused. Redis
holds the fast counters; when Redis loses them they are rebuilt from the granted rows here.
`mc_quota_events` keeps what people need to see later: emergency backup switches and the
moment a provider ran out.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text

from data.mc_tables import MC_METADATA

# Times are naive UTC, like every timestamp in Link Profiler's storage.
usage_log = Table(
    "mc_quota_usage_log",
    MC_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("provider", String(50), nullable=False),
    Column("units", Integer, nullable=False),
    Column("query_type", String(100)),
    Column("caller", String(200)),
    Column("granted", Boolean, nullable=False),
    Column("used_after", Integer),
    Index("ix_mc_quota_usage_log_provider_at", "provider", "at"),
)

events = Table(
    "mc_quota_events",
    MC_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("kind", String(40), nullable=False),  # emergency_backup | exhausted
    Column("provider", String(50), nullable=False),
    Column("primary_provider", String(50)),
    Column("query_type", String(100)),
    Column("priority", String(20)),
    Column("caller", String(200)),
    Column("message", Text),
)

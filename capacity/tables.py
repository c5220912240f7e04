"""`mc_drain_forecasts`: every drain forecast the producer made, and what happened after it.

One row per heavy cycle while the queue holds jobs (at most one a minute). `actual_empty_at` is
the first cycle after `made_at` that found the queue empty; `depth_at_predicted` is the depth
the first cycle at or after `predicted_empty_at` found. Both are known to within one heavy
cycle (MISSION_CONTROL_CACHE_TTL), the resolution at which the producer looks. Pruned after
DASHBOARD_HISTORY_RETENTION days.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, Table, Text

from data.mc_tables import MC_METADATA

drain_forecasts = Table(
    "mc_drain_forecasts",
    MC_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("made_at", DateTime, nullable=False),
    Column("depth", Integer, nullable=False),
    Column("satellites", Integer, nullable=False),
    Column("per_satellite", Float),  # jobs finished / satellite / minute
    Column("arrivals", Float, nullable=False),  # jobs arriving / minute
    Column("rate", Float),  # net: jobs the queue loses / minute
    Column("window_min", Float, nullable=False),
    Column("predicted_empty_at", DateTime),  # None: the queue was not shrinking
    Column("reason", Text),
    Column("actual_empty_at", DateTime),
    Column("depth_at_predicted", Integer),
    Index("ix_mc_drain_forecasts_made_at", "made_at"),
)

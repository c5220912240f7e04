"""Mission Control's own tables (`mc_` prefix); never Link Profiler's.

Feature packages (alerts, quotas, analytics) declare their tables on `MC_METADATA` in their own
`tables` module and list that module in `FEATURE_TABLE_MODULES`, so the bootstrap creates
them all without this file knowing their columns.
"""

from __future__ import annotations

import importlib

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

MC_METADATA = MetaData()

# Which modules declare mc_ tables; imported before create_all.
FEATURE_TABLE_MODULES: tuple[str, ...] = (
    "quotas.tables",
    "alerts.tables",
    "analytics.tables",
    "auth.tables",
    "archive.tables",
    "capacity.tables",
    "commands.tables",
)

mc_meta = Table(
    "mc_meta",
    MC_METADATA,
    Column("key", String(100), primary_key=True),
    Column("value", Text),
    Column("updated_at", DateTime),
)

# Rows that could not be stored where they belong (a value out of range, a constraint), set
# aside with the reason instead of being retried forever ahead of every later row.
dead_rows = Table(
    "mc_dead_rows",
    MC_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("destination", String(100), nullable=False),  # the mc_ table the row was meant for
    Column("row", Text, nullable=False),  # the row as JSON (values that JSON lacks as text)
    Column("error", Text),
)


def load_feature_tables() -> MetaData:
    """Import every feature's table module so `MC_METADATA` holds all mc_ tables."""
    for name in FEATURE_TABLE_MODULES:
        importlib.import_module(name)
    return MC_METADATA

"""The audit log (`mc_audit`, declared on MC_METADATA, created by data.bootstrap).

One row per command anyone asked for, written whatever the outcome (refused by the role gate
or by availability, failed at Link Profiler, or carried out): who (`user`, `role`, `via`), when
(`at`, naive UTC), what (`action`, `target`, `params` JSON, the operator's `reason`), how it
ended (`result` ok / failed / refused, `detail`) and what was seen afterwards (`observed`).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, Text

from data.mc_tables import MC_METADATA

RESULTS = ("ok", "failed", "refused")

audit = Table(
    "mc_audit",
    MC_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("user", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("via", String(40), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target", String(300)),
    Column("params", JSON),
    Column("reason", Text),  # why the operator ran it (optional, their words)
    Column("result", String(10), nullable=False),  # ok | failed | refused
    Column("detail", Text),  # Link Profiler's answer, its refusal, or ours
    Column("observed", Text),  # what was seen afterwards (job status, next heartbeat)
    Index("ix_mc_audit_at", "at"),
    Index("ix_mc_audit_action", "action"),
)

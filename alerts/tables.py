"""Mission Control's alert tables (declared on MC_METADATA, created by data.bootstrap).

- `mc_alerts`: the lifecycle state of every alert by fingerprint (pending / firing / resolved),
  with its acknowledgement and flap record. Only the elected producer writes transitions, and
  each one is a compare-and-set on `version`, so a producer that lost its lease cannot write
  over its successor, and two producers evaluating at once produce one transition, one notice.
- `mc_alert_history`: every event (pending, firing, resolved, repeat, acknowledged, silenced,
  silence ended, flapping) for the history view and the CSV export; pruned after
  DASHBOARD_HISTORY_RETENTION days.
- `mc_alert_silences`: silences by fingerprint or by alert type, with an expiry.
- `mc_alert_outbox`: every notice to send, one row per channel, delivered by lease-claiming
  workers in any process; survives restarts.
Times are naive UTC, like every timestamp in Link Profiler's storage.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, Text

from data.mc_tables import MC_METADATA

alerts = Table(
    "mc_alerts",
    MC_METADATA,
    Column("fingerprint", String(64), primary_key=True),
    Column("version", Integer, nullable=False, default=0),
    Column("rule", String(100), nullable=False),
    Column("type", String(100), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("state", String(20), nullable=False),  # pending | firing | resolved
    Column("message", Text),
    Column("recommended_action", Text),
    Column("affected_jobs", JSON),
    Column("affected_satellites", JSON),
    Column("details", JSON),
    Column("channels", JSON),
    Column("one_shot", Boolean, nullable=False, default=False),
    Column("since", DateTime),  # when the condition became true (pending start)
    Column("fired_at", DateTime),
    Column("resolved_at", DateTime),
    Column("last_notified_at", DateTime),
    Column("notified", Boolean, nullable=False, default=False),  # a firing notice went out
    Column("acknowledged_at", DateTime),
    Column("acknowledged_by", String(200)),
    Column("ack_comment", Text),
    Column("flapping", Boolean, nullable=False, default=False),
    Column("changes", JSON),  # epoch seconds of recent firing<->resolved changes
    Column("updated_at", DateTime),
    Index("ix_mc_alerts_state", "state"),
)

history = Table(
    "mc_alert_history",
    MC_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("event", String(30), nullable=False),
    Column("rule", String(100)),
    Column("type", String(100)),
    Column("severity", String(20)),
    Column("message", Text),
    Column("affected_jobs", JSON),
    Column("affected_satellites", JSON),
    Column("actor", String(200)),
    Column("comment", Text),
    Index("ix_mc_alert_history_at", "at"),
    Index("ix_mc_alert_history_fingerprint", "fingerprint"),
)

silences = Table(
    "mc_alert_silences",
    MC_METADATA,
    Column("id", String(36), primary_key=True),
    Column("fingerprint", String(64)),  # one alert ...
    Column("alert_type", String(100)),  # ... or every alert of a type
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("created_by", String(200)),
    Column("comment", Text),
    Column("ended_at", DateTime),  # set by the engine when it handled the end
    Index("ix_mc_alert_silences_ended", "ended_at"),
)

outbox = Table(
    "mc_alert_outbox",
    MC_METADATA,
    Column("id", String(36), primary_key=True),  # the notice id, also sent as an idempotency key
    Column("channel", String(20), nullable=False),  # slack | email | webhook
    Column("created_at", DateTime, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), nullable=False, default="pending"),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("claimed_until", DateTime),
    Column("claimed_by", String(64)),
    Column("delivered_at", DateTime),
    Column("last_error", Text),
    Index("ix_mc_alert_outbox_due", "status", "next_attempt_at"),
)

# What expires after DASHBOARD_HISTORY_RETENTION days, by name: (table, the time column that
# dates a row, the conditions that make it finished). `AlertStore.prune` deletes these rows; with
# an archive configured (MC_ARCHIVE_URL) the archive pass (archive/retention.py) writes them to
# Parquet first and deletes only what it wrote and read back.
EXPIRING = {
    "history": (history, history.c.at, ()),
    "alerts": (alerts, alerts.c.resolved_at, (alerts.c.state == "resolved", alerts.c.flapping.is_(False))),
    "silences": (silences, silences.c.ended_at, (silences.c.ended_at.is_not(None),)),
    "outbox": (outbox, outbox.c.created_at, (outbox.c.status != "pending",)),
}

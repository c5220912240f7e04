"""Reads and writes of the mc_alert* tables (SQLite and PostgreSQL alike, via SQLAlchemy Core).

`commit` applies one lifecycle Plan and its outbox rows in a single transaction: every row
write is compare-and-set on `version` and every silence end is conditional, so when another
producer got there first the whole tick's writes roll back (`Conflict`) and the engine reloads
and recomputes, instead of sending a second notice.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from alerts import tables
from alerts.lifecycle import Plan, Silence
from common.textsafe import fit_rows

HISTORY_EVENTS = (
    "pending",
    "firing",
    "resolved",
    "expired",
    "repeat",
    "acknowledged",
    "silenced",
    "silence_ended",
    "flapping",
    "flap_ended",
)


class Conflict(RuntimeError):
    """Another producer changed an alert first; reload and recompute."""


class AlertStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    # -- lifecycle state -------------------------------------------------------------------------
    def load_states(self, now: datetime, keep_resolved_s: float) -> dict[str, dict]:
        """{fingerprint: row} of every pending / firing / flapping alert and those resolved
        within `keep_resolved_s` (their recent changes feed flap detection)."""
        a = tables.alerts
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(a).where(
                        or_(
                            a.c.state.in_(("pending", "firing")),
                            a.c.flapping.is_(True),
                            a.c.resolved_at >= now - timedelta(seconds=keep_resolved_s),
                        )
                    )
                )
                .mappings()
                .all()
            )
        return {r["fingerprint"]: dict(r) for r in rows}

    def load_silences(self) -> list[Silence]:
        """Silences whose end the engine has not handled yet (active or just expired)."""
        s = tables.silences
        with self.engine.connect() as conn:
            rows = conn.execute(select(s).where(s.c.ended_at.is_(None))).mappings().all()
        return [
            Silence(
                id=r["id"],
                fingerprint=r["fingerprint"],
                alert_type=r["alert_type"],
                expires_at=r["expires_at"],
                created_by=r["created_by"],
                comment=r["comment"],
            )
            for r in rows
        ]

    def commit(self, plan: Plan, outbox_rows: list[dict], now: datetime) -> dict[str, int]:
        """Apply `plan` and insert `outbox_rows` atomically; returns {fingerprint: new version}.

        Raises `Conflict` when a compare-and-set failed (nothing is written then).

        Every row is fitted to its columns' widths (textsafe.fit_rows): rule ids, types and
        names come from Link Profiler's `alert_rules` and crawled satellite ids, and one value
        too long for `rule VARCHAR(100)` would otherwise fail the whole transaction, so no
        alert at all would be stored on any tick while that row exists.
        """
        a = tables.alerts
        versions = {}
        try:
            with self.engine.begin() as conn:
                for w in plan.writes:
                    values = {k: v for k, v in w.values.items() if k in a.c and k != "fingerprint"}
                    [values] = fit_rows(a, [values])
                    if w.kind == "insert":
                        values["version"] = 0
                        # An old resolved row no longer in memory is revived, not duplicated.
                        revived = conn.execute(
                            update(a)
                            .where(a.c.fingerprint == w.fingerprint, a.c.state == "resolved")
                            .values(**{**values, "version": a.c.version + 1})
                        )
                        if revived.rowcount == 0:
                            conn.execute(insert(a).values(fingerprint=w.fingerprint, **values))
                            versions[w.fingerprint] = 0
                        else:
                            versions[w.fingerprint] = conn.execute(
                                select(a.c.version).where(a.c.fingerprint == w.fingerprint)
                            ).scalar_one()
                    else:
                        values["version"] = (w.version or 0) + 1
                        done = conn.execute(
                            update(a).where(a.c.fingerprint == w.fingerprint, a.c.version == w.version).values(**values)
                        )
                        if done.rowcount != 1:
                            raise Conflict(f"alert {w.fingerprint} changed under us")
                        versions[w.fingerprint] = values["version"]
                for sid in plan.ended_silences:
                    s = tables.silences
                    done = conn.execute(update(s).where(s.c.id == sid, s.c.ended_at.is_(None)).values(ended_at=now))
                    if done.rowcount != 1:
                        raise Conflict(f"silence {sid} was ended by someone else")
                if plan.history:
                    conn.execute(insert(tables.history), fit_rows(tables.history, plan.history))
                if outbox_rows:
                    conn.execute(insert(tables.outbox), fit_rows(tables.outbox, outbox_rows))
        except IntegrityError as exc:
            raise Conflict(str(exc).splitlines()[0]) from exc
        return versions

    # -- people's actions ------------------------------------------------------------------------
    def acknowledge(self, fp: str, by: str, comment: str, now: datetime) -> dict | None:
        """Mark a pending/firing alert acknowledged; returns the row, None if not active."""
        a = tables.alerts
        with self.engine.begin() as conn:
            row = conn.execute(select(a).where(a.c.fingerprint == fp)).mappings().first()
            if row is None or row["state"] not in ("pending", "firing"):
                return None
            conn.execute(
                update(a)
                .where(a.c.fingerprint == fp)
                .values(
                    acknowledged_at=now,
                    acknowledged_by=by,
                    ack_comment=comment,
                    version=a.c.version + 1,
                    updated_at=now,
                )
            )
            conn.execute(insert(tables.history).values(_history(row, "acknowledged", now, by, comment)))
            return dict(row) | {"acknowledged_at": now, "acknowledged_by": by, "ack_comment": comment}

    def add_silence(
        self,
        *,
        fingerprint: str | None,
        alert_type: str | None,
        expires_at: datetime,
        by: str,
        comment: str,
        now: datetime,
    ) -> dict:
        """Create a silence; returns it as a row dict."""
        row = {
            "id": str(uuid.uuid4()),
            "fingerprint": fingerprint,
            "alert_type": alert_type,
            "created_at": now,
            "expires_at": expires_at,
            "created_by": by,
            "comment": comment,
            "ended_at": None,
        }
        a = tables.alerts
        with self.engine.begin() as conn:
            conn.execute(insert(tables.silences).values(**row))
            target = (
                conn.execute(select(a).where(a.c.fingerprint == fingerprint)).mappings().first()
                if fingerprint
                else None
            )
            conn.execute(
                insert(tables.history).values(
                    _history(
                        target or {"fingerprint": fingerprint or f"type:{alert_type}", "type": alert_type},
                        "silenced",
                        now,
                        by,
                        f"until {expires_at.isoformat()}Z" + (f": {comment}" if comment else ""),
                    )
                )
            )
        return row

    def end_silence(self, silence_id: str, now: datetime) -> bool:
        """Make a silence expire now (the engine announces its end on its next tick)."""
        s = tables.silences
        with self.engine.begin() as conn:
            done = conn.execute(
                update(s)
                .where(s.c.id == silence_id, s.c.ended_at.is_(None), s.c.expires_at > now)
                .values(expires_at=now)
            )
        return done.rowcount == 1

    def silences(self, now: datetime, include_ended: bool = False) -> list[dict]:
        s = tables.silences
        q = select(s).order_by(s.c.expires_at.desc()).limit(200)
        if not include_ended:
            q = q.where(s.c.ended_at.is_(None), s.c.expires_at > now)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    # -- reading for the page and the API ----------------------------------------------------------
    def alert(self, fp: str) -> dict | None:
        a = tables.alerts
        with self.engine.connect() as conn:
            row = conn.execute(select(a).where(a.c.fingerprint == fp)).mappings().first()
        return dict(row) if row else None

    def active(self) -> list[dict]:
        a = tables.alerts
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(a).where(a.c.state.in_(("pending", "firing")))).mappings()]

    def history(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        severity: str | None = None,
        alert_type: str | None = None,
        event: str | None = None,
        text: str | None = None,
        fingerprint: str | None = None,
        limit: int = 500,
    ) -> list[dict]:
        """History events, newest first, filtered (all filters optional)."""
        h = tables.history
        conds = []
        if since is not None:
            conds.append(h.c.at >= since)
        if until is not None:
            conds.append(h.c.at < until)
        if severity:
            conds.append(h.c.severity == severity)
        if alert_type:
            conds.append(h.c.type == alert_type)
        if event:
            conds.append(h.c.event == event)
        if fingerprint:
            conds.append(h.c.fingerprint == fingerprint)
        if text:
            conds.append(func.lower(h.c.message).contains(text.lower(), autoescape=True))
        q = select(h).order_by(h.c.at.desc(), h.c.id.desc()).limit(limit)
        if conds:
            q = q.where(and_(*conds))
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def outbox(self, limit: int = 100, status: str | None = None) -> list[dict]:
        o = tables.outbox
        q = select(o).order_by(o.c.created_at.desc()).limit(limit)
        if status:
            q = q.where(o.c.status == status)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    # -- retention -------------------------------------------------------------------------------
    def prune(self, now: datetime, retention_days: int) -> dict[str, int]:
        """Delete history, resolved alerts, ended silences and settled outbox rows older than
        the retention (DASHBOARD_HISTORY_RETENTION days)."""
        cutoff = now - timedelta(days=retention_days)
        with self.engine.begin() as conn:
            return {
                name: conn.execute(delete(table).where(at < cutoff, *finished)).rowcount
                for name, (table, at, finished) in tables.EXPIRING.items()
            }


def _history(row, event: str, now: datetime, actor: str | None, comment: str | None) -> dict:
    return {
        "at": now,
        "fingerprint": row["fingerprint"],
        "event": event,
        "rule": row.get("rule"),
        "type": row.get("type"),
        "severity": row.get("severity"),
        "message": row.get("message"),
        "affected_jobs": list(row.get("affected_jobs") or []),
        "affected_satellites": list(row.get("affected_satellites") or []),
        "actor": actor,
        "comment": comment,
    }

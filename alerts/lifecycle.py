"""The alert lifecycle as a pure step: (stored states, true conditions, silences, now) -> Plan.

    condition true ──► pending ──(held for_s)──► firing ──(condition false)──► resolved
                          └──(false before for_s: dropped quietly)

Notices are produced on firing, on resolve (not for one-shot events), every repeat interval
while firing (not when acknowledged), when a silence ends while the alert still fires, and
when an alert starts or stops flapping. An alert changing state `flap_threshold` times within
`flap_window_s` is *flapping*: one "flapping" notice replaces the storm, and the next notice is
sent when it has been stable for a whole window. A silenced alert changes state as usual but
sends nothing.

The step mutates nothing it is given; the engine commits the Plan in one transaction whose
row writes are compare-and-set on `version`, and adopts `plan.states` only after the commit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime

from alerts.conditions import Condition, jsonable
from alerts.settings import AlertSettings
from data.frames import iso

CONTENT = (
    "rule",
    "type",
    "severity",
    "message",
    "recommended_action",
    "affected_jobs",
    "affected_satellites",
    "details",
    "channels",
    "one_shot",
)


def epoch(dt: datetime | None) -> float | None:
    """Epoch seconds of a naive UTC datetime."""
    if dt is None:
        return None
    import calendar

    return calendar.timegm(dt.timetuple()) + dt.microsecond / 1e6


@dataclass
class Silence:
    id: str
    fingerprint: str | None
    alert_type: str | None
    expires_at: datetime
    created_by: str | None = None
    comment: str | None = None

    def matches(self, row: dict) -> bool:
        return (self.fingerprint is not None and self.fingerprint == row.get("fingerprint")) or (
            self.alert_type is not None and self.alert_type == row.get("type")
        )


@dataclass
class Write:
    kind: str  # "insert" (new fingerprint) | "update" (compare-and-set on version)
    fingerprint: str
    version: int | None
    values: dict


@dataclass
class Plan:
    states: dict[str, dict]
    writes: list[Write] = field(default_factory=list)
    history: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # notices to send, grouped later by channel
    ended_silences: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.writes or self.history or self.events or self.ended_silences)


def content_of(cond: Condition) -> dict:
    return {
        "rule": cond.rule,
        "type": cond.type,
        "severity": cond.severity,
        "message": cond.message,
        "recommended_action": cond.recommended_action,
        "affected_jobs": list(cond.affected_jobs),
        "affected_satellites": list(cond.affected_satellites),
        "details": jsonable(cond.details),
        "channels": None if cond.channels is None else list(cond.channels),
        "one_shot": cond.one_shot,
    }


class Lifecycle:
    def __init__(self, settings: AlertSettings):
        self.settings = settings

    def step(
        self, states: dict[str, dict], conditions: dict[str, Condition], silences: list[Silence], now: datetime
    ) -> Plan:
        """Compute the transitions of one tick. `states`: {fingerprint: mc_alerts row} of every
        alert not long resolved; `silences`: all silences not yet handled (active or just expired)."""
        plan = Plan(states={fp: copy.deepcopy(row) for fp, row in states.items()})
        active = [s for s in silences if s.expires_at > now]
        expired = [s for s in silences if s.expires_at <= now]
        self._recipients: dict[str, tuple[str, ...]] = {fp: c.recipients for fp, c in conditions.items()}
        # Alerts whose silence ends this tick get a "silence ended" notice, not also a repeat.
        self._ending = {fp for fp, row in plan.states.items() if any(s.matches(row) for s in expired)}
        for fp in sorted(set(plan.states) | set(conditions)):
            row = plan.states.get(fp)
            cond = conditions.get(fp)
            silenced = row is not None and any(s.matches(row) for s in active)
            if cond is not None:
                silenced = silenced or any(s.matches({"fingerprint": fp, "type": cond.type}) for s in active)
                self._true(plan, fp, row, cond, silenced, now)
            elif row is not None and row["state"] in ("pending", "firing"):
                self._false(plan, row, silenced, now)
            row = plan.states.get(fp)
            if row is not None and row.get("flapping"):
                self._maybe_end_flap(plan, row, silenced, now)
        for s in expired:
            plan.ended_silences.append(s.id)
            for row in plan.states.values():
                if (
                    row["state"] == "firing"
                    and s.matches(row)
                    and not row.get("flapping")
                    and not any(o.matches(row) for o in active)
                ):
                    self._notify(plan, row, "silence_ended", now, comment=s.comment, actor=s.created_by)
                    self._history(plan, row, "silence_ended", now, actor=s.created_by, comment=s.comment)
                    self._save(plan, row)
        return plan

    # -- transitions --------------------------------------------------------------------------
    def _true(self, plan: Plan, fp: str, row: dict | None, cond: Condition, silenced: bool, now: datetime) -> None:
        if row is None or row["state"] == "resolved":
            fresh = row is None
            row = row or {"fingerprint": fp, "version": 0, "changes": [], "flapping": False, "notified": False}
            row.update(
                content_of(cond),
                state="pending",
                since=now,
                fired_at=None,
                resolved_at=None,
                acknowledged_at=None,
                acknowledged_by=None,
                ack_comment=None,
                notified=False,
                last_notified_at=None,
                updated_at=now,
            )
            row["_new"] = fresh and row.get("_stored") is not True
            plan.states[fp] = row
            if cond.for_s > 0:
                self._history(plan, row, "pending", now)
                self._save(plan, row)
                return
        if row["state"] == "pending":
            if (now - row["since"]).total_seconds() < cond.for_s:
                return
            row.update(content_of(cond), state="firing", fired_at=now, updated_at=now)
            flapping_now = False if row.get("one_shot") else self._record_change(plan, row, now)
            self._history(plan, row, "firing", now)
            if not (flapping_now or row.get("flapping") or silenced):
                self._notify(plan, row, "firing", now)
            self._save(plan, row)
            return
        # Firing: keep the live message in memory only (durations change every tick; writing
        # them would cost a row write per tick); repeat the notice when due.
        row["_live"] = content_of(cond)
        due = (
            row.get("last_notified_at") is None
            or (now - row["last_notified_at"]).total_seconds() >= self.settings.repeat_interval_s
        )
        if (
            row.get("notified")
            and due
            and not row.get("one_shot")
            and not row.get("acknowledged_at")
            and not row.get("flapping")
            and not silenced
            and fp not in self._ending
        ):
            row.update(content_of(cond))
            self._notify(plan, row, "repeat", now)
            self._history(plan, row, "repeat", now)
            self._save(plan, row)

    def _false(self, plan: Plan, row: dict, silenced: bool, now: datetime) -> None:
        was_firing = row["state"] == "firing"
        live = row.pop("_live", None)
        if live:
            row.update(live)
        row.update(
            state="resolved",
            resolved_at=now,
            updated_at=now,
            acknowledged_at=None,
            acknowledged_by=None,
            ack_comment=None,
        )
        if not was_firing:
            self._save(plan, row)  # a pending alert that cleared: no history, no notice
            return
        flapping_now = False if row.get("one_shot") else self._record_change(plan, row, now)
        self._history(plan, row, "expired" if row.get("one_shot") else "resolved", now)
        if row.get("notified") and not row.get("one_shot") and not (flapping_now or row.get("flapping") or silenced):
            self._notify(plan, row, "resolved", now)
        row["notified"] = False
        self._save(plan, row)

    def _record_change(self, plan: Plan, row: dict, now: datetime) -> bool:
        """Note a firing/resolved change; True when this change starts flapping."""
        now_e = epoch(now)
        window = self.settings.flap_window_s
        changes = [c for c in (row.get("changes") or []) if now_e - c < window] + [now_e]
        row["changes"] = changes
        if not row.get("flapping") and len(changes) >= self.settings.flap_threshold:
            row["flapping"] = True
            self._history(plan, row, "flapping", now)
            self._notify(plan, row, "flapping", now)
            return True
        return False

    def _maybe_end_flap(self, plan: Plan, row: dict, silenced: bool, now: datetime) -> None:
        changes = row.get("changes") or []
        if changes and epoch(now) - max(changes) < self.settings.flap_window_s:
            return
        row.update(flapping=False, changes=[], updated_at=now)
        self._history(plan, row, "flap_ended", now)
        if not silenced:
            self._notify(plan, row, "flap_ended", now)
            row["notified"] = row["state"] == "firing"
        self._save(plan, row)

    # -- output ---------------------------------------------------------------------------------
    def _notify(self, plan: Plan, row: dict, event: str, now: datetime, comment=None, actor=None) -> None:
        if event in ("firing", "repeat", "silence_ended") or (event == "flap_ended" and row["state"] == "firing"):
            row["notified"] = True
            row["last_notified_at"] = now
        plan.events.append(
            {
                "event": event,
                "fingerprint": row["fingerprint"],
                "at": iso(now),
                "state": row["state"],
                "type": row["type"],
                "severity": row["severity"],
                "rule": row["rule"],
                "message": row["message"],
                "recommended_action": row.get("recommended_action") or "",
                "affected_jobs": list(row.get("affected_jobs") or []),
                "affected_satellites": list(row.get("affected_satellites") or []),
                "details": row.get("details") or {},
                "since": iso(row.get("since")),
                "fired_at": iso(row.get("fired_at")),
                "resolved_at": iso(row.get("resolved_at")),
                "channels": row.get("channels"),
                "recipients": list(self._recipients.get(row["fingerprint"], ())),
                "comment": comment,
                "actor": actor,
            }
        )

    def _history(self, plan: Plan, row: dict, event: str, now: datetime, actor=None, comment=None) -> None:
        plan.history.append(
            {
                "at": now,
                "fingerprint": row["fingerprint"],
                "event": event,
                "rule": row["rule"],
                "type": row["type"],
                "severity": row["severity"],
                "message": row["message"],
                "affected_jobs": list(row.get("affected_jobs") or []),
                "affected_satellites": list(row.get("affected_satellites") or []),
                "actor": actor,
                "comment": comment,
            }
        )

    def _save(self, plan: Plan, row: dict) -> None:
        values = {k: v for k, v in row.items() if not k.startswith("_")}
        for w in plan.writes:
            if w.fingerprint == row["fingerprint"]:
                w.values = values
                return
        plan.writes.append(
            Write(
                "insert" if row.get("_new") else "update",
                row["fingerprint"],
                None if row.get("_new") else row.get("version"),
                values,
            )
        )

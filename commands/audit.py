"""The audit log's storage: one row per command (`mc_audit`), its filtered pages and its CSV.

Writes are single statements on Mission Control's own database (`services.mc_engine`); a
record is written before anything is observed, so a command whose observation never ends
(a process killed mid-wait) is still on record.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Engine

from commands.tables import RESULTS, audit
from common.csv_export import table_csv
from common.identity import Identity
from common.textsafe import fit_rows, strip_invisible

MAX_PAGE = 500
CSV_LIMIT = 10_000
COLUMNS = ("id", "at", "user", "role", "via", "action", "target", "params", "reason", "result", "detail", "observed")
# Free text is stored bounded: an operator's reason or an upstream answer is never megabytes.
MAX_TEXT = 4000


def _bounded(value: str | None) -> str | None:
    if value is None:
        return None
    text = strip_invisible(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def record(
    engine: Engine,
    who: Identity,
    action: str,
    target: str | None,
    params: dict | None,
    result: str,
    detail: str | None,
    reason: str | None,
    now: datetime,
) -> int:
    """Store one command's record; returns its id. `result` is ok, failed or refused."""
    if result not in RESULTS:
        raise ValueError(f"result must be one of {', '.join(RESULTS)}, not {result!r}")
    row = fit_rows(
        audit,
        [
            {
                "at": now,
                "user": who.name,
                "role": who.role.label,
                "via": who.via,
                "action": action,
                "target": target,
                "params": params or {},
                "reason": _bounded(reason),
                "result": result,
                "detail": _bounded(detail),
            }
        ],
    )[0]
    with engine.begin() as conn:
        key = conn.execute(insert(audit).values(**row)).inserted_primary_key
        return int(key[0]) if key else 0


def set_result(engine: Engine, record_id: int, result: str, detail: str | None) -> None:
    """The outcome of a command recorded when it started."""
    if result not in RESULTS:
        raise ValueError(f"result must be one of {', '.join(RESULTS)}, not {result!r}")
    with engine.begin() as conn:
        conn.execute(update(audit).where(audit.c.id == record_id).values(result=result, detail=_bounded(detail)))


def set_observed(engine: Engine, record_id: int, observed: str) -> None:
    """Add what was seen after the command to its record."""
    with engine.begin() as conn:
        conn.execute(update(audit).where(audit.c.id == record_id).values(observed=_bounded(observed)))


@dataclass(frozen=True)
class AuditFilter:
    """What a page of the log is narrowed to (None = any)."""

    user: str | None = None
    action: str | None = None
    result: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None  # a substring of target, reason, detail or observed

    def where(self):
        c = audit.c
        clauses = []
        if self.user:
            clauses.append(c.user == self.user)
        if self.action:
            clauses.append(c.action == self.action)
        if self.result:
            clauses.append(c.result == self.result)
        if self.since:
            clauses.append(c.at >= self.since)
        if self.until:
            clauses.append(c.at < self.until)
        if self.text:
            # The text is a bound parameter; % and _ in it are escaped so they match themselves.
            pattern = "%" + self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(
                or_(*(col.ilike(pattern, escape="\\") for col in (c.target, c.reason, c.detail, c.observed, c.user)))
            )
        return clauses


def _row(m) -> dict:
    out = dict(m)
    if isinstance(out.get("params"), str):  # SQLite hands JSON back as text in some drivers
        with contextlib.suppress(ValueError):
            out["params"] = json.loads(out["params"])
    return out


def page(engine: Engine, filters: AuditFilter, offset: int = 0, limit: int = 50) -> tuple[list[dict], int]:
    """(records newest first, total matching) for one page of the log."""
    limit = max(1, min(CSV_LIMIT, limit))  # callers bound pages (MAX_PAGE); the export takes more
    where = filters.where()
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(audit).where(*where)).scalar_one()
        rows = conn.execute(
            select(audit)
            .where(*where)
            .order_by(audit.c.at.desc(), audit.c.id.desc())
            .offset(max(0, offset))
            .limit(limit)
        ).mappings()
        return [_row(r) for r in rows], int(total)


def get(engine: Engine, record_id: int) -> dict | None:
    """One record by id, or None."""
    with engine.connect() as conn:
        found = conn.execute(select(audit).where(audit.c.id == record_id)).mappings().first()
    return _row(found) if found else None


def users(engine: Engine, limit: int = 200) -> list[str]:
    """The users that appear in the log (for the page's filter), alphabetically."""
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(audit.c.user).distinct().order_by(audit.c.user).limit(limit))]


def as_csv(records: list[dict]) -> str:
    """Records as CSV: every column, params as JSON, cells formula-safe (common.csv_export)."""
    rows = []
    for r in records[:CSV_LIMIT]:
        row = dict(r)
        at = row.get("at")
        row["at"] = at.isoformat() if isinstance(at, datetime) else at
        row["params"] = json.dumps(row.get("params") or {}, sort_keys=True)
        rows.append(row)
    return table_csv(rows, list(COLUMNS))

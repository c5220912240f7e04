"""Audit records -> table rows and the paging line (pure; every value is plain text in a
DataTable, so what an operator or Link Profiler wrote stays text)."""

from __future__ import annotations

import json
from datetime import datetime

from pages.audit.ids import AuditIds as Ids
from ui.delta import Render

COLUMNS = [
    ("at", "time (UTC)"),
    ("user", "user"),
    ("role", "role"),
    ("via", "via"),
    ("action", "command"),
    ("target", "target"),
    ("result", "result"),
    ("reason", "reason"),
    ("detail", "detail"),
    ("observed", "seen afterwards"),
    ("params", "parameters"),
]


def rows(records: list[dict]) -> list[dict]:
    """Table rows: times as 'YYYY-MM-DD HH:MM:SS', parameters as compact JSON, all text."""
    out = []
    for r in records:
        at = r.get("at")
        row = {c: ("" if r.get(c) is None else str(r.get(c))) for c, _h in COLUMNS}
        row["at"] = at.strftime("%Y-%m-%d %H:%M:%S") if isinstance(at, datetime) else str(at or "")[:19]
        row["params"] = json.dumps(r.get("params") or {}, sort_keys=True) if r.get("params") else ""
        out.append(row)
    return out


def summary(offset: int, shown: int, total: int) -> str:
    """'records 51–100 of 230' (or that there are none)."""
    if total == 0:
        return "no records match"
    return f"records {offset + 1}–{offset + shown} of {total:,}"


def render(model: dict) -> dict[str, Render]:
    """The table and the paging line for one page of the log ({"records", "total", "offset"})."""
    records = model.get("records", [])
    return {
        Ids.TABLE: Render(full=rows(records)),
        Ids.SUMMARY: Render(full=summary(model.get("offset", 0), len(records), model.get("total", 0))),
    }

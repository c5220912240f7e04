"""Alert history as JSON-ready dicts and as CSV (for the API and the page's export button).

Cells go through textsafe.csv_cell: alert messages carry crawled text, and a spreadsheet would
otherwise run one starting with =, +, - or @ as a formula.
"""

from __future__ import annotations

import csv
import io

from data.frames import iso
from common.textsafe import csv_cell

COLUMNS = (
    "at",
    "event",
    "severity",
    "type",
    "message",
    "affected_jobs",
    "affected_satellites",
    "actor",
    "comment",
    "rule",
    "fingerprint",
)
# The page's export names the zone of its time column (a person opens it in a spreadsheet);
# the API's keeps the field names its clients read, and its times end with Z.
PAGE_HEADER = ("at (UTC)", *COLUMNS[1:])


def history_record(row: dict) -> dict:
    """One mc_alert_history row as JSON-ready values (times ISO with Z)."""
    return {
        "at": iso(row.get("at")),
        "event": row.get("event"),
        "severity": row.get("severity"),
        "type": row.get("type"),
        "message": row.get("message") or "",
        "affected_jobs": list(row.get("affected_jobs") or []),
        "affected_satellites": list(row.get("affected_satellites") or []),
        "actor": row.get("actor"),
        "comment": row.get("comment"),
        "rule": row.get("rule"),
        "fingerprint": row.get("fingerprint"),
    }


def _cell(value) -> str:
    return str(csv_cell(value))


def history_csv(rows: list[dict], header: tuple[str, ...] = COLUMNS) -> str:
    """CSV text (`header`, the names of COLUMNS, + one line per history row; times UTC with Z)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        rec = history_record(row)
        writer.writerow([_cell(rec[c]) for c in COLUMNS])
    return out.getvalue()

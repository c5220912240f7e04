"""What the analysis pages (Discovery, Domains, Performance) share between first paint and
their callbacks: the producer's clock and rows made ready for a plain-text DataTable."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from analytics.service import latest_snapshot
from data.frames import utcnow


def now_of(doc: dict) -> datetime:
    """The producer's 'now' (the snapshot's build time), so pages and snapshot agree; the wall
    clock when there is no snapshot (before the first one, or Redis down)."""
    built = doc.get("mc", {}).get("built_at")
    return datetime.fromtimestamp(float(built), UTC).replace(tzinfo=None) if built else utcnow()


def page_now(ctx) -> datetime:
    """`now_of` the latest snapshot."""
    return now_of(latest_snapshot(ctx))


def fields(columns: list[tuple[str, str]]) -> list[str]:
    """The field names of [(field, header)] column specs."""
    return [c for c, _h in columns]


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?")


def records(frame, columns: list[str]) -> list[dict]:
    """DataFrame rows as JSON-ready dicts (timestamps as text, NaN as None)."""
    if frame is None or frame.empty:
        return []
    out = []
    for row in frame[columns].to_dict("records"):
        clean = {}
        for k, v in row.items():
            if v is None or (isinstance(v, float) and v != v):
                clean[k] = None
            elif hasattr(v, "isoformat"):
                clean[k] = str(v)[:16]  # minutes are enough on screen; UTC like all stored times
            elif isinstance(v, str) and _TIMESTAMP.fullmatch(v):
                clean[k] = v[:16]  # SQLite hands timestamps back as text
            else:
                v = v.item() if hasattr(v, "item") else v
                if isinstance(v, float):
                    v = round(v, 2)
                clean[k] = v if isinstance(v, (int, float, bool)) else str(v)
        out.append(clean)
    return out

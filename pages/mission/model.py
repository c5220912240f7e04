"""The main screen's data: the snapshot document (read through pages.snapshot) and the parts
of it the page draws apart."""

from __future__ import annotations


ALL_SATELLITES = "all"


def satellite_choices(doc: dict) -> list[dict]:
    """The fleet panel's command picker: every satellite and "all" (values are satellite ids)."""
    ids = sorted({str(s.get("satellite_id")) for s in doc.get("mc", {}).get("fleet", []) if s.get("satellite_id")})
    return [{"label": "all satellites", "value": ALL_SATELLITES}] + [{"label": i, "value": i} for i in ids]


def queue_trend(doc: dict) -> list[list[float]]:
    """The rolling queue-depth series [[epoch, depth], …] (extended in the browser, not redrawn)."""
    return doc.get("mc", {}).get("queue_trend", [])

"""The main screen's data: the snapshot document (read through pages.snapshot) and the parts
of it the page draws apart."""

from __future__ import annotations


def queue_trend(doc: dict) -> list[list[float]]:
    """The rolling queue-depth series [[epoch, depth], …] (extended in the browser, not redrawn)."""
    return doc.get("mc", {}).get("queue_trend", [])

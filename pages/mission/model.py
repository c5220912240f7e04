"""The main screen's data: the snapshot document (one Redis GET of the version; the document
is fetched and parsed once per version per process by SnapshotStore)."""

from __future__ import annotations


def latest(ctx) -> tuple[int | None, dict | None]:
    """(version, document) of the latest snapshot; raises when Redis does not answer."""
    return ctx.snapshots.load()


def at_version(ctx, version) -> dict | None:
    """The document of an older `version`, while Redis still keeps it (None otherwise)."""
    return ctx.snapshots.load_version(version) if isinstance(version, int) else None


def queue_trend(doc: dict) -> list[list[float]]:
    """The rolling queue-depth series [[epoch, depth], …] (extended in the browser, not redrawn)."""
    return doc.get("mc", {}).get("queue_trend", [])

"""What the shell shows of the data: the snapshot's version and time, and offline sources."""

from __future__ import annotations


def latest(ctx) -> tuple[int | None, dict | None]:
    """(version, document) of the latest snapshot; raises when Redis does not answer."""
    return ctx.snapshots.load()


def offline_sources(doc: dict) -> str:
    """'DATABASE OFFLINE · …' for each source the producer found offline; '' when all answer."""
    sources = doc.get("mc", {}).get("sources", {})
    return " · ".join(name.upper() + " OFFLINE" for name, health in sources.items() if not health.get("online", True))

"""The producer's clock as the pages see it, so a page and the snapshot agree on 'now'."""

from __future__ import annotations

from datetime import UTC, datetime

from pages.snapshot import latest_snapshot


def now_of(doc: dict) -> datetime:
    """The producer's 'now' (the snapshot's build time), so pages and snapshot agree; the wall
    clock when there is no snapshot (before the first one, or Redis down)."""
    built = doc.get("mc", {}).get("built_at")
    return (
        datetime.fromtimestamp(float(built), UTC).replace(tzinfo=None)
        if built
        else datetime.now(UTC).replace(tzinfo=None)
    )


def page_now(ctx) -> datetime:
    """`now_of` the latest snapshot."""
    return now_of(latest_snapshot(ctx))

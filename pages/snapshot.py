"""The snapshot as every page reads it: one Redis GET of the version; the document is fetched
and parsed once per version per process (producer.snapshot_store.SnapshotStore)."""

from __future__ import annotations

import logging

from common import metrics

log = logging.getLogger(__name__)


def latest(ctx) -> tuple[int | None, dict | None]:
    """(version, document) of the latest snapshot; raises when Redis does not answer."""
    version, doc = ctx.snapshots.load()
    metrics.observe_snapshot_age(doc)
    return version, doc


def at_version(ctx, version) -> dict | None:
    """The document of an older `version`, while Redis still keeps it (None otherwise)."""
    return ctx.snapshots.load_version(version) if isinstance(version, int) else None


def latest_snapshot(ctx) -> dict:
    """The latest snapshot document; empty before the first one or while Redis is down."""
    try:
        _version, doc = ctx.snapshots.load()
    except Exception as exc:
        log.debug("no snapshot: %s", exc)
        return {}
    metrics.observe_snapshot_age(doc)
    return doc or {}

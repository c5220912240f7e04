"""One snapshot a minute: written by the producer that holds the lease, read back for replays.

The document is stored as published (its `version` set), JSON compressed with zlib: a main
screen's document is tens of kilobytes of repetitive JSON and shrinks to a few. Nothing
rendered is kept: a replay renders the document through the page's own render path.
"""

from __future__ import annotations

import json
import logging
import zlib
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from archive.tables import minutes

log = logging.getLogger(__name__)

# How far before the asked minute a replay may fall back to (a producer restart leaves gaps).
LOOKBACK = timedelta(minutes=5)


def minute_of(at: datetime) -> datetime:
    """The UTC minute `at` falls in (naive, seconds and microseconds zero)."""
    return at.replace(second=0, microsecond=0)


def encode(document: dict) -> bytes:
    """The document as stored: compact JSON (as the snapshot store publishes it), zlib-compressed."""
    return zlib.compress(json.dumps(document, separators=(",", ":"), default=str).encode(), 6)


def decode(blob: bytes) -> dict:
    """The stored document back; ValueError when the bytes are not one."""
    try:
        doc = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError) as exc:
        raise ValueError(f"not a stored snapshot document: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("not a stored snapshot document: not a JSON object")
    return doc


def insert_once(engine: Engine, minute: datetime, version: int, blob: bytes) -> bool:
    """Store the minute unless it is stored already (the first document of a minute wins, so two
    producers or a retry never conflict); True when this call stored it."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(minutes).values(minute=minute, version=version, document=blob).on_conflict_do_nothing()
    with engine.begin() as conn:
        return bool(conn.execute(stmt).rowcount)


class MinuteRecorder:
    """Keeps one document a minute; `record` is cheap on every tick but the minute's first."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._done: datetime | None = None  # the last minute stored (or found stored)

    def record(self, document: dict, version: int, now: datetime) -> bool:
        """Store `document` (published as `version` at `now`) if its minute has none yet; True
        when stored. A failure is raised (the caller marks the database) and retried next tick."""
        minute = minute_of(now)
        if minute == self._done:
            return False
        stored = insert_once(self.engine, minute, version, encode(dict(document, version=version)))
        self._done = minute
        return stored


def stored_at(engine: Engine, minute: datetime, lookback: timedelta = LOOKBACK) -> tuple[datetime, dict] | None:
    """(minute kept, document) for `minute`, else the nearest kept minute up to `lookback` before
    it; None when the database keeps none there."""
    q = (
        select(minutes.c.minute, minutes.c.document)
        .where(minutes.c.minute <= minute, minutes.c.minute >= minute - lookback)
        .order_by(minutes.c.minute.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(q).first()
    return None if row is None else (row.minute, decode(row.document))


def stored_range(engine: Engine) -> tuple[datetime, datetime] | None:
    """(first, last) minute the database keeps; None when it keeps none."""
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(minutes.c.minute), func.max(minutes.c.minute))).one()
    return None if first is None else (first, last)

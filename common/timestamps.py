"""Timestamps the way Link Profiler stores them: naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd


def utcnow() -> datetime:
    """Naive UTC now, the way Link Profiler stores timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_datetime(value) -> datetime | None:
    """A timestamp cell as a naive UTC datetime (SQLite hands back text; JSON may carry zones)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        value = value.to_pydatetime()
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value

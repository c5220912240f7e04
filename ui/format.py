"""Number, duration, time and URL formatting for display (pure, no Dash).

Times leave the server in UTC (storage and APIs are UTC, and a render is shared by every
viewer of a process, whatever their zone): `utc_iso` is the instant a page element carries,
`utc_text` the UTC text it shows until the browser (assets/time.js) writes the viewer's zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from common.timestamps import to_datetime

# How much of a time an element shows: the browser keeps the same shape in the viewer's zone.
TimeUnit = Literal["date", "minute", "second", "recent"]
_SHAPES: dict[str, str] = {
    "date": "%Y-%m-%d",
    "minute": "%Y-%m-%d %H:%M",
    "second": "%Y-%m-%d %H:%M:%S",
    "recent": "%m-%d %H:%M:%S",  # recent events: the time of day says more than the year
}
UTC_MARK = " (UTC)"


def count(value) -> str:
    """1234567 → '1,234,567'; None → '—' (unknown is never shown as 0)."""
    if value is None:
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return "—"


def percent(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value):.{digits}f}%"


def duration(seconds) -> str:
    """Seconds as '45 s', '4 m 12 s', '3 h 05 m', '2 d 4 h'; None → '—'."""
    if seconds is None:
        return "—"
    s = round(float(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} m {s % 60:02d} s"
    if s < 86400:
        return f"{s // 3600} h {(s % 3600) // 60:02d} m"
    return f"{s // 86400} d {(s % 86400) // 3600} h"


def coarse_duration(seconds) -> str:
    """A duration for a live countdown: seconds in steps of 5 under a minute, whole minutes
    under an hour (so a display does not change, and travel, every second)."""
    if seconds is None:
        return "—"
    s = max(0.0, float(seconds))
    if s < 60:
        return f"{int(s // 5 * 5)} s"
    if s < 3600:
        return f"~{round(s / 60)} m"
    return duration(s // 60 * 60)


def heartbeat_age(seconds: float) -> str:
    """Heartbeats come every 5 s: under 10 s is simply 'live'; then the age in 5 s steps."""
    if seconds < 10:
        return "< 10 s"
    return f"{duration(seconds // 5 * 5)} ago"


def safe_href(url) -> str | None:
    """`url` if it is an absolute http(s) URL, else None: crawled URLs never become
    javascript:, data: or relative links."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def short(text, limit: int = 60) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _instant(value) -> datetime | None:
    """A timestamp (datetime, pandas Timestamp, ISO text with or without a zone; naive = UTC)
    as a naive UTC datetime, or None."""
    dt = to_datetime(value) if value not in (None, "") else None
    return None if dt is None or dt != dt else dt  # NaT is a datetime that is not equal to itself


def utc_iso(value) -> str | None:
    """The instant as ISO-8601 UTC with a Z ('2026-11-29T22:00:00Z'); None when unreadable."""
    dt = _instant(value)
    return None if dt is None else dt.replace(microsecond=0).isoformat() + "Z"


def utc_text(value, unit: TimeUnit = "minute") -> str:
    """The instant in UTC, shaped by `unit` ('2026-11-29 22:00' for minute); '—' when unknown."""
    dt = _instant(value)
    return "—" if dt is None else dt.strftime(_SHAPES[unit])


def utc_label(label: str) -> str:
    """A time column's header: 'found' → 'found (UTC)'. Exports keep it (their cells are UTC); on
    the page, a DataTable column whose header ends so is shown in the viewer's zone."""
    return label + UTC_MARK

"""Number, duration and URL formatting for display (pure, no Dash)."""

from __future__ import annotations

from urllib.parse import urlsplit


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

"""The minute a viewer asks to replay (`/?at=…`), parsed from an ISO 8601 time.

Accepted: `2026-11-29T03:12Z`, `2026-11-29T03:12:40Z` (the minute it falls in), `…+01:00` (any
offset, converted to UTC), and the same without a zone or with a space for `T`, taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

MAX_LENGTH = 40
EXAMPLE = "2026-11-29T03:12Z"


class BadTime(ValueError):
    """The text is not a time we can replay; the message says what is expected."""


def parse_minute(text: str) -> datetime:
    """The naive UTC minute `text` names; BadTime with a message fit to show otherwise."""
    raw = text.strip()
    if not raw or len(raw) > MAX_LENGTH:
        raise BadTime(f"expected a UTC time such as {EXAMPLE}")
    try:
        at = datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1] in "zZ" else raw)
    except ValueError:
        raise BadTime(f"expected a UTC time such as {EXAMPLE}") from None
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    if at.year < 2000:
        raise BadTime(f"{at:%Y} is before anything kept")
    return at.replace(second=0, microsecond=0)


def minute_text(minute: datetime) -> str:
    """A minute in the form `?at=` takes: `2026-11-29T03:12Z`."""
    return minute.strftime("%Y-%m-%dT%H:%MZ")

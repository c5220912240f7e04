"""The main screen's data: the snapshot document (read through pages.snapshot) and the parts
of it the page draws apart; for `/?at=`, the document kept for that minute (a replay)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC

import on_demand
from archive.at import BadTime, minute_text, parse_minute
from commands.control import MAX_SATELLITE_ID
from common.textsafe import strip_invisible

log = logging.getLogger(__name__)


ALL_SATELLITES = "all"
LABEL_CHARS = 60


def satellite_choices(doc: dict) -> list[dict]:
    """The fleet panel's command picker: "all" and every satellite whose id a command can name
    (printable, at most MAX_SATELLITE_ID characters: the others are reached through "all"), with
    labels cut to LABEL_CHARS (a label of thousands of characters stalls the browser's dropdown)."""
    ids = sorted(
        {
            str(s["satellite_id"])
            for s in doc.get("mc", {}).get("fleet", [])
            if s.get("satellite_id")
            and len(str(s["satellite_id"])) <= MAX_SATELLITE_ID
            and str(s["satellite_id"]).isprintable()
        }
    )
    return [{"label": "all satellites", "value": ALL_SATELLITES}] + [{"label": _label(i), "value": i} for i in ids]


def _label(satellite: str) -> str:
    text = strip_invisible(satellite)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def queue_trend(doc: dict) -> list[list[float]]:
    """The rolling queue-depth series [[epoch, depth], …] (extended in the browser, not redrawn)."""
    return doc.get("mc", {}).get("queue_trend", [])


@dataclass(frozen=True)
class ReplayModel:
    """What `/?at=` asked and found: `document` for `minute` (ISO, `…Z`) from `source`, or
    `problem`, a sentence saying why nothing is replayed."""

    asked: str
    minute: str | None = None
    epoch_minute: int | None = None  # the minute shown, in minutes since the epoch (the scrubber's value)
    document: dict | None = None
    source: str | None = None
    problem: str | None = None


def replay(ctx, asked: str | None) -> ReplayModel | None:
    """The replay `asked` (the `at` query value) names; None when nothing is asked."""
    if asked is None:
        return None
    shown = asked[:60]
    try:
        minute = parse_minute(asked)
    except BadTime as exc:
        return ReplayModel(shown, problem=f"Cannot replay “{shown}”: {exc}.")
    try:
        found = on_demand.snapshot_at(ctx, minute)
    except Exception as exc:
        log.warning("replay of %s failed: %s", minute_text(minute), exc)
        return ReplayModel(shown, problem=f"Cannot replay {minute_text(minute)}: the archive did not answer.")
    if found is None:
        return ReplayModel(shown, problem=f"Nothing is kept for {minute_text(minute)}.")
    epoch_minute = int(found.minute.replace(tzinfo=UTC).timestamp() // 60)
    return ReplayModel(shown, minute_text(found.minute), epoch_minute, found.document, found.source)


def replay_range(doc: dict) -> tuple[int, int] | None:
    """The minutes a replay can show, (first, last) in epoch minutes, from the live document."""
    kept = (doc.get("mc") or {}).get("replay")
    if not isinstance(kept, dict):
        return None
    first, last = kept.get("from"), kept.get("to")
    if isinstance(first, bool) or isinstance(last, bool):
        return None
    if not isinstance(first, (int, float)) or not isinstance(last, (int, float)):
        return None
    return int(first // 60), int(last // 60)

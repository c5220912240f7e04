"""The main screen's data: the snapshot document (read through pages.snapshot) and the parts
of it the page draws apart."""

from __future__ import annotations

from commands.control import MAX_SATELLITE_ID
from common.textsafe import strip_invisible


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

"""The Queues page's data: one page of one of Link Profiler's queues (job queue, scheduled jobs,
dead letters), read through the bounded on-demand reader; and the depths of all three from the
snapshot. A refresh reads at most one page (PAGE_SIZE entries) of the queue shown."""

from __future__ import annotations

from datetime import datetime

import on_demand
from data.queue_entries import QueuePage
from pages.clock import now_of
from pages.snapshot import latest_snapshot
from ui.inputs import bounded_int, choice

# Field of config.RedisKeys -> what the page calls it.
QUEUES = {"job_queue": "job queue", "scheduled": "scheduled jobs", "dead_letter": "dead letters"}
DEFAULT_QUEUE = "job_queue"
PAGE_SIZE = 25
MAX_OFFSET = 10_000_000
# The dead-letter commands: on the entry picked, and on every entry.
DEAD_COMMANDS = ("dead_letters_retry", "dead_letters_purge")
ALL_ENTRIES = "all"
ENTRY_CHARS = 20  # a dead letter's id (data.queue_entries.entry_id)


def queue_choice(value) -> str:
    return choice("queue", value, tuple(QUEUES), DEFAULT_QUEUE)


def offset_of(value) -> int:
    return bounded_int("offset", value, 0, MAX_OFFSET, 0) or 0


def model(ctx, queue: str, offset: int) -> dict:
    """{"page": QueuePage, "now", "queue", "depths": {field: (depth, type)}} for one queue page."""
    doc = latest_snapshot(ctx)
    now: datetime = now_of(doc)
    queues = doc.get("mc", {}).get("queues", {})
    types = queues.get("types", {})
    depths = {q: (queues.get(q), types.get(q)) for q in QUEUES}
    try:
        page: QueuePage = on_demand.queue_page(ctx, queue, offset, PAGE_SIZE, now)
    except Exception as exc:  # Redis down: say so, never fail the page
        ctx.services.mark("redis", False, exc)
        key = getattr(ctx.settings.redis_keys, queue)
        page = QueuePage(key, "unknown", 0, offset, problem=f"Redis does not answer: {str(exc)[:200]}")
    return {"page": page, "now": now, "queue": queue, "depths": depths, "paused": queues.get("dispatch_paused")}


def picked_entry(cell, rows) -> str | None:
    """The dead-letter entry id of the table row a click landed on (None: not a dead letter)."""
    if not isinstance(cell, dict) or not isinstance(rows, list):
        return None
    index = cell.get("row")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(rows):
        return None
    entry = rows[index].get("entry") if isinstance(rows[index], dict) else None
    return entry if isinstance(entry, str) and len(entry) == ENTRY_CHARS else None

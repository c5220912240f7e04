"""The contents of Link Profiler's queues, one page at a time: the job queue (a list or a
sorted set), the scheduled jobs (a sorted set scored by due time) and the dead letters (a list).

TYPE is asked first and only the command of that type is sent, so a key of an unexpected type
is reported ("holds a hash"), never a WRONGTYPE error. A page is at most MAX_PAGE entries; each
entry is parsed as JSON defensively: anything that is not a JSON object, or longer than
MAX_PARSE characters, is shown as a preview of its text with the reason it was not parsed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis

from common.timestamps import to_datetime

MAX_PAGE = 100
MAX_PARSE = 64 * 1024
PREVIEW = 300
TEXT = 500


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue: its key, Redis type, total entries, the entries (parsed) and a
    problem when the key could not be read as a queue."""

    key: str
    kind: str
    total: int
    offset: int
    entries: list[dict] = field(default_factory=list)
    problem: str | None = None


def entry_id(raw: str) -> str:
    """The name of a dead letter (Link Profiler gives its entries none): a hash of its exact
    text, stable while the entry is unchanged; the dead-letter commands find an entry by it."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def _text(value, limit: int = TEXT) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list)):
        value = json.dumps(value, default=str, sort_keys=True)
    return str(value)[:limit]


def _reason(doc: dict) -> str | None:
    """Why an entry is where it is: Link Profiler's dead_letter_reason, else an error field."""
    for name in ("dead_letter_reason", "reason", "error", "error_message", "message"):
        value = doc.get(name)
        if isinstance(value, dict):
            value = value.get("message") or value.get("error") or value
        if value not in (None, ""):
            return _text(value)
    return None


def _since(doc: dict, names: tuple[str, ...]) -> datetime | None:
    for name in names:
        value = doc.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            try:
                return datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None)
            except (OverflowError, OSError, ValueError):
                continue
        if isinstance(value, str):
            found = to_datetime(value[:64])
            if found is not None:
                return found
    return None


# When each queue's entry entered it: a dead letter's own stamp first, then the job's times.
SINCE_FIELDS = {
    "dead_letter": ("dead_letter_timestamp", "failed_at", "completed_at", "timestamp", "created_at"),
    "job_queue": ("queued_at", "created_at", "timestamp"),
    "scheduled": ("created_at",),
}


def parse_entry(raw, queue: str, score: float | None, now: datetime) -> dict:
    """One entry as a row: id, job_type, target_url, priority, reason, since, age_s, due_at,
    score, size, preview, problem; a dead letter's `entry` (entry_id). Never raises."""
    text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8", "replace")
    # Named as the dead-letter commands name it: the text as Redis holds it (undecodable bytes kept).
    exact = raw if isinstance(raw, str) else bytes(raw).decode("utf-8", "surrogateescape")
    row: dict = {
        "entry": entry_id(exact) if queue == "dead_letter" else None,
        "id": None,
        "job_type": None,
        "target_url": None,
        "priority": None,
        "reason": None,
        "since": None,
        "age_s": None,
        "due_at": None,
        "score": score if score is None or math.isfinite(score) else None,
        "size": len(text),
        "preview": text[:PREVIEW],
        "problem": None,
    }
    if queue == "scheduled" and row["score"] is not None:
        try:
            row["due_at"] = datetime.fromtimestamp(float(score), UTC).replace(tzinfo=None)  # type: ignore[arg-type]
        except (OverflowError, OSError, ValueError):
            row["problem"] = "its score is not a time"
    if len(text) > MAX_PARSE:
        row["problem"] = f"{len(text):,} characters: too large to parse"
        return row
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        row["problem"] = "not JSON"
        return row
    if not isinstance(doc, dict):
        row["problem"] = f"JSON {type(doc).__name__}, not an object"
        return row
    row["id"] = _text(doc.get("id") or doc.get("job_id"), 100)
    row["job_type"] = _text(doc.get("job_type"), 100)
    row["target_url"] = _text(doc.get("target_url") or doc.get("url"), 2000)
    priority = doc.get("priority")
    row["priority"] = priority if isinstance(priority, (int, float)) and not isinstance(priority, bool) else None
    row["reason"] = _reason(doc) if queue == "dead_letter" else None
    since = _since(doc, SINCE_FIELDS.get(queue, ("created_at",)))
    row["since"] = since
    row["age_s"] = (now - since).total_seconds() if since else None
    return row


def _read(client, key: str, kind: str, queue: str, offset: int, count: int) -> tuple[int, list]:
    """(total, [(entry, score or None)]) of one page, in the queue's order (see read_page)."""
    pipe = client.pipeline(transaction=True)
    if kind == "list":
        pipe.llen(key)
        if queue == "job_queue":
            # LPUSHed and popped from the right: entry 0 is the last element (the next popped).
            pipe.lrange(key, -(offset + count), -(offset + 1))
        else:
            # Dead letters are LPUSHed and trimmed to the newest: entry 0 is the newest.
            pipe.lrange(key, offset, offset + count - 1)
        total, items = pipe.execute()
        return int(total), [(item, None) for item in (reversed(items) if queue == "job_queue" else items)]
    pipe.zcard(key)
    if queue == "job_queue":
        pipe.zrevrange(key, offset, offset + count - 1, withscores=True)
    else:
        pipe.zrange(key, offset, offset + count - 1, withscores=True)
    total, pairs = pipe.execute()
    return int(total), list(pairs)


def _raw_client(client) -> redis.Redis | None:
    """A client on the same server that returns bytes; None when it cannot be made."""
    try:
        kwargs = dict(client.connection_pool.connection_kwargs)
        kwargs["decode_responses"] = False
        pool = client.connection_pool.__class__(connection_class=client.connection_pool.connection_class, **kwargs)
        return client.__class__(connection_pool=pool)
    except Exception:
        return None


def read_page(client: redis.Redis, key: str, queue: str, offset: int, count: int, now: datetime) -> QueuePage:
    """Entries [offset, offset + count) of `key` (count ≤ MAX_PAGE). The job queue as a list is
    read in its pop order from the right (LPUSH then RPOP: the next popped first), as a sorted
    set highest score first (BZPOPMAX takes the highest priority); dead letters newest first
    (LPUSHed); scheduled jobs soonest due first."""
    count = max(1, min(int(count), MAX_PAGE))
    offset = max(0, int(offset))
    kind = client.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    if kind == "none":
        return QueuePage(key, kind, 0, offset)
    if kind not in ("list", "zset"):
        return QueuePage(key, kind, 0, offset, problem=f"{key} holds a {kind}, which is not a queue")
    try:
        try:
            total, pairs = _read(client, key, kind, queue, offset, count)
        except UnicodeDecodeError:
            # An entry that is not UTF-8 fails the whole reply of a decoding client: read the
            # page again as bytes (parse_entry shows such an entry with replacement characters).
            raw = _raw_client(client)
            if raw is None:
                return QueuePage(key, kind, 0, offset, problem=f"{key} holds entries that are not UTF-8 text")
            try:
                total, pairs = _read(raw, key, kind, queue, offset, count)
            finally:
                raw.close()
                raw.connection_pool.disconnect()
    except redis.ResponseError as exc:  # the key changed type between TYPE and the read
        return QueuePage(key, kind, 0, offset, problem=f"{key} could not be read: {str(exc)[:200]}")
    entries = [parse_entry(item, queue, score, now) for item, score in pairs]
    return QueuePage(key, kind, int(total), offset, entries)

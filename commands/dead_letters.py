"""Link Profiler's dead-letter queue: read a page of it, retry or purge one entry or all.

The key (REDIS_DEAD_LETTER_QUEUE_KEY, default `dead_letter_queue`) is a list of JSON documents:
a failed job with `dead_letter_reason` and `dead_letter_timestamp` (its crawl service), or
`{"job_id", "original_data", "dead_letter_reason", "dead_letter_timestamp"}` (its satellites).

Retry is Link Profiler's own (`/debug/reprocess_dead_letters`): drop the two dead-letter
fields; a job whose status is "failed" goes back to "pending" with `errors_count` 0 and an
empty `error_log`; it is pushed onto the job queue scored by its `priority` (default 5). Where
it differs, on purpose: the queue's actual type decides the push (ZADD on a sorted set, LPUSH
on a list, like the coordinator; never a WRONGTYPE), and an entry that cannot be retried (not
a JSON object, a priority that is not a number) stays in the dead-letter queue instead of
being dropped with the rest.

Entries have no ids in Link Profiler; here an entry is named by a hash of its exact text
(`entry_id`) plus its position as a hint. Retrying one entry is a WATCH / MULTI transaction
over the dead-letter key and the queue key: if either changes between finding the entry and
moving it, nothing is written and the move is tried again on the new contents, so an entry is
never retried twice nor lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis

from common.timestamps import to_datetime
from data.queue_entries import entry_id
from config import RedisKeys

ATTEMPTS = 5
MAX_SCAN = 100_000  # entries a search for one entry (or a retry of all) may read
DEAD_FIELDS = ("dead_letter_reason", "dead_letter_timestamp")
DEFAULT_PRIORITY = 5


class DeadLetterError(Exception):
    """A dead-letter operation that cannot be done; the message says why."""


def _str(raw) -> str:
    # The app's clients decode replies; a raw client's bytes are decoded the same way.
    return raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else str(raw)


@dataclass(frozen=True)
class DeadLetter:
    """One entry as shown: position, id, the job it names, why and when it died, and its text."""

    position: int
    id: str
    job_id: str | None
    target_url: str | None
    reason: str | None
    died_at: datetime | None
    age_s: float | None
    raw: str

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "id": self.id,
            "job_id": self.job_id,
            "target_url": self.target_url,
            "reason": self.reason,
            "died_at": self.died_at.isoformat() if self.died_at else None,
            "age_s": self.age_s,
            "raw": self.raw,
        }


@dataclass(frozen=True)
class DeadLetterPage:
    entries: list[DeadLetter]
    total: int
    key_type: str
    problem: str | None = None


def _text(value, limit: int = 2000) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value)
    return text[:limit]


def describe(position: int, raw: str, now: datetime) -> DeadLetter:
    """What an entry says of itself (an entry that is not JSON still gets a row)."""
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        return DeadLetter(position, entry_id(raw), None, None, "(not a JSON object)", None, None, raw)
    original: dict = doc["original_data"] if isinstance(doc.get("original_data"), dict) else {}
    reason = (
        doc.get("dead_letter_reason") or doc.get("error") or doc.get("error_message") or original.get("error_message")
    )
    if isinstance(reason, dict):
        reason = reason.get("message") or json.dumps(reason)
    died = to_datetime(doc.get("dead_letter_timestamp") or doc.get("completed_at"))
    age = max(0.0, (now - died).total_seconds()) if died else None
    return DeadLetter(
        position,
        entry_id(raw),
        _text(doc.get("id") or doc.get("job_id")),
        _text(doc.get("target_url") or original.get("target_url")),
        _text(reason),
        died,
        age,
        raw,
    )


def inspect(client: redis.Redis, keys: RedisKeys, now: datetime, offset: int = 0, limit: int = 50) -> DeadLetterPage:
    """One page of the dead-letter queue (list order), with its total; never a WRONGTYPE."""
    key = keys.dead_letter
    kind = _str(client.type(key))
    if kind == "none":
        return DeadLetterPage([], 0, kind)
    if kind != "list":
        return DeadLetterPage(
            [], 0, kind, f"{key} holds a {kind}, not a list; Link Profiler keeps dead letters in a list"
        )
    offset, limit = max(0, offset), max(1, min(500, limit))
    pipe = client.pipeline(transaction=True)
    pipe.llen(key)
    pipe.lrange(key, offset, offset + limit - 1)
    total, raws = pipe.execute()
    return DeadLetterPage([describe(offset + i, _str(raw), now) for i, raw in enumerate(raws)], int(total), kind)


# -- retry ----------------------------------------------------------------------------------
def requeued(raw: str) -> tuple[str, float]:
    """(queue member, priority) for a dead letter, Link Profiler's way; DeadLetterError if it
    cannot be retried."""
    try:
        job = json.loads(raw)
    except ValueError:
        raise DeadLetterError("the entry is not JSON") from None
    if not isinstance(job, dict):
        raise DeadLetterError("the entry is not a JSON object")
    for name in DEAD_FIELDS:
        job.pop(name, None)
    if job.get("status") == "failed":
        job["status"] = "pending"
        job["errors_count"] = 0
        job["error_log"] = []
    priority = job.get("priority", DEFAULT_PRIORITY)
    try:
        score = float(priority)
    except (TypeError, ValueError):
        raise DeadLetterError(f"the entry's priority {str(priority)[:40]!r} is not a number") from None
    return json.dumps(job), score


def _push(pipe, key: str, kind: str, items: list[tuple[str, float]]) -> None:
    if not items:
        return
    if kind == "zset":
        pipe.zadd(key, dict(items))
    else:
        pipe.lpush(key, *(member for member, _score in items))


def _queue_kind(pipe, keys: RedisKeys, when_empty: str) -> str:
    kind = pipe.type(keys.job_queue)
    if kind == "none":
        return when_empty
    if kind not in ("list", "zset"):
        raise DeadLetterError(f"the job queue {keys.job_queue} holds a {kind}, not a list or a sorted set")
    return kind


def _find(pipe, key: str, wanted: str, hint: int | None) -> str | None:
    """The entry named `wanted`: at `hint` if it is still there, else searched for."""
    if hint is not None and hint >= 0:
        raw = pipe.lindex(key, hint)
        if raw is not None and entry_id(raw) == wanted:
            return raw
    if pipe.llen(key) > MAX_SCAN:
        raise DeadLetterError(f"{key} holds more than {MAX_SCAN:,} entries; retry or purge them all instead")
    return next((raw for raw in pipe.lrange(key, 0, -1) if entry_id(raw) == wanted), None)


def _list_or_none(pipe, key: str) -> None:
    kind = pipe.type(key)
    if kind not in ("list", "none"):
        raise DeadLetterError(f"{key} holds a {kind}, not a list")


@dataclass
class Moved:
    """What a retry or purge did: entries moved/removed, entries left and why."""

    done: int = 0
    kept: int = 0
    problems: list[str] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)


def _watched(client: redis.Redis, keys: RedisKeys, move: Callable[[Any], Moved]) -> Moved:
    """Run `move(pipe)` with the dead-letter and queue keys WATCHed (`move` reads, then calls
    pipe.multi() and queues its writes); a change by anyone else in between discards the writes
    and `move` runs again on the new contents, at most ATTEMPTS times."""
    with client.pipeline(transaction=True) as pipe:
        for _ in range(ATTEMPTS):
            try:
                pipe.watch(keys.dead_letter, keys.job_queue)
                _list_or_none(pipe, keys.dead_letter)
                return move(pipe)
            except redis.WatchError:
                continue
    raise DeadLetterError("the dead-letter queue kept changing; nothing was moved, try again")


def retry_one(client: redis.Redis, keys: RedisKeys, wanted: str, hint: int | None, when_empty: str = "zset") -> Moved:
    """Move the entry named `wanted` back onto the job queue (atomically: see the module doc)."""
    dlq = keys.dead_letter

    def move(pipe) -> Moved:
        raw = _find(pipe, dlq, wanted, hint)
        if raw is None:
            raise DeadLetterError("that dead letter is no longer in the queue (retried or purged meanwhile)")
        member, score = requeued(raw)
        kind = _queue_kind(pipe, keys, when_empty)
        pipe.multi()
        pipe.lrem(dlq, 1, raw)
        _push(pipe, keys.job_queue, kind, [(member, score)])
        pipe.execute()
        job = describe(0, raw, datetime(1970, 1, 1)).job_id
        return Moved(done=1, job_ids=[job] if job else [])

    return _watched(client, keys, move)


def retry_all(client: redis.Redis, keys: RedisKeys, when_empty: str = "zset") -> Moved:
    """Move every retriable entry back onto the job queue; the others stay, in their order."""
    dlq = keys.dead_letter

    def move(pipe) -> Moved:
        if pipe.llen(dlq) > MAX_SCAN:
            raise DeadLetterError(f"{dlq} holds more than {MAX_SCAN:,} entries; purge it instead")
        moved, kept, out = [], [], Moved()
        for raw in (_str(r) for r in pipe.lrange(dlq, 0, -1)):
            try:
                moved.append(requeued(raw))
            except DeadLetterError as exc:
                kept.append(raw)
                if len(out.problems) < 5:
                    out.problems.append(f"{entry_id(raw)}: {exc}")
        kind = _queue_kind(pipe, keys, when_empty) if moved else "list"
        pipe.multi()
        pipe.delete(dlq)
        if kept:
            pipe.rpush(dlq, *kept)
        _push(pipe, keys.job_queue, kind, moved)
        pipe.execute()
        out.done, out.kept = len(moved), len(kept)
        return out

    return _watched(client, keys, move)


# -- purge ----------------------------------------------------------------------------------
def purge_one(client: redis.Redis, keys: RedisKeys, wanted: str, hint: int | None) -> Moved:
    """Remove the entry named `wanted`. LREM of its exact text is atomic on its own: if another
    operator removed it first, nothing is removed and the answer says so."""
    dlq = keys.dead_letter
    _list_or_none(client, dlq)
    raw = _find(client, dlq, wanted, hint)
    if raw is None or client.lrem(dlq, 1, raw) == 0:
        raise DeadLetterError("that dead letter is no longer in the queue (retried or purged meanwhile)")
    return Moved(done=1)


def purge_all(client: redis.Redis, keys: RedisKeys) -> Moved:
    """Empty the dead-letter queue (Link Profiler's /debug/clear_dead_letters), counting what went."""
    dlq = keys.dead_letter
    _list_or_none(client, dlq)
    pipe = client.pipeline(transaction=True)
    pipe.llen(dlq)
    pipe.delete(dlq)
    count, _deleted = pipe.execute()
    return Moved(done=int(count))

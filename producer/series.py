"""Rolling series the producer keeps in Redis (so a successor producer continues them):
queue depth per tick and links found per minute.

Links found per minute come from the crawler's own counters: the increase of
`crawl_jobs.links_found` between ticks, summed over jobs. That is one cheap query on the small
jobs table per tick instead of a scan of the (huge) backlinks table.
"""

from __future__ import annotations

import redis

QUEUE_SERIES = "mc:series:queue"
LINKS_SERIES = "mc:series:links_per_minute"
LINKS_SEEN = "mc:series:links_seen"
QUEUE_POINTS = 300
LINK_MINUTES = 60


def record_queue_depth(client: redis.Redis, epoch: float, depth: int | None) -> None:
    if depth is None:
        return
    pipe = client.pipeline(transaction=False)
    pipe.rpush(QUEUE_SERIES, f"{int(epoch)}:{depth}")
    pipe.ltrim(QUEUE_SERIES, -QUEUE_POINTS, -1)
    pipe.execute()


def queue_series(client: redis.Redis, points: int = 120) -> list[tuple[int, int]]:
    """[(epoch, depth)] oldest first, at most `points`."""
    out = []
    for item in client.lrange(QUEUE_SERIES, -points, -1):
        t, _, d = item.partition(":")
        if t.isdigit() and d.lstrip("-").isdigit():
            out.append((int(t), int(d)))
    return out


def links_delta(previous: dict[str, int], current: dict[str, int], new_jobs: set[str]) -> int:
    """Links found since the last tick: the rise of each job's counter.

    A job we have not seen before counts whole only if it started after the last tick
    (`new_jobs`); otherwise it is a baseline (the producer just started), not a discovery.
    Counters that went down (a reset job) count as zero rather than negative.
    """
    total = 0
    for job, count in current.items():
        if job in previous:
            total += max(0, count - previous[job])
        elif job in new_jobs:
            total += max(0, count)
    return total


def load_links_seen(client: redis.Redis) -> dict[str, int]:
    return {k: int(v) for k, v in client.hgetall(LINKS_SEEN).items() if v.lstrip("-").isdigit()}


def store_links_seen(client: redis.Redis, seen: dict[str, int]) -> None:
    pipe = client.pipeline()
    pipe.delete(LINKS_SEEN)
    if seen:
        pipe.hset(LINKS_SEEN, mapping=seen)
    pipe.execute()


def add_links(client: redis.Redis, epoch: float, count: int) -> None:
    """Add `count` to the current minute's bucket and drop buckets older than the window."""
    minute = int(epoch // 60 * 60)
    pipe = client.pipeline(transaction=False)
    if count:
        pipe.hincrby(LINKS_SERIES, str(minute), count)
    else:
        pipe.hsetnx(LINKS_SERIES, str(minute), 0)
    pipe.hkeys(LINKS_SERIES)
    _, keys = pipe.execute()
    stale = [k for k in keys if not k.isdigit() or int(k) < minute - (LINK_MINUTES + 1) * 60]
    if stale:
        client.hdel(LINKS_SERIES, *stale)


def links_per_minute(client: redis.Redis, epoch: float, minutes: int = LINK_MINUTES) -> list[tuple[int, int]]:
    """[(minute epoch, links)] for the last `minutes` minutes, zero-filled, oldest first."""
    raw = client.hgetall(LINKS_SERIES)
    current = int(epoch // 60 * 60)
    return [(m, int(raw.get(str(m), 0))) for m in range(current - (minutes - 1) * 60, current + 1, 60)]

"""Rolling series the producer keeps (so a successor producer continues them): queue depth
per tick and links found per minute.

The producer holds them in memory (`producer.state.ProducerState`) and mirrors every change to
Redis; it reads Redis only when it becomes the producer (`load`), never back in the tick
that wrote them.

Links found per minute come from the crawler's own counters: the increase of
`crawl_jobs.links_found` between ticks, summed over jobs. That is one cheap query on the small
jobs table per tick instead of a scan of the (huge) backlinks table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import redis

QUEUE_SERIES = "mc:series:queue"
LINKS_SERIES = "mc:series:links_per_minute"
LINKS_SEEN = "mc:series:links_seen"
LINK_MINUTES = 60
# + YYYYMMDD: a hash job id -> satellite id, kept two days (analytics.fleet_rollups reads it too).
JOB_SATELLITE_KEY = "mc:job_satellite:"


@dataclass
class Series:
    """The rolling series as last written: queue points [(epoch, depth)] oldest first, links
    found per minute {minute epoch: links}, each active job's links counter at the last tick,
    and which satellite ran which job per day {YYYYMMDD: {job id: satellite id}}."""

    queue: list[tuple[int, int]] = field(default_factory=list)
    links: dict[int, int] = field(default_factory=dict)
    links_seen: dict[str, int] = field(default_factory=dict)
    job_satellites: dict[str, dict[str, str]] = field(default_factory=dict)


def _days(now: datetime) -> tuple[str, str]:
    """(yesterday, today) as YYYYMMDD."""
    return (now - timedelta(days=1)).strftime("%Y%m%d"), now.strftime("%Y%m%d")


def load(client: redis.Redis, queue_points: int, now: datetime) -> Series:
    """The series as a previous producer left them (at most `queue_points` queue points)."""
    yesterday, today = _days(now)
    pipe = client.pipeline(transaction=False)
    pipe.lrange(QUEUE_SERIES, -queue_points, -1)
    pipe.hgetall(LINKS_SERIES)
    pipe.hgetall(LINKS_SEEN)
    pipe.hgetall(JOB_SATELLITE_KEY + yesterday)
    pipe.hgetall(JOB_SATELLITE_KEY + today)
    raw_queue, raw_links, raw_seen, old_jobs, new_jobs = pipe.execute()
    queue = []
    for item in raw_queue:
        t, _, d = item.partition(":")
        if t.isdigit() and d.lstrip("-").isdigit():
            queue.append((int(t), int(d)))
    return Series(
        queue=queue,
        links={int(k): int(v) for k, v in raw_links.items() if k.isdigit() and v.lstrip("-").isdigit()},
        links_seen={k: int(v) for k, v in raw_seen.items() if v.lstrip("-").isdigit()},
        job_satellites={yesterday: dict(old_jobs), today: dict(new_jobs)},
    )


def track_job_satellites(client: redis.Redis, series: Series, now: datetime, seen: dict[str, str]) -> dict[str, str]:
    """Remember which satellite ran which job (Link Profiler keeps no assignment table): every
    job seen in a heartbeat (`seen`: job id -> satellite id) goes into today's hash, kept two
    days. Returns yesterday's and today's assignments merged (today wins)."""
    yesterday, today = _days(now)
    if seen:
        pipe = client.pipeline(transaction=False)
        pipe.hset(JOB_SATELLITE_KEY + today, mapping=seen)  # type: ignore[arg-type]  # redis-py types mapping keys invariantly; str keys are fine
        pipe.expire(JOB_SATELLITE_KEY + today, 2 * 86400)
        pipe.execute()
    days = {
        yesterday: series.job_satellites.get(yesterday, {}),
        today: {**series.job_satellites.get(today, {}), **seen},
    }
    series.job_satellites = days
    return {**days[yesterday], **days[today]}


def record_queue_depth(client: redis.Redis, series: Series, epoch: float, depth: int | None, keep: int) -> None:
    """Append (epoch, depth) to the queue series, keeping the last `keep` points."""
    if depth is None:
        return
    pipe = client.pipeline(transaction=False)
    pipe.rpush(QUEUE_SERIES, f"{int(epoch)}:{depth}")
    pipe.ltrim(QUEUE_SERIES, -keep, -1)
    pipe.execute()
    series.queue = [*series.queue, (int(epoch), depth)][-keep:]


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


def add_links(client: redis.Redis, series: Series, epoch: float, count: int, seen: dict[str, int]) -> None:
    """Add `count` to the current minute's bucket, drop buckets older than the window, and
    remember each active job's counter (`seen`) for the next tick's delta."""
    minute = int(epoch // 60 * 60)
    links = dict(series.links)
    links[minute] = links.get(minute, 0) + count
    stale = [m for m in links if m < minute - (LINK_MINUTES + 1) * 60]
    for m in stale:
        del links[m]
    pipe = client.pipeline(transaction=False)
    if count:
        pipe.hincrby(LINKS_SERIES, str(minute), count)
    else:
        pipe.hsetnx(LINKS_SERIES, str(minute), 0)
    if stale:
        pipe.hdel(LINKS_SERIES, *(str(m) for m in stale))
    pipe.delete(LINKS_SEEN)
    if seen:
        pipe.hset(LINKS_SEEN, mapping=seen)  # type: ignore[arg-type]  # as above
    pipe.execute()
    series.links = links
    series.links_seen = dict(seen)


def links_per_minute(series: Series, epoch: float, minutes: int = LINK_MINUTES) -> list[tuple[int, int]]:
    """[(minute epoch, links)] for the last `minutes` minutes, zero-filled, oldest first."""
    current = int(epoch // 60 * 60)
    return [(m, series.links.get(m, 0)) for m in range(current - (minutes - 1) * 60, current + 1, 60)]


def value_at(points: list[tuple[int, int]], epoch: float) -> int | None:
    """The value of the point closest in time to `epoch` (the earlier one on a tie); None if empty."""
    if not points:
        return None
    return min(points, key=lambda p: (abs(p[0] - epoch), p[0]))[1]

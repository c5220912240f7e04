"""Queue depths and the dispatch-paused flag from Link Profiler's Redis keys.

The job queue may be a list (the coordinator LPUSHes) or a sorted set (satellites BZPOPMAX);
we ask TYPE first and never issue a command that could fail with WRONGTYPE.
"""

from __future__ import annotations

import redis

from config import RedisKeys

QUEUE_FIELDS = ("job_queue", "results", "dead_letter", "scheduled")
_LENGTH_COMMAND = {"list": "llen", "zset": "zcard"}  # what Link Profiler queues are made of


def queue_depths(client: redis.Redis, keys: RedisKeys, now_epoch: float) -> dict:
    """Depth of each queue, its Redis type, the scheduled jobs already due and the paused flag.

    Returns {"job_queue": int|None, "results": ..., "dead_letter": ..., "scheduled": ...,
    "scheduled_due": int|None, "types": {field: type}, "dispatch_paused": bool,
    "problems": [text]}; a depth is None when the key holds a type we cannot count.
    Two round trips whatever the number of keys.
    """
    names = [getattr(keys, f) for f in QUEUE_FIELDS]
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.type(name)
    pipe.exists(keys.dispatch_paused)
    *types, paused = pipe.execute()

    pipe = client.pipeline(transaction=False)
    plan = []
    for field, name, kind in zip(QUEUE_FIELDS, names, types):
        command = _LENGTH_COMMAND.get(kind)
        if command:
            getattr(pipe, command)(name)
            plan.append(field)
    scheduled_kind = types[QUEUE_FIELDS.index("scheduled")]
    if scheduled_kind == "zset":
        pipe.zcount(keys.scheduled, "-inf", now_epoch)
        plan.append("scheduled_due")
    values = dict(zip(plan, pipe.execute())) if plan else {}

    problems: list[str] = []
    result: dict = {"types": dict(zip(QUEUE_FIELDS, types)), "dispatch_paused": bool(paused), "problems": problems}
    for field, name, kind in zip(QUEUE_FIELDS, names, types):
        if kind == "none":
            result[field] = 0
        elif field in values:
            result[field] = int(values[field])
        else:
            result[field] = None
            result["problems"].append(f"{name} holds a {kind}, which is not a queue")
    result["scheduled_due"] = int(values.get("scheduled_due", 0)) if scheduled_kind in ("zset", "none") else None
    return result

"""Satellite commands on Link Profiler's control channels, in its coordinator's exact format.

Its coordinator publishes `json.dumps({"command": COMMAND, "payload": payload or {}})` on
`crawler_control:{satellite_id}` (one satellite) or `crawler_control:all` (every satellite);
its satellites subscribe to both, act on PAUSE / RESUME / SHUTDOWN / RESTART / CANCEL_JOB, and
show a pause in their next heartbeat (`crawler_details:{id}` status "paused"). The channel
prefix is the configured REDIS_CRAWLER_CONTROL_PREFIX.
"""

from __future__ import annotations

import json

from config import RedisKeys

SATELLITE_COMMANDS = ("PAUSE", "RESUME", "RESTART", "SHUTDOWN")
ALL = "all"
MAX_SATELLITE_ID = 200


def channel(keys: RedisKeys, satellite: str) -> str:
    """The control channel of `satellite` ("all" = the channel every satellite listens on)."""
    return keys.control_prefix + satellite


def message(command: str, payload: dict | None = None) -> str:
    """The message as Link Profiler's coordinator writes it (json.dumps' default separators)."""
    return json.dumps({"command": command, "payload": payload or {}})


def check_satellite(satellite: str) -> str:
    """A satellite id fit for a channel name, or ValueError saying why not."""
    if not isinstance(satellite, str) or not satellite.strip():
        raise ValueError("the satellite id is empty")
    satellite = satellite.strip()
    if len(satellite) > MAX_SATELLITE_ID or not satellite.isprintable() or any(c in satellite for c in "*?[]"):
        raise ValueError("the satellite id must be printable, without glob characters, at most 200 characters")
    return satellite


def publish(client, keys: RedisKeys, satellite: str, command: str, payload: dict | None = None) -> int:
    """Publish `command` to `satellite` (or "all"); returns how many subscribers received it."""
    if command not in (*SATELLITE_COMMANDS, "CANCEL_JOB"):
        raise ValueError(f"unknown satellite command {command!r}")
    return int(client.publish(channel(keys, check_satellite(satellite)), message(command, payload)))

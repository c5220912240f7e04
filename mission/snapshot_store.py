"""The shared snapshot in Redis: the one document the producer writes and every viewer reads.

Keys (prefix `mc:`): `mc:snapshot` holds the JSON document, `mc:snapshot:version` its version
(an integer that only grows). Readers first fetch the version (a few bytes) and only fetch and
parse the document when it changed, and they keep the parsed document per process, so a
hundred viewers in one worker cost one JSON parse per version, not a hundred.
"""

from __future__ import annotations

import json
import threading

import redis

SNAPSHOT_KEY = "mc:snapshot"
VERSION_KEY = "mc:snapshot:version"
# How long a snapshot stays readable if the producer dies: long enough to show "stale",
# short enough that nobody mistakes hour-old data for live data.
SNAPSHOT_TTL_S = 3600

_PUBLISH = """
local v = redis.call('INCR', KEYS[2])
local doc = string.gsub(ARGV[1], '"__VERSION__"', tostring(v), 1)
redis.call('SET', KEYS[1], doc, 'EX', ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return v
"""


class SnapshotStore:
    """Publishes and reads the snapshot; safe to share between threads."""

    def __init__(self, client: redis.Redis):
        self.redis = client
        self._publish = client.register_script(_PUBLISH)
        self._lock = threading.Lock()
        self._cached: tuple[int, dict] | None = None

    def publish(self, document: dict) -> int:
        """Store `document` with the next version (set atomically inside it as `version`)."""
        doc = dict(document)
        doc["version"] = "__VERSION__"
        payload = json.dumps(doc, separators=(",", ":"), default=str)
        return int(self._publish(keys=[SNAPSHOT_KEY, VERSION_KEY], args=[payload, SNAPSHOT_TTL_S]))

    def version(self) -> int:
        """The current version, 0 when no snapshot has been published."""
        value = self.redis.get(VERSION_KEY)
        return int(value) if value else 0

    def load(self) -> tuple[int, dict | None]:
        """(version, document); the document is parsed once per version per process."""
        version = self.version()
        with self._lock:
            if self._cached and self._cached[0] == version:
                return self._cached
        raw = self.redis.get(SNAPSHOT_KEY)
        if raw is None:
            return version, None
        doc = json.loads(raw)
        version = int(doc.get("version", version))
        with self._lock:
            self._cached = (version, doc)
        return version, doc

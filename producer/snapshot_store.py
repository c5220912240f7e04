"""The shared snapshot in Redis: the one document the producer writes and every viewer reads.

Keys (prefix `mc:`): `mc:snapshot` holds the JSON document, `mc:snapshot:version` its version
(an integer that only grows: INCR in the publishing script, whichever producer publishes, and
the key never expires, so a successor after any pause continues the numbering), and `mc:snapshot:v:{version}` keeps each recent version for
`HISTORY_TTL_S`, so any worker can tell a viewer exactly what changed since the version it
holds. Readers fetch the version first (a few bytes) and parse a document once per version per
process, so a hundred viewers in one worker cost one JSON parse per version, not a hundred.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime

import redis

SNAPSHOT_KEY = "mc:snapshot"
VERSION_KEY = "mc:snapshot:version"
HISTORY_PREFIX = "mc:snapshot:v:"
NOTICE_KEY = "mc:snapshot:notice"
# Redis pub/sub channels are server-wide (not per database): deployments (or test runs) that
# share a Redis server on different databases should each set their own (MC_SNAPSHOT_CHANNEL).
NOTICE_CHANNEL = "mc:snapshot:notices"
# How long the latest snapshot stays readable if the producer dies: long enough to show
# "stale", short enough that nobody mistakes hour-old data for live data.
SNAPSHOT_TTL_S = 3600
# How far back a viewer can be and still get a delta rather than the full page.
HISTORY_TTL_S = 120
PARSED_VERSIONS = 8

_PUBLISH = """
local v = redis.call('INCR', KEYS[2])
local doc = string.gsub(ARGV[1], '"__VERSION__"', tostring(v), 1)
redis.call('SET', KEYS[1], doc, 'EX', ARGV[2])
redis.call('SET', ARGV[4] .. v, doc, 'EX', ARGV[3])
local notice = '{"version":' .. v .. ',"built_at":' .. ARGV[5] .. ',"published_at":' .. ARGV[6] .. '}'
redis.call('SET', KEYS[3], notice, 'EX', ARGV[2])
redis.call('PUBLISH', ARGV[7], notice)
return v
"""


class SnapshotStore:
    """Publishes and reads snapshots; safe to share between threads."""

    def __init__(self, client: redis.Redis, channel: str = NOTICE_CHANNEL):
        self.redis = client
        self.channel = channel
        self._publish = client.register_script(_PUBLISH)
        self._lock = threading.Lock()
        self._parsed: OrderedDict[int, dict] = OrderedDict()

    def publish(self, document: dict) -> int:
        """Store `document` with the next version (set atomically inside it as `version`)."""
        doc = dict(document)
        doc["version"] = "__VERSION__"
        payload = json.dumps(doc, separators=(",", ":"), default=str)
        built_at = json.dumps(_built_at(document))
        published_ms = repr(round(time.time() * 1000, 3))
        return int(
            self._publish(
                keys=[SNAPSHOT_KEY, VERSION_KEY, NOTICE_KEY],
                args=[payload, SNAPSHOT_TTL_S, HISTORY_TTL_S, HISTORY_PREFIX, built_at, published_ms, self.channel],
            )
        )

    def notice(self) -> str | None:
        """The latest publish's notice (JSON text), None when none is kept."""
        return _text(self.redis.get(NOTICE_KEY))

    def text_of(self, version: int) -> str | None:
        """The stored JSON text of `version` (as published: nothing parsed or re-encoded), None
        once it has expired."""
        return _text(self.redis.get(f"{HISTORY_PREFIX}{version}"))

    def version(self) -> int:
        """The current version, 0 when no snapshot has been published."""
        value = self.redis.get(VERSION_KEY)
        return int(value) if value else 0

    def _remember(self, version: int, doc: dict) -> None:
        with self._lock:
            self._parsed[version] = doc
            self._parsed.move_to_end(version)
            while len(self._parsed) > PARSED_VERSIONS:
                self._parsed.popitem(last=False)

    def _cached(self, version: int) -> dict | None:
        with self._lock:
            return self._parsed.get(version)

    def load(self) -> tuple[int, dict | None]:
        """(version, document) of the latest snapshot."""
        version = self.version()
        cached = self._cached(version)
        if cached is not None:
            return version, cached
        raw = self.redis.get(SNAPSHOT_KEY)
        if raw is None:
            return version, None
        doc = json.loads(raw)
        version = int(doc.get("version", version))
        self._remember(version, doc)
        return version, doc

    def load_version(self, version: int) -> dict | None:
        """The document of an earlier `version`, if still kept; None when it has expired."""
        cached = self._cached(version)
        if cached is not None:
            return cached
        raw = self.redis.get(f"{HISTORY_PREFIX}{version}")
        if raw is None:
            return None
        doc = json.loads(raw)
        self._remember(version, doc)
        return doc


def _built_at(document: dict) -> str | None:
    """When `document` was built, ISO 8601 UTC: the producer's `mc.built_at` (epoch seconds), else
    the contract's `timestamp`."""
    built = (document.get("mc") or {}).get("built_at")
    if isinstance(built, (int, float)) and not isinstance(built, bool):
        return datetime.fromtimestamp(built, UTC).isoformat().replace("+00:00", "Z")
    stamp = document.get("timestamp")
    return str(stamp) if stamp is not None else None


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value

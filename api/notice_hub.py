"""One listener per web process for new snapshot versions, fanned out to every stream it serves.

Why: a push stream used to ask Redis for the version every refresh interval, per connection,
and encode the whole document per connection; a thousand dashboard tabs made a thousand Redis
round trips a second for nothing. Now the producer announces each version (the snapshot
store's publish script PUBLISHes a notice) and each process holds ONE subscriber thread (a
greenlet under gevent) that wakes every waiting stream of the process. A version's document is
fetched once per process, as the JSON text the producer stored (never parsed or re-encoded),
and shared by every stream that sends it.

Robustness: a notice is only a hint. On each one the hub reads this deployment's notice key
(`mc:snapshot:notice`, a few bytes), so a notice from another deployment sharing the Redis
server changes nothing, and the versions the hub hands out come from that key in order. The key
is also read every `poll_s` seconds whatever happens, so a notice lost while the subscription
was down (Redis restarted, network blip) is caught within `poll_s`; a broken subscription is
re-made with backoff (0.5 s doubling to 10 s), polling meanwhile.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from producer.snapshot_store import SnapshotStore

log = logging.getLogger(__name__)

# How often the notice key is read besides the notices (the fallback when pub/sub drops).
FALLBACK_POLL_S = 2.0
BACKOFF_S = (0.5, 10.0)
# Documents kept per process: a stream is at most a version or two behind.
KEPT_DOCUMENTS = 4


@dataclass(frozen=True)
class Notice:
    """A published version: what a dashboard tab is told (`text`, the producer's JSON)."""

    version: int
    text: str

    @cached_property
    def version_event(self) -> bytes:
        """The Server-Sent Event a dashboard tab receives, encoded once per process: a notice
        reaches hundreds of streams of a worker within milliseconds."""
        return f"id: {self.version}\nevent: version\ndata: {self.text}\n\n".encode()

    @classmethod
    def parse(cls, text: str | None) -> Notice | None:
        if not text:
            return None
        try:
            version = int(json.loads(text)["version"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed snapshot notice: %.80r", text)
            return None
        return cls(version, text)


class NoticeHub:
    """The latest notice of this process and the streams waiting for the next one."""

    def __init__(self, store: SnapshotStore, poll_s: float = FALLBACK_POLL_S):
        self.store = store
        self.poll_s = poll_s
        # Streams wait on the current generation's Event; a new version sets it and starts the
        # next generation. Setting one Event wakes every waiter at once (under gevent, one pass
        # of the hub), where Condition.notify_all woke them one lock hand-off after another:
        # measured as a third of a worker's CPU per notice with 500 streams.
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._latest: Notice | None = None
        self._docs: OrderedDict[int, str] = OrderedDict()
        self._doc_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._primed = False
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        # Counters (read by tests and /metrics): what this process did, whatever its streams.
        self.documents_loaded = 0
        self.notices_read = 0
        self.subscribed = False

    # -- what streams call -------------------------------------------------------------------
    def latest(self) -> Notice | None:
        """The newest notice (read now if the hub has none yet); starts the listener."""
        self.start()
        if not self._primed:  # once: a stream that connects before the listener's first read
            self._primed = True
            try:
                self._read_notice()
            except Exception:  # Redis is down: the listener keeps trying; streams send heartbeats
                log.debug("notice key not readable", exc_info=True)
        return self._latest

    def wait(self, held: int | None, timeout: float) -> Notice | None:
        """The newest notice once its version differs from `held` (a stream's last one), or None
        after `timeout` seconds (or when the hub stops). A version that went back (the producer's
        keys expired and it started again at 1) counts as new."""
        latest = self.latest()
        if latest is not None and latest.version != held:
            return latest
        deadline = time.monotonic() + timeout
        while not self._stop.is_set():
            changed = self._changed  # before reading _latest: a publish in between sets it
            latest = self._latest
            if latest is not None and latest.version != held:
                return latest
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            changed.wait(remaining)
        return None

    def document(self, version: int) -> str | None:
        """The JSON text of `version`, fetched once per process however many streams ask (the
        first asks Redis, the others wait for it); None when it is no longer kept."""
        with self._doc_lock:
            text = self._docs.get(version)
            if text is None:
                text = self.store.text_of(version)
                if text is None:
                    return None
                self.documents_loaded += 1
                self._docs[version] = text
                while len(self._docs) > KEPT_DOCUMENTS:
                    self._docs.popitem(last=False)
            return text

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # -- the listener ------------------------------------------------------------------------
    def start(self) -> None:
        """Start the listener (once; later calls do nothing)."""
        if self._thread is not None or self._stop.is_set():
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="mc-notice-hub", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """End the listener and wake every waiting stream (they end too)."""
        self._stop.set()
        self._changed.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.poll_s + 5)

    def _read_notice(self) -> None:
        """Read this deployment's notice key and hand a new version to the waiting streams."""
        notice = Notice.parse(self.store.notice())
        self.notices_read += 1
        if notice is None:
            return
        with self._lock:
            if self._latest is not None and notice.version == self._latest.version:
                return
            self._latest = notice
            changed, self._changed = self._changed, threading.Event()
        changed.set()

    def _run(self) -> None:
        backoff = BACKOFF_S[0]
        pubsub = None
        next_poll = 0.0
        while not self._stop.is_set():
            try:
                if pubsub is None:
                    pubsub = self.store.redis.pubsub(ignore_subscribe_messages=True)
                    pubsub.subscribe(self.store.channel)
                    self.subscribed = True
                    backoff = BACKOFF_S[0]
                    next_poll = 0.0  # catch up with what was published while not subscribed
                message = pubsub.get_message(timeout=min(self.poll_s, max(0.0, next_poll - time.monotonic())))
                told = message is not None and message.get("type") == "message"
                if told or time.monotonic() >= next_poll:
                    self._read_notice()
                    next_poll = time.monotonic() + self.poll_s
            except Exception as exc:
                self.subscribed = False
                if pubsub is not None:
                    _close(pubsub)
                    pubsub = None
                log.warning(
                    "snapshot notices: %s; polling every %.1f s, subscribing again in %.1f s", exc, backoff, backoff
                )
                try:
                    self._read_notice()
                except Exception:  # Redis itself is down: the streams keep their heartbeats
                    log.debug("notice key not readable either", exc_info=True)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_S[1])
        self.subscribed = False
        if pubsub is not None:
            _close(pubsub)


def _close(pubsub) -> None:
    try:
        pubsub.close()
    except Exception:  # closing a broken connection may raise; it is gone either way
        log.debug("pubsub close failed", exc_info=True)

"""`Archive`: the app's one handle on minute snapshots, the archive pass and replays
(`ctx.archive`, built by runtime.startup)."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from archive import minutes as minute_store
from archive.parquet_store import ArchiveError, ParquetStore
from archive.replay import Replay, replay_at
from archive.retention import PassReport, run_pass
from archive.tables import minutes

if TYPE_CHECKING:
    from config import Settings
    from data.services import Services

log = logging.getLogger(__name__)

# Replayed documents kept per process (a stored minute never changes, so they never go stale).
KEPT_REPLAYS = 16


class Archive:
    """Minute snapshots (`record_minute`, the producer), the archive pass (`run_pass`, the heavy
    cycle), the replayable range (`annotate`, into every document) and `replay(minute)`."""

    def __init__(self, services: Services, settings: Settings):
        self.services = services
        self.engine = services.mc_engine
        self.retention_days = settings.history_retention_days
        self.config = settings.archive
        self.recorder = minute_store.MinuteRecorder(self.engine)
        self.range: tuple[float, float] | None = None  # epoch seconds of the first and last minute
        self.last_pass: PassReport | None = None
        self._store: ParquetStore | None = None
        self._lock = threading.Lock()
        self._replays: OrderedDict[datetime, Replay] = OrderedDict()
        self._failed_minute: datetime | None = None

    @property
    def store(self) -> ParquetStore | None:
        """The archive location; None without MC_ARCHIVE_URL. Opened on first use (a bad
        location is reported by the pass that needs it, never at start-up)."""
        if self._store is None and self.config.url:
            self._store = ParquetStore(self.config.url, self.config.s3_endpoint)
        return self._store

    def record_minute(self, document: dict, version: int, now: datetime) -> None:
        """Keep `document` (just published as `version`) if its minute has none yet."""
        try:
            self.recorder.record(document, version, now)
        except OperationalError as exc:  # the database is down: tried again next tick
            self.services.mark("database", False, exc)
        except Exception:
            minute = now.replace(second=0, microsecond=0)
            if minute != self._failed_minute:  # one line a minute, not one a tick
                self._failed_minute = minute
                log.exception("the snapshot of minute %s was not kept", minute.isoformat())

    def run_pass(self, now: datetime) -> PassReport:
        """One bounded archive pass (see archive.retention); its outcome is the `archive` source's health."""
        try:
            report = run_pass(self.engine, self.store, now, self.retention_days, self.config.days_per_pass)
        except Exception as exc:  # the database, or opening the archive location
            report = PassReport(error=str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__)
            log.error("archive pass failed, nothing pruned: %s", report.error)
        self.last_pass = report
        self.services.mark("archive", report.error is None, ArchiveError(report.error) if report.error else None)
        self._update_range()
        return report

    def _update_range(self) -> None:
        """The replayable minutes: from the first archived day (or kept minute) to the last kept minute
        (or the end of the last archived day)."""
        try:
            kept = minute_store.stored_range(self.engine)
            days = self.store.days(minutes.name) if self.store is not None else []
        except Exception:
            log.debug("replay range not updated", exc_info=True)
            return
        firsts = [*(kept[:1] if kept else []), *[datetime.combine(d, time()) for d in days[:1]]]
        lasts = [*(kept[1:] if kept else []), *[datetime.combine(d, time(23, 59)) for d in days[-1:]]]
        self.range = (_epoch(min(firsts)), _epoch(max(lasts))) if firsts else None

    def annotate(self, document: dict, _now: datetime) -> None:
        """A tick hook: the replayable range into the document (`mc.replay`), for the main screen's scrubber."""
        document.setdefault("mc", {})["replay"] = (
            None if self.range is None else {"from": self.range[0], "to": self.range[1]}
        )

    def replay(self, minute: datetime) -> Replay | None:
        """The document kept for `minute` (see archive.replay.replay_at), cached per process."""
        with self._lock:
            kept = self._replays.get(minute)
        if kept is not None:
            return kept
        found = replay_at(self.engine, self.store, minute)
        if found is not None:
            with self._lock:
                self._replays[minute] = found
                while len(self._replays) > KEPT_REPLAYS:
                    self._replays.popitem(last=False)
        return found


def _epoch(minute: datetime) -> float:
    return minute.replace(tzinfo=UTC).timestamp()

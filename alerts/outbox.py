"""The persistent outbox: every notice is a row before it is a message.

- `notice_rows` groups one tick's events into one notice per channel (simultaneous alerts
  become one message), rows the engine inserts in the same transaction as the transitions.
- `Outbox.claim` takes due rows with a lease: a conditional UPDATE that succeeds for exactly
  one claimer (`claimed_until < now`), so any number of workers in any number of processes or
  hosts deliver each row once; SQLite and PostgreSQL alike, no SKIP LOCKED needed.
- A failed attempt is retried with exponential backoff (ALERT retry base … max); a row older
  than ALERT_DELIVERY_MAX_AGE is given up as "dead" (kept, shown on the page).
- A worker killed mid-delivery leaves its claim to lapse; after the lease another worker (or
  the restarted app) delivers it. The only duplicate left possible is a crash between the
  endpoint's 2xx and our UPDATE; the webhook carries the row id (X-Notice-Id) and the e-mail a
  Message-ID for that case.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from alerts import tables
from alerts.channels import CHANNELS, DeliveryError, configured_channels, secrets_of, send
from alerts.secrets import scrub
from alerts.settings import AlertSettings
from config import Settings
from common import metrics
from common.timestamps import utcnow
from data.frames import iso

log = logging.getLogger(__name__)


def notice_rows(events: list[dict], settings: Settings, now: datetime) -> list[dict]:
    """Outbox rows for one tick's `events`: one per configured channel that any event goes to."""
    if not events:
        return []
    notice_id = str(uuid.uuid4())
    rows = []
    for channel in configured_channels(settings):
        mine = [e for e in events if e.get("channels") is None or channel in e["channels"]]
        if not mine:
            continue
        row_id = str(uuid.uuid4())
        payload = {
            "id": row_id,
            "notice_id": notice_id,
            "created_at": iso(now),
            "channel": channel,
            "dashboard_url": settings.dashboard_url,
            "events": mine,
        }
        if channel == "email":
            payload["recipients"] = sorted({r for e in mine for r in e.get("recipients") or []})
        rows.append(
            {
                "id": row_id,
                "channel": channel,
                "created_at": now,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "claimed_until": None,
                "claimed_by": None,
            }
        )
    return rows


def backoff_s(attempts: int, settings: AlertSettings) -> float:
    """Wait before attempt `attempts + 1`: base × 2^(attempts-1), capped."""
    return min(settings.retry_max_s, settings.retry_base_s * (2 ** max(0, attempts - 1)))


class Outbox:
    """Claims, marks and retries outbox rows for one worker identity."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        alert_settings: AlertSettings,
        clock: Callable[[], datetime] = utcnow,
        worker_id: str | None = None,
    ):
        self.engine = engine
        self.settings = settings
        self.alert_settings = alert_settings
        self.clock = clock
        self.worker_id = worker_id or uuid.uuid4().hex

    def claim(self, limit: int = 20) -> list[dict]:
        """Due rows this worker now holds a lease on (others cannot take them until it lapses)."""
        o = tables.outbox
        now = self.clock()
        free = or_(o.c.claimed_until.is_(None), o.c.claimed_until < now)
        with self.engine.connect() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    select(o.c.id)
                    .where(o.c.status == "pending", o.c.next_attempt_at <= now, free)
                    .order_by(o.c.next_attempt_at)
                    .limit(limit)
                )
            ]
        claimed = []
        until = now + timedelta(seconds=self.alert_settings.delivery_lease_s)
        for row_id in ids:
            with self.engine.begin() as conn:
                done = conn.execute(
                    update(o)
                    .where(o.c.id == row_id, o.c.status == "pending", free)
                    .values(claimed_by=self.worker_id, claimed_until=until)
                )
                if done.rowcount == 1:
                    claimed.append(dict(conn.execute(select(o).where(o.c.id == row_id)).mappings().one()))
        return claimed

    def delivered(self, row: dict) -> None:
        o = tables.outbox
        with self.engine.begin() as conn:
            conn.execute(
                update(o)
                .where(o.c.id == row["id"], o.c.claimed_by == self.worker_id)
                .values(
                    status="delivered",
                    delivered_at=self.clock(),
                    attempts=row["attempts"] + 1,
                    claimed_until=None,
                    last_error=None,
                )
            )

    def failed(self, row: dict, error: str) -> None:
        o = tables.outbox
        now = self.clock()
        attempts = row["attempts"] + 1
        too_old = (now - row["created_at"]).total_seconds() > self.alert_settings.delivery_max_age_s
        with self.engine.begin() as conn:
            conn.execute(
                update(o)
                .where(o.c.id == row["id"], o.c.claimed_by == self.worker_id)
                .values(
                    status="dead" if too_old else "pending",
                    attempts=attempts,
                    claimed_until=None,
                    next_attempt_at=now + timedelta(seconds=backoff_s(attempts, self.alert_settings)),
                    last_error=scrub(error, secrets_of(self.settings)),
                )
            )
        level = logging.ERROR if too_old else logging.WARNING
        log.log(
            level,
            "alert notice %s via %s failed (attempt %d)%s: %s",
            row["id"],
            row["channel"],
            attempts,
            ", giving up" if too_old else "",
            scrub(error, secrets_of(self.settings)),
        )

    def deliver_due(self, limit: int = 20) -> int:
        """Claim and send what is due now; returns how many were delivered."""
        sent = 0
        for row in self.claim(limit):
            try:
                if row["channel"] not in CHANNELS:
                    raise DeliveryError(f"unknown channel {row['channel']!r}")
                send(row["channel"], row["payload"], self.settings, self.alert_settings.delivery_timeout_s)
            except DeliveryError as exc:
                self.failed(row, str(exc))
                continue
            except Exception as exc:  # a rendering bug must not kill the worker or lose the row
                log.exception("alert notice %s: unexpected delivery error", row["id"])
                self.failed(row, f"{type(exc).__name__}: {exc}")
                continue
            self.delivered(row)
            _observe_latency(row, self.clock())
            sent += 1
        return sent


def _observe_latency(row: dict, now: datetime) -> None:
    # From the notice row's creation (the tick that fired the alert) to its delivery: retries
    # and the time a row waited for a worker are in it, which is what an on-call person feels.
    created = row["created_at"]
    if created.tzinfo is None and now.tzinfo is not None:  # SQLite hands back naive UTC
        created = created.replace(tzinfo=now.tzinfo)
    metrics.ALERT_DELIVERY.labels(row["channel"]).observe(max(0.0, (now - created).total_seconds()))


class DeliveryWorker:
    """A daemon thread delivering the outbox: woken at once by `wake()` after new notices,
    otherwise polling every ALERT delivery_poll_s (to pick up retries and other hosts' rows)."""

    def __init__(self, outbox: Outbox, poll_s: float):
        self.outbox = outbox
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="mc-alert-delivery", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                while self.outbox.deliver_due() and not self._stop.is_set():
                    pass
            except Exception as exc:  # database down: try again on the next poll
                log.warning(
                    "alert delivery paused: %s",
                    scrub(str(exc).splitlines()[0] if str(exc) else exc, secrets_of(self.outbox.settings)),
                )
            self._wake.wait(self.poll_s)

"""The analytics refresh: every rollup brought up to date, once per MISSION_CONTROL_CACHE_TTL,
by the elected producer (a step of `producer.heavy_step`) or by the setup command.

Two producers (a failover overlap, a manual `--refresh` while the app runs) never refresh at
once: on PostgreSQL the run holds `pg_try_advisory_xact_lock(LOCK_KEY)` in a transaction of its
own on Mission Control's database (released when that transaction ends, so never left behind
on a pooled connection) and a second caller skips instead of waiting; on SQLite (one process by design) a
process lock does the same. The steps are idempotent anyway (whole days / hours replaced, pairs
merged with min/max, lost links deduplicated by id), so a crash between a step and its
watermark only means the next run redoes that step.

Each run bumps `mc:analytics:version` in Redis; the pages key their cached queries on it, so a
refresh invalidates them and viewers in between share one cached answer.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine

from analytics import domain_rollups, fleet_rollups, link_rollups, summary_view
from analytics import tables as t
from analytics.dialect import ts, execute, frame, upsert
from analytics.settings import AnalyticsSettings
from analytics.watchlist import resolve


log = logging.getLogger(__name__)

LOCK_KEY = 0x6D635F616E61  # "mc_ana"
VERSION_KEY = "mc:analytics:version"
_process_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class Refresher:
    """Brings the rollups of one deployment up to date; `refresh(now)` is one run."""

    def __init__(self, services, settings: AnalyticsSettings | None = None):
        self.services = services
        self.settings = settings or services.settings.analytics
        self._tables_ready = False

    # -- state ------------------------------------------------------------------------------
    def _state(self) -> dict[str, dict]:
        rows = frame(
            self.services.mc_engine,
            "SELECT name, watermark, updated_at FROM mc_rollup_state",
            columns=["name", "watermark", "updated_at"],
        )
        return {
            r["name"]: {"watermark": ts(r["watermark"]), "updated_at": ts(r["updated_at"])}
            for r in rows.to_dict("records")
        }

    def _save(self, name: str, watermark: datetime | None, now: datetime, note: str = "") -> None:
        with self.services.mc_engine.begin() as conn:
            upsert(
                conn,
                t.rollup_state,
                [{"name": name, "watermark": watermark, "updated_at": now, "note": note[:500]}],
                ["name"],
                merge={c: (lambda _o, new, _d: new) for c in ("watermark", "updated_at", "note")},
            )

    # -- lock -------------------------------------------------------------------------------
    @contextmanager
    def _lock(self):
        """Yields whether this run may refresh; the lock is gone when the block ends, whatever happens.

        PostgreSQL: `pg_try_advisory_xact_lock` inside a transaction opened for the purpose.
        A transaction-scoped lock ends with its transaction, so it cannot outlive the run even
        if this code never reached its cleanup: SQLAlchemy rolls back a connection returned to
        the pool, and a dead session ends its transaction. (A session-level lock stayed held by a
        pooled connection after a failed run and blocked every later refresh until restart.)"""
        mc: Engine = self.services.mc_engine
        if mc.dialect.name == "postgresql":
            conn = mc.connect()
            try:
                txn = conn.begin()
                try:
                    got = bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}).scalar())
                    yield got
                finally:
                    txn.rollback()  # ends the transaction, and with it the lock
            finally:
                conn.close()
            return
        with _locks_guard:
            lock = _process_locks.setdefault(str(mc.url), threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()

    # -- run --------------------------------------------------------------------------------
    def ensure_tables(self) -> None:
        if not self._tables_ready:
            t.ensure_tables(self.services.mc_engine)
            self._tables_ready = True

    def refresh(self, now: datetime, full: bool = False) -> dict | None:
        """Run every step; returns what each did, or None when another run holds the lock.

        `full` empties the rollups first and rebuilds them from all of Link Profiler's rows
        (needed after back-dated bulk imports, which a watermark cannot see)."""
        self.ensure_tables()
        with self._lock() as got:
            if not got:
                log.info("analytics refresh skipped: another producer is refreshing")
                return None
            return self._run(now, full)

    def _run(self, now: datetime, full: bool) -> dict:
        svc, cfg = self.services, self.settings
        lp, mc, schema = svc.read_engine, svc.mc_engine, svc.schema
        if full:
            with mc.begin() as conn:
                for table in t.ROLLUP_TABLES:
                    execute(conn, f"DELETE FROM {table.name}")
        state = self._state()
        report: dict = {}
        timings: dict[str, float] = {}

        def step(name, fn):
            started = time.perf_counter()
            report[name] = fn()
            timings[name] = round(time.perf_counter() - started, 3)

        if schema.has("backlinks"):

            def links():
                mark, out = link_rollups.refresh_new_links(
                    lp,
                    mc,
                    schema,
                    now,
                    state.get("links", {}).get("watermark"),
                    cfg.late_s,
                    cfg.high_authority,
                    chunk_links=cfg.rollup_chunk_links,
                )
                self._save("links", mark, now)
                return out

            def lost():
                mark, out = link_rollups.refresh_lost_links(
                    lp, mc, schema, now, state.get("lost", {}).get("watermark"), cfg.late_s
                )
                self._save("lost", mark, now)
                return out

            step("links", links)
            step("lost", lost)

        def fleet():
            mark, out = fleet_rollups.refresh_fleet(
                lp, mc, svc.redis, schema, now, state.get("fleet", {}).get("watermark"), cfg.late_s
            )
            self._save("fleet", mark, now)
            return out

        step("fleet", fleet)
        values_at = state.get("domain_values", {}).get("updated_at")
        if values_at is None or (now - values_at).total_seconds() >= cfg.domain_value_refresh_s or full:

            def values():
                n = domain_rollups.refresh_domain_values(lp, mc, schema, now, dict(cfg.value_weights))
                self._save("domain_values", None, now)
                return n

            step("domain_values", values)
        if schema.has("backlinks"):
            step("overlap", lambda: link_rollups.refresh_overlap(mc, resolve(lp, mc, schema, cfg).all))
        step("mentions", lambda: domain_rollups.refresh_mentions(lp, mc, schema, now))
        if schema.has("crawl_jobs"):
            step("summary_view", lambda: summary_view.refresh(lp))
        report["seconds"] = timings
        report["version"] = bump_version(svc.redis)
        return report


def bump_version(redis_client) -> int | None:
    """Mark the rollups changed (pages re-read them); None when Redis is down."""
    try:
        return int(redis_client.incr(VERSION_KEY))
    except Exception as exc:
        log.warning("analytics version not bumped: %s", exc)
        return None


def current_version(redis_client) -> str:
    """The rollup version pages key their caches on ("0" before the first refresh or without Redis)."""
    try:
        return str(redis_client.get(VERSION_KEY) or "0")
    except Exception:
        return "offline"

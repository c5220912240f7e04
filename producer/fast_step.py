"""The producer's fast step, run every tick: read this tick's inputs (jobs table, Redis fleet
and queues, quota ledger), update the producer state, build the document (pure, in
`producer.snapshot`) and let the alert engine evaluate it.

Each source is read inside a guard: when one fails the snapshot still builds, the failed
section keeps its last good value (or is empty) and the source is reported offline with the
time it went down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from data import fleet, jobs, queues
from common.timestamps import to_datetime
from data.schema import SchemaInfo
from producer import series
from producer.snapshot import TickInputs, build_document, epoch_of
from producer.state import ProducerState

if TYPE_CHECKING:
    from runtime.context import AppContext

log = logging.getLogger(__name__)


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means a source is unreachable (not a bug in our code)."""
    import redis as redis_lib
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(
        exc, (redis_lib.ConnectionError, redis_lib.TimeoutError, OperationalError, ConnectionError, TimeoutError)
    ):
        return True
    return isinstance(exc, DBAPIError) and bool(getattr(exc, "connection_invalidated", False))


class FastStep:
    """Builds one document per call of `run(now)`; keeps its memory in `state`."""

    def __init__(self, ctx: AppContext, state: ProducerState | None = None):
        self.ctx = ctx
        self.state = state or ProducerState()

    def run(self, now: datetime) -> dict:
        """This tick's document (alerts evaluated; not yet published)."""
        started = time.perf_counter()
        ctx, svc, state = self.ctx, self.ctx.services, self.state
        settings = ctx.settings
        schema = svc.schema

        job_part = self._guard("database", "jobs", lambda: self._jobs(now, schema))
        redis_part = self._guard("redis", "redis", lambda: self._redis(now, schema, job_part))
        quotas = ctx.quotas
        quota_statuses = self._guard(
            "redis", "quotas", lambda: quotas.statuses(now) if quotas is not None else [], default=[]
        )
        doc = build_document(
            TickInputs(
                now=now,
                jobs=job_part,
                redis=redis_part,
                quota_statuses=quota_statuses,
                heavy=state.heavy,
                heavy_built_at=state.heavy_built_at,
                schema_variant=schema.variant,
                missing_tables=tuple(schema.missing_tables),
                sources={k: h.as_dict() for k, h in svc.health.items()},
                heartbeat_timeout_s=settings.heartbeat_timeout_s,
                refresh_rate_ms=settings.refresh_rate_ms,
                simulated=ctx.simulator is not None,
                queue_threshold=settings.alerts.rule("queue_overflow").threshold,
            )
        )
        alerts = ctx.alerts
        if alerts is not None:
            doc["alerts"] = self._guard("database", "alerts", lambda: alerts.evaluate(doc, now), default=[])
        doc["mc"]["build_ms"] = round((time.perf_counter() - started) * 1000, 1)
        state.last_tick = now
        state.fleet = doc["mc"]["fleet"]
        state.queue_depth = doc["crawler_mission_status"]["queue_depth"]
        return doc

    def _guard(self, source: str, section: str, fn: Callable[[], Any], default: Any = None) -> Any:
        """Run `fn`; on failure keep the section's last good value. An outage marks `source`
        offline; any other error is a bug in a section, logged once, and the source stays up."""
        state = self.state
        try:
            value = fn()
        except Exception as exc:
            if is_outage(exc):
                self.ctx.services.mark(source, False, exc)
                if source == "redis":
                    state.forget_series()  # Redis may come back without them: read them again
            elif state.logged.get(section) != str(exc):
                state.logged[section] = str(exc)
                log.exception("snapshot section %s failed", section)
            return state.last_good.get(section, {} if default is None else default)
        state.logged.pop(section, None)
        state.last_good[section] = value
        return value

    def _jobs(self, now: datetime, schema: SchemaInfo) -> dict:
        if not schema.has("crawl_jobs"):
            return {}
        engine = self.ctx.services.read_engine
        touched = jobs.jobs_touched_24h(engine, now)
        part = {
            "counts": jobs.job_status_counts(engine),
            "active": jobs.active_jobs(engine, now),
            "touched": touched,
            "day": jobs.summarise_24h(touched),
            "errors": jobs.recent_job_errors(engine, now, limit=15),
            "timeline": jobs.timeline_jobs(engine, now, hours=3, limit=18),
        }
        active_ids = set(part["active"]["id"].astype(str))
        # Jobs that stopped being active since the last tick: read their final counters.
        part["finished_links"] = jobs.links_found_by_job(engine, sorted(self.state.active_ids - active_ids))
        self.ctx.services.mark("database", True)
        return part

    def _redis(self, now: datetime, schema: SchemaInfo, job_part: dict) -> dict:
        svc, settings, state = self.ctx.services, self.ctx.settings, self.state
        client = svc.redis
        now_epoch = epoch_of(now)
        db_engine = (
            svc.read_engine if svc.health["database"].online and schema.has("satellite_performance_logs") else None
        )
        try:
            frame, problems = fleet.read_fleet(
                client, settings.redis_keys, db_engine, schema, now, now_epoch, settings.heartbeat_timeout_s
            )
        except Exception as exc:
            if db_engine is None:
                raise
            svc.mark("database", False, exc)  # Redis worked; only the performance log failed
            frame, problems = fleet.read_fleet(
                client, settings.redis_keys, None, schema, now, now_epoch, settings.heartbeat_timeout_s
            )
        qd = queues.queue_depths(client, settings.redis_keys, now_epoch)
        if state.series is None:  # first tick as the producer: continue the series where they are
            state.series = series.load(client, settings.queue_trend_points, now)
        rolling = state.series
        series.record_queue_depth(client, rolling, now_epoch, qd.get("job_queue"), settings.queue_trend_points)
        seen = {
            str(j): str(s)
            for s, j in zip(frame.get("satellite_id", []), frame.get("current_job_id", []))
            if isinstance(j, str) and j
        }
        assignments = series.track_job_satellites(client, rolling, now, seen)
        self._count_links(client, rolling, job_part, now, now_epoch)
        svc.mark("redis", True)
        return {
            "fleet_frame": frame,
            "problems": problems,
            "queues": qd,
            "queue_problems": qd.get("problems", []),
            "queue_trend": list(rolling.queue),
            "links_per_minute": series.links_per_minute(rolling, now_epoch),
            "assignments": assignments,
        }

    def _count_links(
        self, client: Any, rolling: series.Series, job_part: dict, now: datetime, now_epoch: float
    ) -> None:
        active = job_part.get("active")
        if active is None:
            return
        current = {str(i): int(n or 0) for i, n in zip(active["id"], active["links_found"])}
        current.update(job_part.get("finished_links", {}))
        since = self.state.last_tick or now
        new_jobs = {
            str(i)
            for i, s in zip(active["id"], active["started_date"])
            if (started := to_datetime(s)) is not None and started >= since
        }
        found = series.links_delta(rolling.links_seen, current, new_jobs)
        active_now = {str(i): int(n or 0) for i, n in zip(active["id"], active["links_found"])}
        series.add_links(client, rolling, now_epoch, found, active_now)
        self.state.active_ids = set(active_now)

"""Builds the snapshot document: Link Profiler's real-time payload plus our extras under "mc".

`build_fast` runs every tick (jobs table, Redis fleet and queues, quota ledger, alerts);
`build_heavy` runs every MISSION_CONTROL_CACHE_TTL seconds (backlinks, domains, performance)
and its result is merged into every fast snapshot until the next heavy run. Each source is
read inside a guard: when one fails the snapshot still builds, the failed section keeps its
last good value (or is empty) and the source is reported offline with the time it went down.
"""

from __future__ import annotations

import calendar
import logging
import time
from datetime import UTC, datetime, timedelta

import pandas as pd

from data import backlinks, domain_intel, fleet, jobs, performance, queues
from data.frames import iso, to_datetime
from producer import series
from runtime.context import AppContext

log = logging.getLogger(__name__)

JOB_SATELLITE_KEY = "mc:job_satellite:"  # + YYYYMMDD, a hash job id -> satellite id, 2-day TTL


def epoch_of(dt: datetime) -> float:
    """Epoch seconds of a naive UTC datetime (never the machine's local zone)."""
    return calendar.timegm(dt.timetuple()) + dt.microsecond / 1e6


def _records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as JSON-ready dicts: timestamps as ISO text, NaN as None."""
    out = []
    for row in frame.to_dict("records"):
        clean = {}
        for k, v in row.items():
            if isinstance(v, (pd.Timestamp, datetime)):
                clean[k] = iso(v)
            elif (
                (isinstance(v, float) and v != v)
                or v is pd.NaT
                or (not isinstance(v, (list, dict, str)) and pd.isna(v))
            ):
                clean[k] = None
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out


class SnapshotBuilder:
    """Holds the producer's memory between ticks (previous counters, last good sections)."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.heavy: dict = {}
        self.heavy_built_at: float | None = None
        self.last_good: dict = {}
        self._logged: dict[str, str] = {}
        self._active_ids: set[str] = set()
        self._last_tick: datetime | None = None

    # -- fast ------------------------------------------------------------------------------
    def build_fast(self, now: datetime) -> dict:
        started = time.perf_counter()
        ctx, svc = self.ctx, self.ctx.services
        settings = ctx.settings
        now_epoch = epoch_of(now)
        schema = svc.schema
        problems: list[str] = []

        job_part = self._guard("database", "jobs", lambda: self._jobs(now, schema))
        redis_part = self._guard("redis", "redis", lambda: self._redis(now, now_epoch, schema, job_part))
        fleet_frame = redis_part.get("fleet_frame", pd.DataFrame(columns=fleet.FLEET_COLUMNS))
        problems += redis_part.get("problems", [])
        summary = fleet.utilisation(fleet_frame)
        qd = redis_part.get("queues", {})
        active = job_part.get("active", pd.DataFrame(columns=jobs.ACTIVE_COLUMNS))

        assignments = redis_part.get("assignments", {})
        board = self._board(active, fleet_frame)
        quota_statuses = self._guard(
            "redis", "quotas", lambda: ctx.quotas.statuses(now) if ctx.quotas else [], default=[]
        )
        day = job_part.get("day", {})
        doc = {
            "timestamp": iso(now),
            "crawler_mission_status": {
                "active_jobs_count": job_part.get("counts", {}).get(jobs.ACTIVE, 0),
                "queued_jobs_count": sum(job_part.get("counts", {}).get(s, 0) for s in jobs.WAITING),
                "completed_jobs_24h_count": day.get("completed", 0),
                "failed_jobs_24h_count": day.get("failed", 0),
                "total_pages_crawled_24h": day.get("pages_crawled", 0),
                "queue_depth": qd.get("job_queue"),
                "active_satellites_count": summary["alive"],
                "total_satellites_count": summary["total"],
                "satellite_utilization_percentage": summary["utilisation_pct"],
                "avg_job_completion_time_seconds": _round(day.get("avg_completion_seconds")),
                "recent_job_errors": _records(job_part.get("errors", pd.DataFrame())),
            },
            "backlink_discovery_metrics": self.heavy.get("backlinks", {}),
            "api_quota_statuses": quota_statuses,
            "domain_intelligence_metrics": self.heavy.get("domains", {}),
            "performance_optimization_metrics": self.heavy.get("performance", {}),
            "alerts": [],
            "satellite_fleet_status": self._fleet_status(fleet_frame, job_part, assignments, now),
            "mc": {
                "built_at": now_epoch,
                "heavy_built_at": self.heavy_built_at,
                "schema_variant": schema.variant,
                "missing_tables": list(schema.missing_tables),
                "sources": {k: h.as_dict() for k, h in svc.health.items()},
                "problems": problems + redis_part.get("queue_problems", []),
                "jobs_by_status": job_part.get("counts", {}),
                "active_jobs": board,
                "timeline": _records(job_part.get("timeline", pd.DataFrame())),
                "fleet": _records(fleet_frame),
                "fleet_summary": summary,
                "queues": {k: v for k, v in qd.items() if k != "problems"},
                "queue_trend": redis_part.get("queue_trend", []),
                "links_per_minute": redis_part.get("links_per_minute", []),
                "discovery_by_target": self.heavy.get("radar", []),
                "bottlenecks": self.heavy.get("bottlenecks", []),
                "heartbeat_timeout_s": settings.heartbeat_timeout_s,
                "refresh_rate_ms": settings.refresh_rate_ms,
                "simulated": ctx.simulator is not None,
            },
        }
        if ctx.alerts is not None:
            doc["alerts"] = self._guard("database", "alerts", lambda: ctx.alerts.evaluate(doc, now), default=[])
        doc["mc"]["build_ms"] = round((time.perf_counter() - started) * 1000, 1)
        self._last_tick = now
        return doc

    def _guard(self, source: str, section: str, fn, default=None):
        """Run `fn`; on failure keep the section's last good value. An outage marks `source`
        offline; any other error is a bug in a section, logged once, and the source stays up."""
        try:
            value = fn()
        except Exception as exc:
            if is_outage(exc):
                self.ctx.services.mark(source, False, exc)
            elif self._logged.get(section) != str(exc):
                self._logged[section] = str(exc)
                log.exception("snapshot section %s failed", section)
            return self.last_good.get(section, {} if default is None else default)
        self._logged.pop(section, None)
        self.last_good[section] = value
        return value

    def _jobs(self, now: datetime, schema) -> dict:
        if not schema.has("crawl_jobs"):
            return {}
        engine = self.ctx.services.engine
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
        part["finished_links"] = jobs.links_found_by_job(engine, sorted(self._active_ids - active_ids))
        self.ctx.services.mark("database", True)
        return part

    def _redis(self, now: datetime, now_epoch: float, schema, job_part: dict) -> dict:
        svc, settings = self.ctx.services, self.ctx.settings
        client = svc.redis
        db_engine = svc.engine if svc.health["database"].online and schema.has("satellite_performance_logs") else None
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
        series.record_queue_depth(client, now_epoch, qd.get("job_queue"))
        assignments = self._track_assignments(frame, now)
        self._count_links(job_part, now, now_epoch)
        svc.mark("redis", True)
        return {
            "fleet_frame": frame,
            "problems": problems,
            "queues": qd,
            "queue_problems": qd.get("problems", []),
            "queue_trend": series.queue_series(client),
            "links_per_minute": series.links_per_minute(client, now_epoch),
            "assignments": assignments,
        }

    def _count_links(self, job_part: dict, now: datetime, now_epoch: float) -> None:
        active = job_part.get("active")
        if active is None:
            return
        client = self.ctx.services.redis
        current = {str(i): int(n or 0) for i, n in zip(active["id"], active["links_found"])}
        current.update(job_part.get("finished_links", {}))
        since = self._last_tick or now
        new_jobs = {
            str(i)
            for i, s in zip(active["id"], active["started_date"])
            if to_datetime(s) is not None and to_datetime(s) >= since
        }
        previous = series.load_links_seen(client)
        series.add_links(client, now_epoch, series.links_delta(previous, current, new_jobs))
        active_now = {str(i): int(n or 0) for i, n in zip(active["id"], active["links_found"])}
        series.store_links_seen(client, active_now)
        self._active_ids = set(active_now)

    def _track_assignments(self, frame: pd.DataFrame, now: datetime) -> dict[str, str]:
        """Remember which satellite ran which job (Link Profiler keeps no assignment table):
        every current_job_id seen in a heartbeat goes into a per-day hash kept for two days."""
        client = self.ctx.services.redis
        today = JOB_SATELLITE_KEY + now.strftime("%Y%m%d")
        yesterday = JOB_SATELLITE_KEY + (now - timedelta(days=1)).strftime("%Y%m%d")
        seen = {
            str(j): str(s)
            for s, j in zip(frame.get("satellite_id", []), frame.get("current_job_id", []))
            if isinstance(j, str) and j
        }
        pipe = client.pipeline(transaction=False)
        if seen:
            pipe.hset(today, mapping=seen)
            pipe.expire(today, 2 * 86400)
        pipe.hgetall(yesterday)
        pipe.hgetall(today)
        *_, old, new = pipe.execute()
        return {**old, **new}

    def _board(self, active: pd.DataFrame, fleet_frame: pd.DataFrame) -> list[dict]:
        running_on = {
            str(j): str(s)
            for s, j in zip(fleet_frame.get("satellite_id", []), fleet_frame.get("current_job_id", []))
            if isinstance(j, str)
        }
        rows = _records(active)
        for row in rows:
            row["satellite_id"] = running_on.get(str(row["id"]))
        return rows

    def _fleet_status(
        self, frame: pd.DataFrame, job_part: dict, assignments: dict[str, str], now: datetime
    ) -> list[dict]:
        """The contract's `satellite_fleet_status` list."""
        touched = job_part.get("touched", pd.DataFrame(columns=jobs.FINISHED_COLUMNS))
        active = job_part.get("active", pd.DataFrame(columns=jobs.ACTIVE_COLUMNS))
        done = touched[touched["status"] == "completed"] if not touched.empty else touched
        per_sat: dict[str, list[float]] = {}
        for jid, s, c in zip(done.get("id", []), done.get("started_date", []), done.get("completed_date", [])):
            sat = assignments.get(str(jid))
            if sat:
                per_sat.setdefault(sat, [])
                d = jobs.duration_seconds(s, c)
                if d is not None:
                    per_sat[sat].append(d)
        errors = self.heavy.get("errors_24h", {})
        job_info = {str(r["id"]): r for r in active.to_dict("records")} if not active.empty else {}
        out = []
        for r in _records(frame):
            sat = r["satellite_id"]
            job = job_info.get(str(r["current_job_id"])) if r["current_job_id"] else None
            durations = per_sat.get(sat, [])
            out.append(
                {
                    "satellite_id": sat,
                    "status": "unresponsive"
                    if r["status"] == "unresponsive"
                    else ("active" if r["current_job_id"] else "idle"),
                    "raw_status": r["status"],
                    "last_heartbeat": None
                    if r["last_heartbeat"] is None
                    else iso(datetime.fromtimestamp(r["last_heartbeat"], UTC)),
                    "jobs_completed_24h": len(per_sat.get(sat, [])),
                    "errors_24h": int(errors.get(sat, 0)),
                    "avg_job_duration_seconds": _round(sum(durations) / len(durations)) if durations else None,
                    "current_job_id": r["current_job_id"],
                    "current_job_type": (job or {}).get("job_type") or r.get("current_job_type"),
                    "current_job_progress": _round((job or {}).get("progress_percentage"))
                    if job
                    else r.get("current_job_progress"),
                }
            )
        return out

    # -- heavy -----------------------------------------------------------------------------
    def build_heavy(self, now: datetime) -> dict:
        """Backlink, domain and performance analytics; swaps in atomically when all are done."""
        svc = self.ctx.services
        schema = svc.schema
        engine = svc.engine
        heavy = dict(self.heavy)
        from analytics import service, snapshot_sections as sections

        a = self.ctx.analytics
        steps = {
            # The analysis rollups are refreshed first (incrementally, under an advisory lock); the
            # main screen's backlink, radar and domain sections then read them, never a full scan.
            "analytics": lambda: sections.refresh(a, now),
            "backlinks": lambda: sections.with_fallback(
                lambda: sections.backlink_metrics(a, svc, now),
                lambda: backlinks.discovery_summary(engine, schema, now),
            ),
            "radar": lambda: _records(
                sections.with_fallback(
                    lambda: sections.radar(svc, now), lambda: backlinks.discovery_by_target(engine, schema, now)
                )
            ),
            "domains": lambda: sections.with_fallback(
                lambda: sections.domain_metrics(svc, now),
                lambda: domain_intel.domain_summary(engine, schema, now),
            ),
            # Found once per cycle; the performance section names the same findings.
            "bottlenecks": lambda: sections.bottleneck_findings(
                a, svc, now, *service.fleet_of(service.latest_snapshot(self.ctx))
            ),
            "performance": lambda: sections.performance_metrics(
                performance.performance_summary(engine, schema, now), heavy.get("bottlenecks", [])
            ),
            "errors_24h": lambda: {
                str(s): int(e or 0)
                for s, e in performance.satellite_history_24h(engine, schema, now).itertuples(index=False)
            },
        }
        for name, fn in steps.items():
            try:
                heavy[name] = fn()
            except Exception as exc:
                if is_outage(exc):
                    svc.mark("database", False, exc)
                else:
                    log.exception("analytics section %s failed", name)
        self.heavy = heavy
        self.heavy_built_at = epoch_of(now)
        return heavy


def is_outage(exc: BaseException) -> bool:
    """True when `exc` means a source is unreachable (not a bug in our code)."""
    import redis as redis_lib
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(
        exc, (redis_lib.ConnectionError, redis_lib.TimeoutError, OperationalError, ConnectionError, TimeoutError)
    ):
        return True
    return isinstance(exc, DBAPIError) and bool(getattr(exc, "connection_invalidated", False))


def _round(value, digits: int = 1):
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else round(f, digits)

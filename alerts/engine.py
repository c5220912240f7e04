"""The alert engine: evaluated once per tick by the elected producer.

    engine = AlertEngine(ctx)
    alerts = engine.evaluate(doc, now)   # the firing alerts, in the contract's shape + extras
    engine.stop()                        # stops the delivery thread

Per tick it costs one Redis GET (has anyone else changed the alerts?) plus two small hash
writes when the fleet or the job progress changed; SQL only on state transitions, on the
job-event poll (every ALERT_JOB_INTERVAL s), on the backlink rules (every
ALERT_BACKLINK_INTERVAL s) and on re-reading Link Profiler's alert_rules (every
ALERT_LP_RULES_REFRESH s). All lifecycle state lives in mc_alert* tables and mc:alerts:* keys,
so a successor producer continues where the previous one stopped: the revision counter
`mc:alerts:rev` tells an engine that its memory is stale (another producer, or an ack /
silence from the API) and it reloads from the database.

The document also gets `doc["mc"]["alert_center"]` (pending alerts, silences, Link Profiler
rules and their problems, the outbox summary), so the alert page reads the snapshot, never SQL.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from alerts import backlink_rules, job_events, lp_rules, rules
from alerts.channels import configured_channels
from alerts.conditions import SEVERITY_ORDER, Condition
from alerts.lifecycle import Lifecycle, Silence, epoch
from alerts.outbox import DeliveryWorker, Outbox, notice_rows
from alerts.settings import AlertSettings
from alerts.store import AlertStore, Conflict
from common.timestamps import utcnow
from data.frames import iso

log = logging.getLogger(__name__)

REV_KEY = "mc:alerts:rev"
SAT_JOB_KEY = "mc:alerts:sat_job"  # hash: satellite id -> job it was last seen running
PROGRESS_KEY = "mc:alerts:progress"  # hash: job id -> "progress|epoch it last moved"
PRUNE_EVERY_S = 3600.0
OUTBOX_SUMMARY_EVERY_S = 5.0


def bump_revision(redis_client) -> int | None:
    """Tell the producer its alert memory is stale (after an ack or a silence from any worker)."""
    try:
        return int(redis_client.incr(REV_KEY))
    except Exception:  # Redis down: the producer reloads on its own when it cannot read the key
        log.debug("cannot bump %s", REV_KEY, exc_info=True)
        return None


class AlertEngine:
    """Rules + lifecycle + outbox for one app instance (`ctx`: runtime.context.AppContext)."""

    def __init__(
        self,
        ctx,
        settings: AlertSettings | None = None,
        clock: Callable[[], datetime] | None = None,
        deliver_in_background: bool = True,
    ):
        """`settings`: default `ctx.settings.alerts`; `clock`: wall clock for delivery times
        (naive UTC); `deliver_in_background` False leaves delivery to `outbox.deliver_due()`."""
        self.ctx = ctx
        self.deliver_in_background = deliver_in_background
        self.settings = settings or ctx.settings.alerts
        self.clock = clock or utcnow
        self.store = AlertStore(ctx.services.mc_engine)
        self.lifecycle = Lifecycle(self.settings)
        self.outbox = Outbox(ctx.services.mc_engine, ctx.settings, self.settings, clock=self.clock)
        self.worker = DeliveryWorker(self.outbox, self.settings.delivery_poll_s)
        self.states: dict[str, dict] | None = None
        self.silences: list[Silence] = []
        self._rev: int | None = None
        self._sat_jobs: dict[str, str] | None = None
        self._progress: dict[str, tuple[float, float]] | None = None
        self._job_rows: list[dict] = []
        self._job_due = 0.0
        self._backlink_conditions: list[Condition] = []
        self._backlink_due = 0.0
        self._baselines = backlink_rules.SpamBaselines()
        self._lp_rules: list[lp_rules.LpRule] = []
        self._lp_due = 0.0
        self._prune_due = 0.0
        self._outbox_summary: dict = {}
        self._outbox_due = 0.0
        self.problems: dict[str, str] = {}

    # -- public ------------------------------------------------------------------------------------
    def evaluate(self, doc: dict, now: datetime) -> list[dict]:
        """Run every rule on this tick's document, advance the lifecycle, queue notices.

        `doc`: the snapshot being built; `now`: naive UTC. Returns the firing alerts (contract
        shape: type, severity, message, timestamp, affected_jobs, recommended_action, details;
        plus fingerprint, state, since, acknowledged, silenced, flapping, affected_satellites, rule).
        """
        if self.deliver_in_background and not self.worker.running:
            self.worker.start()
        self._sync(now)
        conditions = self._conditions(doc, now)
        for attempt in range(3):
            plan = self.lifecycle.step(self.states, conditions, self.silences, now)
            if plan.empty:
                self.states = plan.states
                break
            rows = notice_rows(plan.events, self.ctx.settings, self.clock())
            try:
                versions = self.store.commit(plan, rows, now)
            except Conflict as exc:
                log.info("alert state changed by another producer (%s); reloading", exc)
                self._reload(now)
                if attempt == 2:
                    raise
                continue
            for fp, version in versions.items():
                plan.states[fp]["version"] = version
                plan.states[fp].pop("_new", None)
                plan.states[fp]["_stored"] = True
            self.states = plan.states
            self.silences = [s for s in self.silences if s.id not in plan.ended_silences]
            self._rev = bump_revision(self.ctx.services.redis)
            if rows:
                self.worker.wake()
            break
        self._forget_old(now)
        self._housekeeping(now)
        firing = self.firing(now)
        self._publish_extras(doc, now)
        return firing

    def firing(self, now: datetime | None = None) -> list[dict]:
        """The firing alerts from memory, most severe first, then newest."""
        now = now or self.clock()
        out = [self._as_alert(row, now) for row in (self.states or {}).values() if row["state"] == "firing"]
        out.sort(key=lambda a: (SEVERITY_ORDER.get(a["severity"], 9), -(epoch_iso(a["timestamp"]) or 0)))
        return out

    def pending(self, now: datetime | None = None) -> list[dict]:
        now = now or self.clock()
        return [self._as_alert(row, now) for row in (self.states or {}).values() if row["state"] == "pending"]

    def start(self) -> None:
        """Start the delivery thread (it also starts on the first `evaluate`)."""
        self.worker.start()

    def stop(self) -> None:
        """Stop the delivery thread; undelivered notices stay in the outbox for the next start."""
        self.worker.stop()

    # -- people's actions (any worker; the producer picks them up through the revision) --------------
    def acknowledge(self, fingerprint: str, by: str, comment: str) -> dict | None:
        row = self.store.acknowledge(fingerprint, by, comment, self.clock())
        bump_revision(self.ctx.services.redis)
        return row

    def silence(
        self, *, fingerprint: str | None = None, alert_type: str | None = None, duration_s: float, by: str, comment: str
    ) -> dict:
        now = self.clock()
        row = self.store.add_silence(
            fingerprint=fingerprint,
            alert_type=alert_type,
            expires_at=now + timedelta(seconds=duration_s),
            by=by,
            comment=comment,
            now=now,
        )
        bump_revision(self.ctx.services.redis)
        return row

    def end_silence(self, silence_id: str) -> bool:
        done = self.store.end_silence(silence_id, self.clock())
        bump_revision(self.ctx.services.redis)
        return done

    # -- state sync ------------------------------------------------------------------------------------
    def _sync(self, now: datetime) -> None:
        try:
            rev = self.ctx.services.redis.get(REV_KEY)
            rev = None if rev is None else int(rev)
        except Exception:
            rev = -1  # Redis unreadable: trust nothing in memory
        if self.states is None or rev is None or rev != self._rev:
            self._reload(now)
            self._rev = rev

    def _reload(self, now: datetime) -> None:
        keep = max(self.settings.flap_window_s, 60.0)
        self.states = self.store.load_states(now, keep)
        for row in self.states.values():
            row["_stored"] = True
        self.silences = self.store.load_silences()
        self._sat_jobs = None
        self._progress = None

    def _forget_old(self, now: datetime) -> None:
        """Drop long-resolved alerts from memory (they stay in the table for history)."""
        keep = max(self.settings.flap_window_s, 60.0)
        for fp in [
            fp
            for fp, r in self.states.items()
            if r["state"] == "resolved"
            and not r.get("flapping")
            and r.get("resolved_at") is not None
            and (now - r["resolved_at"]).total_seconds() > keep
        ]:
            del self.states[fp]

    # -- rules ----------------------------------------------------------------------------------------
    def _conditions(self, doc: dict, now: datetime) -> dict[str, Condition]:
        svc = self.ctx.services
        now_e = epoch(now)
        mono = time.monotonic()
        found: list[Condition] = []
        found += self._guard(
            "satellite_failure", lambda: rules.satellite_failures(doc, self.settings, self._track_sat_jobs(doc))
        )
        found += self._guard("queue_overflow", lambda: rules.queue_overflow(doc, self.settings))
        found += self._guard("quota", lambda: rules.quota_alerts(doc, self.settings))
        found += self._guard(
            "stalled_job", lambda: rules.stalled_jobs(doc, self.settings, self._track_progress(doc, now_e), now_e)
        )
        schema = svc.schema
        if mono >= self._lp_due:
            self._lp_due = mono + self.settings.lp_rules_refresh_s
            self._lp_rules = self._guard(
                "lp_rules_load", lambda: lp_rules.load_rules(svc.read_engine, schema), self._lp_rules
            )
        if mono >= self._job_due:
            self._job_due = mono + self.settings.job_interval_s
            waiting = any(
                r.trigger_type == "job_status_change" and (r.metric_name or "").lower() in job_events.WAITING
                for r in self._lp_rules
            )
            self._job_rows = self._guard(
                "job_events",
                lambda: job_events.recent_jobs(
                    svc.read_engine, schema, now, self.settings.event_hold_s, waiting_too=waiting
                ),
                self._job_rows,
            )
        found += self._guard("job_failure", lambda: rules.failed_jobs(self._job_rows, self.settings, now))
        if mono >= self._backlink_due:
            self._backlink_due = mono + self.settings.backlink_interval_s
            self._backlink_conditions = self._backlink_rules(now)
        found += self._backlink_conditions
        found += self._guard(
            "lp_rules",
            lambda: lp_rules.evaluate(self._lp_rules, doc, self._job_rows, found, now, self.settings.event_hold_s),
        )
        return {c.fingerprint: c for c in found}

    def _backlink_rules(self, now: datetime) -> list[Condition]:
        svc = self.ctx.services
        schema = svc.schema
        if not schema.has("backlinks"):
            return []
        competitors = self.settings.competitor_domains or self._simulated_competitors()
        out: list[Condition] = []
        out += self._guard(
            "high_authority_backlink",
            lambda: backlink_rules.high_authority_links(svc.read_engine, schema, now, self.settings),
        )
        out += self._guard(
            "competitor_surge",
            lambda: backlink_rules.competitor_surges(svc.read_engine, schema, now, self.settings, competitors),
        )
        out += self._guard(
            "negative_seo",
            lambda: backlink_rules.spam_influx(svc.read_engine, schema, now, self.settings, self._baselines),
        )
        out += self._guard(
            "lost_backlinks", lambda: backlink_rules.lost_links(svc.read_engine, schema, now, self.settings)
        )
        return out

    def _simulated_competitors(self) -> tuple[str, ...]:
        # The demo's competitors; a real deployment names its own in ALERT_COMPETITOR_DOMAINS.
        sim = self.ctx.simulator
        pool = getattr(sim, "pool", None)
        return tuple(getattr(pool, "competitors", ()) or ())

    def _guard(self, name: str, fn, default=None):
        """Run one rule; a failing rule is reported (once) and skipped, never fatal to the tick."""
        try:
            value = fn()
        except Exception as exc:
            message = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
            if self.problems.get(name) != message:
                log.warning("alert rule %s failed: %s", name, message)
            self.problems[name] = message
            return [] if default is None else default
        self.problems.pop(name, None)
        return value

    def _track_sat_jobs(self, doc: dict) -> dict[str, str]:
        """Remember which job each live satellite runs (its details expire when it dies)."""
        client = self.ctx.services.redis
        if self._sat_jobs is None:
            self._sat_jobs = dict(client.hgetall(SAT_JOB_KEY) or {})
        changed = {}
        for sat in doc.get("mc", {}).get("fleet", []):
            if not sat.get("alive"):
                continue
            sid, job = str(sat.get("satellite_id")), str(sat.get("current_job_id") or "")
            if self._sat_jobs.get(sid, "") != job:
                changed[sid] = job
        if changed:
            client.hset(SAT_JOB_KEY, mapping=changed)
            self._sat_jobs.update(changed)
        return self._sat_jobs

    def _track_progress(self, doc: dict, now_e: float) -> dict[str, tuple[float, float]]:
        client = self.ctx.services.redis
        if self._progress is None:
            self._progress = {}
            for jid, raw in (client.hgetall(PROGRESS_KEY) or {}).items():
                try:
                    p, t = raw.split("|", 1)
                    self._progress[jid] = (float(p), float(t))
                except ValueError:
                    continue
        active = doc.get("mc", {}).get("active_jobs", [])
        memory, changed = rules.track_progress(active, self._progress, now_e)
        gone = [j for j in self._progress if j not in memory]
        if changed or gone:
            pipe = client.pipeline(transaction=False)
            if changed:
                pipe.hset(PROGRESS_KEY, mapping={j: f"{p}|{t}" for j, (p, t) in changed.items()})
            if gone:
                pipe.hdel(PROGRESS_KEY, *gone)
            pipe.execute()
        self._progress = memory
        return memory

    # -- output ---------------------------------------------------------------------------------------
    def _silence_of(self, row: dict, now: datetime) -> Silence | None:
        return next((s for s in self.silences if s.expires_at > now and s.matches(row)), None)

    def _as_alert(self, row: dict, now: datetime) -> dict:
        live = row.get("_live") or {}
        merged = {**row, **live}
        silence = self._silence_of(row, now)
        details = dict(merged.get("details") or {})
        return {
            "type": merged["type"],
            "severity": merged["severity"],
            "message": merged.get("message") or "",
            "timestamp": iso(row.get("fired_at") or row.get("since")),
            "affected_jobs": list(merged.get("affected_jobs") or []),
            "recommended_action": merged.get("recommended_action") or "",
            "details": details,
            "fingerprint": row["fingerprint"],
            "state": row["state"],
            "since": iso(row.get("since")),
            "age_s": round((now - (row.get("fired_at") or row.get("since") or now)).total_seconds()),
            "acknowledged": row.get("acknowledged_at") is not None,
            "acknowledged_by": row.get("acknowledged_by"),
            "ack_comment": row.get("ack_comment"),
            "silenced": silence is not None,
            "silenced_until": iso(silence.expires_at) if silence else None,
            "flapping": bool(row.get("flapping")),
            "affected_satellites": list(merged.get("affected_satellites") or []),
            "rule": merged.get("rule"),
            "one_shot": bool(merged.get("one_shot")),
        }

    def _publish_extras(self, doc: dict, now: datetime) -> None:
        mc = doc.setdefault("mc", {})
        mc["alert_center"] = {
            "pending": self.pending(now),
            "silences": [
                {
                    "id": s.id,
                    "fingerprint": s.fingerprint,
                    "alert_type": s.alert_type,
                    "expires_at": iso(s.expires_at),
                    "created_by": s.created_by,
                    "comment": s.comment,
                }
                for s in self.silences
                if s.expires_at > now
            ],
            "lp_rules": [r.describe() for r in self._lp_rules],
            "problems": dict(self.problems),
            "channels": list(configured_channels(self.ctx.settings)),
            "outbox": self._outbox_summary,
        }

    def _housekeeping(self, now: datetime) -> None:
        mono = time.monotonic()
        if mono >= self._outbox_due:
            self._outbox_due = mono + OUTBOX_SUMMARY_EVERY_S
            self._outbox_summary = self._guard("outbox_summary", self._summarise_outbox, self._outbox_summary)
        # With an archive, the archive pass prunes these rows once it has written them (archive/retention.py).
        if mono >= self._prune_due and not self.ctx.settings.archive.url:
            self._prune_due = mono + PRUNE_EVERY_S
            removed = self._guard("prune", lambda: self.store.prune(now, self.ctx.settings.history_retention_days), {})
            if any(removed.values()):
                log.info("pruned alert history: %s", json.dumps(removed))

    def _summarise_outbox(self) -> dict:
        from sqlalchemy import func, select

        from alerts import tables

        o = tables.outbox
        with self.ctx.services.mc_engine.connect() as conn:
            counts = {s: n for s, n in conn.execute(select(o.c.status, func.count()).group_by(o.c.status))}
            last_error = conn.execute(
                select(o.c.channel, o.c.last_error, o.c.attempts)
                .where(o.c.status == "pending", o.c.last_error.is_not(None))
                .order_by(o.c.created_at)
                .limit(1)
            ).first()
        return {
            "pending": int(counts.get("pending", 0)),
            "delivered": int(counts.get("delivered", 0)),
            "dead": int(counts.get("dead", 0)),
            "retrying": None
            if last_error is None
            else {"channel": last_error[0], "error": last_error[1], "attempts": last_error[2]},
        }


def epoch_iso(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return epoch(datetime.fromisoformat(text.rstrip("Z")))
    except ValueError:
        return None

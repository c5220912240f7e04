"""`Simulator`: a coordinator and N satellites writing what Link Profiler writes, tick by tick.

One `step(now)` is one tick of simulated time. It reads a few Redis keys, runs every satellite
for the time elapsed since the previous tick, and then writes the outcome in one database
transaction (a handful of batched statements) followed by one Redis pipeline. Queue pushes
come after the commit, so a satellite never pops a job whose row does not exist yet.

Everything random comes from one `random.Random(seed)`, and time only from the `now` values
passed in (or the clock), so a seeded run driven with explicit `now` values is repeatable.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from data.services import Services
from simulator import links, names, rows, seed
from simulator.apis import JOB_QUERY_TYPES, ApiCall, SimulatedApiError, SimulatedApis, priority_of
from simulator.coordinator import QUEUE_TYPES, Coordinator, JobQueue, epoch
from simulator.satellites import DETAILS_TTL_S, Satellite, uptime_start
from simulator.store import Store

log = logging.getLogger(__name__)

MAX_TICK_S = 300.0  # a clock jump (laptop sleep) is not replayed as hours of work
DEAD_LETTER_CAP = 5000
RESULTS_DRAIN = 1000
BACKLINKS_KEPT_PER_LINK = 0.02  # links_found counts every link seen; a sample is stored


def utc_now() -> datetime:
    """The current time as naive UTC, the way Link Profiler stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


class Simulator:
    """A live Link Profiler fleet against `services`' database and Redis.

    `on_api_call(query_type, priority, fetch, timer)` is called whenever the fleet needs a
    free-tier API (see simulator.apis): the app routes it through the quota manager, which
    picks the provider and calls `fetch(provider)`; `apis` is the simulated providers' model.
    `clock()` returns naive UTC (default: the wall clock); `step(now)` overrides it per tick.
    """

    def __init__(
        self,
        services: Services,
        *,
        satellites: int = 6,
        seed: int | None = None,
        queue_type: str = "list",
        on_api_call: ApiCall | None = None,
        clock: Callable[[], datetime] | None = None,
        apis: SimulatedApis | None = None,
    ):
        self.services = services
        self.keys = services.settings.redis_keys
        self.redis = services.redis
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = clock or utc_now
        self.on_api_call = on_api_call
        # Its own random stream: API traffic does not shift the world a seed makes.
        self.apis = apis or SimulatedApis(random.Random(None if seed is None else f"{seed}:apis"))
        self.queue_type = queue_type
        if queue_type not in QUEUE_TYPES:
            raise ValueError(f"queue_type must be one of {QUEUE_TYPES}, not {queue_type!r}")
        # Storage-dependent parts are made on first use, so constructing a simulator does no
        # I/O (the app builds one before its database or Redis may be reachable).
        self.store: Store | None = None
        self.variant = "M"
        self.queue: JobQueue | None = None
        self.coordinator = Coordinator(self.rng, self.variant)
        self.pool = links.DomainPool(self.variant)
        self.fleet = [Satellite.create(self.rng, i) for i in range(satellites)]
        self._by_id = {s.id: s for s in self.fleet}
        self._loaded = False
        self._last_now: datetime | None = None
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._pubsub = None
        self.ticks = 0

    # -- lifecycle --------------------------------------------------------------------------
    def seed_initial(self, now: datetime | None = None) -> bool:
        """Create the starting world if `crawl_jobs` is empty; True if it did.

        On a database that already has jobs it only loads what the simulator needs and
        re-queues jobs the database says are queued but Redis lost (an in-process Redis
        does not survive a restart).
        """
        with self._lock:
            now = now or self.clock()
            self._attach()
            with self.services.engine.connect() as conn:
                existing = self.store.count(conn, "crawl_jobs")
            if existing:
                self._load(now, existing)
                return False
            self._start_fleet(now)
            with self.services.engine.connect() as conn:
                self.pool.load(conn, self.store, now)  # a bulk-loaded database may already hold domains
            world = seed.initial_world(self.rng, self.variant, self.pool, self.fleet, self.coordinator, now)
            with self.services.engine.begin() as conn:
                for table in (
                    "domains",
                    "backlinks",
                    "crawl_jobs",
                    "satellite_performance_logs",
                    "domain_history",
                    "social_mentions",
                    "alert_rules",
                ):
                    self.store.insert(
                        conn, table, world.rows[table], ignore_conflicts=table in ("domains", "backlinks")
                    )
            pipe = self.redis.pipeline(transaction=False)
            self.queue.push(pipe, world.queued)
            if world.scheduled:
                pipe.zadd(
                    self.keys.scheduled,
                    {json.dumps(p): epoch(datetime.fromisoformat(p["scheduled_at"])) for p in world.scheduled},
                )
            pipe.execute()
            self._loaded = True
            return True

    def _attach(self) -> None:
        """Detect the schema variant and the queue's type (once)."""
        if self.store is not None:
            return
        schema = self.services.schema
        if "crawl_jobs" in schema.missing_tables:
            raise RuntimeError("Link Profiler's tables are missing; create them first (python -m data.bootstrap)")
        self.store = Store(self.services)
        self.variant = self.store.variant
        self.queue = JobQueue(self.redis, self.keys.job_queue, self.queue_type)
        self.coordinator = Coordinator(self.rng, self.variant)
        self.pool = links.DomainPool(self.variant)

    def _ready(self, now: datetime) -> None:
        if not self._loaded:
            self.seed_initial(now)

    def _start_fleet(self, now: datetime) -> None:
        for sat in self.fleet:
            if sat.started_at is None:
                sat.started_at = uptime_start(self.rng, now)

    def _load(self, now: datetime, existing_jobs: int) -> None:
        """Join an existing world: domain pool, queue re-sync, orphaned running jobs."""
        if self.seed is not None:
            # Same seed on the same database must not regenerate ids that already exist.
            self.rng.seed(f"{self.seed}:{existing_jobs}")
        self._start_fleet(now)
        jobs = self.store.tables["crawl_jobs"]
        with self.services.engine.begin() as conn:
            self.pool.load(conn, self.store, now)
            self.store.insert(conn, "domains", self.pool.ensure_special(self.rng, now), ignore_conflicts=True)
            queued = (
                conn.execute(select(jobs).where(jobs.c.status == "queued").order_by(jobs.c.created_at).limit(20_000))
                .mappings()
                .all()
            )
            pending = (
                conn.execute(
                    select(jobs).where(jobs.c.status == "pending", jobs.c.scheduled_at.is_not(None)).limit(20_000)
                )
                .mappings()
                .all()
            )
            running = (
                conn.execute(select(jobs).where(jobs.c.status == "in_progress").order_by(jobs.c.started_date))
                .mappings()
                .all()
            )
        in_queue = self.queue.job_ids()
        missing = [Coordinator.payload(dict(r)) for r in queued if r["id"] not in in_queue]
        if missing:
            pipe = self.redis.pipeline(transaction=False)
            self.queue.push(pipe, missing)
            pipe.execute()
            log.info("re-queued %d jobs the queue had lost", len(missing))
        scheduled_ids = set()
        for member in self.redis.zrange(self.keys.scheduled, 0, -1):
            try:
                scheduled_ids.add(json.loads(member).get("id"))
            except (ValueError, AttributeError):
                continue
        lost = {
            json.dumps(Coordinator.payload(dict(r))): epoch(r["scheduled_at"])
            for r in pending
            if r["id"] not in scheduled_ids
        }
        if lost:
            self.redis.zadd(self.keys.scheduled, lost)
        if running and not self._other_fleet_alive(now):
            # Jobs left running by a previous simulator process: our satellites carry them on.
            idle = [s for s in self.fleet if not s.busy]
            for sat, r in zip(idle, running):
                payload = Coordinator.payload(dict(r))
                job = sat.start_job(self.rng, payload, r["started_date"] or now)
                job.elapsed_s = job.duration_s * min(0.95, (r["progress_percentage"] or 0) / 100)
                job.urls_crawled = r["urls_crawled"] or 0
                job.links_found = r["links_found"] or 0
        self._loaded = True

    def _other_fleet_alive(self, now: datetime) -> bool:
        """Whether satellites that are not ours heartbeat: then running jobs belong to them."""
        live = self.redis.zrangebyscore(
            self.keys.heartbeats, epoch(now) - self.services.settings.heartbeat_timeout_s, "+inf"
        )
        return any(member not in self._by_id for member in live)

    # -- one tick ---------------------------------------------------------------------------
    def step(self, now: datetime | None = None) -> dict:
        """Advance the world to `now` (default: the clock); returns counts of what was written."""
        with self._lock:
            now = now or self.clock()
            self._ready(now)
            dt = 0.0 if self._last_now is None else max(0.0, min(MAX_TICK_S, (now - self._last_now).total_seconds()))
            self._last_now = now
            self.ticks += 1
            return _Tick(self, now, dt).run()

    # -- background thread ------------------------------------------------------------------
    def start(self, interval_s: float = 1.0) -> None:
        """Run `step()` every `interval_s` seconds on a daemon thread until `stop()`."""
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(interval_s,), name="lp-simulator", daemon=True)
        self._thread.start()

    def _run(self, interval_s: float) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # a database or Redis hiccup must not end the simulation
                log.exception("simulator tick failed")
            self._stop.wait(interval_s)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the background thread and wait for the tick in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._pubsub is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may raise; nothing to do
                self._pubsub.close()
            self._pubsub = None

    @property
    def running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    # -- scenario switches ------------------------------------------------------------------
    def satellite(self, satellite_id: str) -> Satellite:
        return self._by_id[satellite_id]

    def kill_satellite(self, satellite_id: str | None = None) -> str:
        """Stop a satellite's heartbeats (default: a busy live one); its job stays in_progress."""
        with self._lock:
            alive = [s for s in self.fleet if s.alive]
            if satellite_id is None:
                if not alive:
                    raise ValueError("no live satellite to kill")
                busy = [s for s in alive if s.busy]
                sat = self.rng.choice(busy or alive)
            else:
                sat = self._by_id[satellite_id]
            sat.alive = False
            return sat.id

    def revive_satellite(self, satellite_id: str) -> None:
        """Restart a killed satellite: it heartbeats again on the next tick and resumes its job."""
        with self._lock:
            self._by_id[satellite_id].restart(self._last_now or self.clock())

    def flood_queue(self, n: int = 1500, now: datetime | None = None) -> int:
        """Queue `n` jobs at once (a user bulk-submitting); returns `n`."""
        with self._lock:
            now = now or self._last_now or self.clock()
            self._ready(now)
            made = [self.coordinator.new_job(now) for _ in range(n)]
            with self.services.engine.begin() as conn:
                self.store.insert(conn, "crawl_jobs", [r for r, _p in made])
            pipe = self.redis.pipeline(transaction=False)
            for i in range(0, n, 500):
                self.queue.push(pipe, [p for _r, p in made[i : i + 500]])
            pipe.execute()
            return n

    def spam_attack(self, target_domain: str | None = None, links: int = 300, now: datetime | None = None) -> int:
        """`links` spammy backlinks from fresh low-authority domains to one monitored site."""
        with self._lock:
            now = now or self._last_now or self.clock()
            self._ready(now)
            target = target_domain or self.rng.choice(self.pool.targets)
            return self._write_links(now, links, target=target, spammy=True, hostile_share=0.03)

    def competitor_surge(self, domain: str | None = None, links: int = 80, now: datetime | None = None) -> int:
        """`links` ordinary backlinks to one competitor, discovered now."""
        with self._lock:
            now = now or self._last_now or self.clock()
            self._ready(now)
            target = domain or self.rng.choice(self.pool.competitors)
            return self._write_links(now, links, target=target, new_share=0.4)

    def lose_links(self, n: int = 50, now: datetime | None = None) -> int:
        """Lose up to `n` active links: a third deactivated, a third 404, a third turned nofollow."""
        with self._lock:
            now = now or self._last_now or self.clock()
            self._ready(now)
            with self.services.engine.begin() as conn:
                updates = _lost_link_updates(self, conn, n, now)
                self.store.update(conn, "backlinks", updates)
            return len(updates)

    def _write_links(self, now, count, **kw) -> int:
        domain_rows, link_rows = links.discover(self.rng, self.pool, now, count, **kw)
        with self.services.engine.begin() as conn:
            self.store.insert(conn, "domains", domain_rows, ignore_conflicts=True)
            self.store.insert(conn, "backlinks", link_rows, ignore_conflicts=True)
        return len(link_rows)

    # -- callbacks and control --------------------------------------------------------------
    def _api_call(self, query_type: str, priority: str, now: datetime) -> None:
        if self.on_api_call is None:
            return
        fetch, timer = self.apis.fetch_at(now)
        try:
            self.on_api_call(query_type, priority, fetch, timer)
        except SimulatedApiError:
            pass  # a simulated provider failed the call: recorded by the quota manager, expected
        except Exception:  # the quota ledger's problem must not stop the fleet
            log.exception("on_api_call failed")

    def _control_messages(self) -> list[tuple[str, dict]]:
        """(channel, command) pairs published on crawler_control:* since the last tick."""
        if self._pubsub is None:
            try:
                self._pubsub = self.redis.pubsub()
                prefix = self.keys.control_prefix
                self._pubsub.subscribe(*(prefix + s.id for s in self.fleet), prefix + "all")
            except Exception:
                log.exception("cannot subscribe to control channels")
                self._pubsub = None
                return []
        out = []
        for _ in range(200):
            msg = self._pubsub.get_message(timeout=0)
            if msg is None:
                break
            if msg.get("type") != "message":
                continue
            try:
                command = json.loads(msg["data"])
            except (TypeError, ValueError):
                continue
            if isinstance(command, dict):
                out.append((msg["channel"], command))
        return out


class _Tick:
    """The work of one `step`: collects rows and Redis writes, then flushes them in order."""

    def __init__(self, sim: Simulator, now: datetime, dt: float):
        self.sim, self.now, self.dt = sim, now, dt
        self.rng = sim.rng
        self.new_jobs: list[dict] = []
        self.to_queue: list[dict] = []
        self.to_schedule: list[dict] = []
        self.job_updates: list[dict] = []
        self.domains: list[dict] = []
        self.backlinks: list[dict] = []
        self.perf: list[dict] = []
        self.mentions: list[dict] = []
        self.history: list[dict] = []
        self.results: list[str] = []
        self.dead: list[str] = []
        self.lost = 0

    def run(self) -> dict:
        sim, now = self.sim, self.now
        self._apply_control()
        paused = self._coordinator_reads()
        for _ in range(sim.coordinator.arrivals(self.dt, len(sim.fleet))):
            row, payload = sim.coordinator.new_job(now, scheduled=self.rng.random() < 0.08)
            self.new_jobs.append(row)
            (self.to_schedule if row["status"] == "pending" else self.to_queue).append(payload)
        for sat in sim.fleet:
            self._advance(sat)
        if not paused:
            self._dispatch()
        if any(s.alive and not s.paused for s in sim.fleet):
            for query_type in sim.apis.due(self.dt, now):
                sim._api_call(query_type, "normal", now)
        for sat in sim.fleet:
            if sat.log_due(now):
                pages, links_, errors, minutes = sat.take_window(now)
                job = sat.job
                self.perf.append(
                    rows.perf_row(
                        self.rng,
                        sim.variant,
                        satellite_id=sat.id,
                        ts=now,
                        pages=pages,
                        links=links_,
                        errors=errors,
                        minutes=minutes,
                        latency_ms=sat.latency_ms,
                        cpu=sat.cpu,
                        memory=sat.memory,
                        job_id=job.id if job else None,
                        job_type=job.job_type if job else None,
                        job_progress=round(100 * job.progress, 1) if job else None,
                    )
                )
        self._write_database()
        heartbeats = self._write_redis()
        return {
            "jobs_created": len(self.new_jobs),
            "job_updates": len(self.job_updates),
            "backlinks": len(self.backlinks),
            "domains": len(self.domains),
            "perf_logs": len(self.perf),
            "heartbeats": heartbeats,
            "results": len(self.results),
            "dead_letters": len(self.dead),
            "links_lost": self.lost,
        }

    # -- reading ------------------------------------------------------------------------------
    def _coordinator_reads(self) -> bool:
        """Drain results, take due scheduled jobs; returns whether dispatch is paused."""
        sim, keys = self.sim, self.sim.keys
        pipe = sim.redis.pipeline(transaction=True)
        pipe.exists(keys.dispatch_paused)
        pipe.rpop(keys.results, RESULTS_DRAIN)
        pipe.zrangebyscore(keys.scheduled, "-inf", epoch(self.now))
        pipe.zremrangebyscore(keys.scheduled, "-inf", epoch(self.now))
        paused, _results, due, _removed = pipe.execute()
        for member in due:
            try:
                payload = json.loads(member)
            except ValueError:
                continue
            if "id" not in payload:
                continue
            self.job_updates.append({"id": payload["id"], "status": "queued"})
            self.to_queue.append(payload)
        return bool(paused)

    def _apply_control(self) -> None:
        sim = self.sim
        all_channel = sim.keys.control_prefix + "all"
        for channel, command in sim._control_messages():
            targets = sim.fleet if channel == all_channel else [sim._by_id.get(channel[len(sim.keys.control_prefix) :])]
            verb = str(command.get("command", "")).upper()
            payload = command.get("payload") or {}
            for sat in filter(None, targets):
                if verb == "PAUSE":
                    sat.paused = True
                elif verb == "RESUME":
                    sat.paused = False
                elif verb == "SHUTDOWN":
                    sat.alive = False
                elif verb == "RESTART":
                    sat.restart(self.now)
                elif verb == "CANCEL_JOB" and sat.job and payload.get("job_id") in (None, sat.job.id):
                    job = sat.finish_job()
                    self.job_updates.append(
                        {"id": job.id, "status": "cancelled", "completed_date": self.now, "last_fetched_at": self.now}
                    )

    # -- satellites ---------------------------------------------------------------------------
    def _advance(self, sat: Satellite) -> None:
        sim, now, rng = self.sim, self.now, self.rng
        job = sat.job
        tick = sat.advance(rng, self.dt, now)
        if job is None or not sat.alive or sat.paused or self.dt <= 0:
            return
        if job.job_type == "backlink_discovery" and tick.new_links:
            expected = tick.new_links * BACKLINKS_KEPT_PER_LINK
            count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            d, b = links.discover(rng, sim.pool, now, count)
            self.domains += d
            self.backlinks += b
        # The status rides along so a tick whose transaction failed is repaired by the next one.
        update = {
            "id": job.id,
            "status": "in_progress",
            "progress_percentage": round(100 * job.progress, 1),
            "urls_crawled": job.urls_crawled,
            "links_found": job.links_found,
            "last_fetched_at": now,
        }
        if tick.finished is None:
            self.job_updates.append(update)
            return
        sat.finish_job()
        failed = tick.finished == "failed"
        update.update(
            status=tick.finished,
            completed_date=now,
            errors=job.errors or None,
            progress_percentage=update["progress_percentage"] if failed else 100.0,
        )
        if sim.variant == "M":
            update["results"] = None if failed else {"pages_crawled": job.urls_crawled, "links_found": job.links_found}
            update["anomalies_detected"] = ["high_error_rate"] if failed and len(job.errors) > 3 else []
        self.job_updates.append(update)
        result = {
            "job_id": job.id,
            "status": tick.finished,
            "satellite_id": sat.id,
            "job_type": job.job_type,
            "urls_crawled": job.urls_crawled,
            "links_found": job.links_found,
            "completed_at": now.isoformat(),
            "errors": job.errors,
        }
        self.results.append(json.dumps(result))
        if failed:
            # Link Profiler's crawl service dead-letters the failed job itself plus why and when,
            # so a retry (commands/dead_letters.py) puts a job the satellites can run back on the queue.
            dead = {**result, "id": job.id, "target_url": job.target_url, "priority": job.priority}
            dead.update(
                error=job.errors[-1],
                dead_letter_reason=f"{job.errors[-1]['type']}: {job.errors[-1]['message']}",
                dead_letter_timestamp=now.isoformat(),
            )
            self.dead.append(json.dumps(dead))
        elif job.job_type == "link_health_audit":
            self.lost += rng.randrange(0, 4)
        elif job.job_type == "social_media_crawl":
            self._mentions(rng.randrange(1, 4))
        elif job.job_type == "domain_analysis":
            self._domain_snapshot()

    def _dispatch(self) -> None:
        """Idle live satellites pop jobs from the queue and start them."""
        sim, now = self.sim, self.now
        idle = [s for s in sim.fleet if s.alive and not s.paused and not s.busy]
        for sat, payload in zip(idle, sim.queue.pop(len(idle))):
            if "id" not in payload or "job_type" not in payload or "target_url" not in payload:
                continue
            sat.start_job(self.rng, payload, now)
            self.job_updates.append(
                {
                    "id": payload["id"],
                    "status": "in_progress",
                    "started_date": now,
                    "last_fetched_at": now,
                    "progress_percentage": 0.0,
                    "urls_crawled": 0,
                    "links_found": 0,
                }
            )
            for query_type in JOB_QUERY_TYPES.get(payload["job_type"], ()):
                sim._api_call(query_type, priority_of(payload.get("priority")), now)

    def _mentions(self, count: int) -> None:
        rng = self.rng
        for _ in range(count):
            self.mentions.append(
                {
                    "id": names.new_uuid(rng),
                    "query": rng.choice(names.TARGET_DOMAINS),
                    "platform": rng.choice(("twitter", "reddit", "linkedin", "hackernews")),
                    "mention_url": f"https://social.example/post/{names.token(rng)}",
                    "mention_text": rng.choice(
                        (
                            "New post on example-target.com",
                            "example-target.io is down?",
                            "<img src=x onerror=alert(1)> example-target",
                        )
                    ),
                    "published_date": self.now - timedelta(seconds=rng.randrange(60, 3600)),
                    "sentiment": rng.choice(("positive", "neutral", "negative")),
                    "engagement_score": round(rng.expovariate(1 / 30), 1),
                }
            )

    def _domain_snapshot(self) -> None:
        pool, rng = self.sim.pool, self.rng
        name = rng.choice(pool.targets + pool.competitors)
        score = pool.authority[name]
        row = {
            "domain_name": name,
            "snapshot_date": self.now,
            "authority_score": score,
            "trust_score": round(score * 0.9, 1),
            "spam_score": round(rng.uniform(1, 8), 1),
            "total_backlinks": rng.randrange(500, 5000),
            "referring_domains": rng.randrange(80, 900),
        }
        if self.sim.variant == "O":
            row["id"] = names.new_uuid(rng)
        self.history.append(row)

    # -- writing ------------------------------------------------------------------------------
    def _write_database(self) -> None:
        sim, store = self.sim, self.sim.store
        if not any(
            (
                self.new_jobs,
                self.job_updates,
                self.domains,
                self.backlinks,
                self.perf,
                self.mentions,
                self.history,
                self.lost,
            )
        ):
            return
        with sim.services.engine.begin() as conn:
            store.insert(conn, "domains", self.domains, ignore_conflicts=True)
            store.insert(conn, "crawl_jobs", self.new_jobs)
            store.update(conn, "crawl_jobs", self.job_updates)
            store.insert(conn, "backlinks", self.backlinks, ignore_conflicts=True)
            store.insert(conn, "satellite_performance_logs", self.perf)
            store.insert(conn, "social_mentions", self.mentions)
            store.insert(conn, "domain_history", self.history)
            if self.lost:
                store.update(conn, "backlinks", _lost_link_updates(sim, conn, self.lost, self.now))

    def _write_redis(self) -> int:
        sim, keys, now = self.sim, self.sim.keys, self.now
        pipe = sim.redis.pipeline(transaction=False)
        sim.queue.push(pipe, self.to_queue)
        if self.to_schedule:
            pipe.zadd(
                keys.scheduled,
                {json.dumps(p): epoch(datetime.fromisoformat(p["scheduled_at"])) for p in self.to_schedule},
            )
        if self.results:
            pipe.lpush(keys.results, *self.results)
        if self.dead:
            pipe.lpush(keys.dead_letter, *self.dead)
            pipe.ltrim(keys.dead_letter, 0, DEAD_LETTER_CAP - 1)
        beats = 0
        for sat in sim.fleet:
            if sat.heartbeat_due(now):
                sat.last_heartbeat = now
                pipe.zadd(keys.heartbeats, {sat.id: epoch(now)})
                pipe.set(keys.details_prefix + sat.id, json.dumps(sat.details(now)), ex=DETAILS_TTL_S)
                beats += 1
        pipe.execute()
        return beats


def _lost_link_updates(sim: Simulator, conn, n: int, now: datetime) -> list[dict]:
    """Updates losing up to `n` active links picked from a random point of the id order."""
    t = sim.store.tables["backlinks"]
    start = names.new_uuid(sim.rng)
    ids = [
        r[0]
        for r in conn.execute(select(t.c.id).where(t.c.is_active.is_(True), t.c.id >= start).order_by(t.c.id).limit(n))
    ]
    if len(ids) < n:
        ids += [
            r[0]
            for r in conn.execute(
                select(t.c.id).where(t.c.is_active.is_(True), t.c.id < start).order_by(t.c.id).limit(n - len(ids))
            )
        ]
    out = []
    for i, link_id in enumerate(ids):
        kind = i % 3
        if kind == 0:
            out.append({"id": link_id, "is_active": False, "crawl_timestamp": now})
        elif kind == 1:
            out.append({"id": link_id, "http_status": 404, "crawl_timestamp": now})
        else:
            row = {"id": link_id, "link_type": "nofollow", "rel_attributes": ["nofollow"], "crawl_timestamp": now}
            if sim.variant == "O":
                row["nofollow"] = True
            out.append(row)
    return out

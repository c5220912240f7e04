"""The starting world: what a Link Profiler installation that has run for a while holds.

`initial_world` returns rows only (no I/O): ~300 domains (some expired), a few thousand
backlinks over the last 30 days, a week of finished jobs laid out on each satellite's
timeline, a day of per-minute performance logs consistent with that timeline, some social
mentions, domain history and alert rules, plus the jobs waiting in the queue or schedule.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from simulator import links, names, rows
from simulator.coordinator import JOB_TYPE_WEIGHTS, Coordinator
from simulator.satellites import Satellite

SOURCE_DOMAINS = 290
BACKLINKS = 3000
HISTORY_DAYS = 7
JOBS_PER_SATELLITE_DAY = 40
PERF_LOG_HOURS = 24


@dataclass
class World:
    """Rows per table, plus the queue and schedule payloads to push once the rows are stored."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    queued: list[dict] = field(default_factory=list)
    scheduled: list[dict] = field(default_factory=list)  # payloads with "scheduled_at"


def initial_world(
    rng: random.Random,
    variant: str,
    pool: links.DomainPool,
    fleet: list[Satellite],
    coordinator: Coordinator,
    now: datetime,
) -> World:
    world = World()
    domain_rows = pool.ensure_special(rng, now)
    for i in range(SOURCE_DOMAINS):
        _name, row = pool.new_source(rng, now, spammy=i % 20 == 0)
        if row is not None:
            domain_rows.append(row)
    world.rows["domains"] = domain_rows
    world.rows["backlinks"] = _backlinks(rng, variant, pool, now)
    jobs, timelines = _job_history(rng, variant, fleet, coordinator, now)
    for _ in range(len(fleet) + 4):
        row, payload = coordinator.new_job(now - timedelta(seconds=rng.randrange(5, 240)))
        jobs.append(row)
        world.queued.append(payload)
    for _ in range(3):
        row, payload = coordinator.new_job(now, scheduled=True)
        jobs.append(row)
        world.scheduled.append(payload)
    world.rows["crawl_jobs"] = jobs
    for sat in fleet:  # the counter a satellite reports covers its current process lifetime
        sat.jobs_processed = sum(1 for _s, end, _r in timelines[sat.id] if sat.started_at and end >= sat.started_at)
    world.rows["satellite_performance_logs"] = _perf_logs(rng, variant, fleet, timelines, now)
    world.rows["domain_history"] = _domain_history(rng, variant, pool, now)
    world.rows["social_mentions"] = _social_mentions(rng, now)
    world.rows["alert_rules"] = _alert_rules(rng, variant, now)
    return world


def _backlinks(rng: random.Random, variant: str, pool: links.DomainPool, now: datetime) -> list[dict]:
    # Skewed towards recent days: a profile that keeps growing.
    def when(r: random.Random) -> datetime:
        return now - timedelta(seconds=30 * 86400 * r.random() ** 1.3 + 60)

    _new, link_rows = links.discover(rng, pool, now, BACKLINKS, new_share=0.0, when=when)
    first, last = ("discovered_date", "last_seen_date") if variant == "M" else ("first_seen", "last_seen")
    for row in link_rows:
        age = (now - row[first]).total_seconds()
        row[last] = row["crawl_timestamp"] = row[first] + timedelta(seconds=age * rng.random())
        if rng.random() < 0.04:  # lost since
            row["is_active"] = False
            row["http_status"] = rng.choice((404, 410, 200))
    # A few hostile strings are guaranteed, so the UI's escaping is always exercised.
    for row, text in zip(link_rows[: len(names.HOSTILE_TEXT)], names.HOSTILE_TEXT):
        row["anchor_text"] = text
        row["context_text"] = f"crawled text: {text}"
    link_rows[len(names.HOSTILE_TEXT)]["source_url"] = f"{names.HOSTILE_URL}//{names.token(rng)}"
    return link_rows


def _job_history(rng, variant, fleet, coordinator, now):
    """Finished jobs over the last days, one after another on each satellite's timeline."""
    jobs: list[dict] = []
    timelines: dict[str, list[tuple[datetime, datetime, dict]]] = {}
    cycle = 86400 / JOBS_PER_SATELLITE_DAY
    type_table = tuple(JOB_TYPE_WEIGHTS.items())
    for sat in fleet:
        line = []
        t = now - timedelta(days=HISTORY_DAYS) + timedelta(seconds=rng.uniform(0, cycle))
        while True:
            duration = rng.uniform(60, 180) / sat.speed
            end = t + timedelta(seconds=duration)
            if end > now - timedelta(seconds=90):
                break
            job_type = rows.weighted(rng, type_table)
            created = t - timedelta(seconds=rng.uniform(2, 240))
            row, _payload = coordinator.new_job(created, job_type=job_type)
            roll = rng.random()
            status = "failed" if roll < sat.fail_rate else "cancelled" if roll < sat.fail_rate + 0.02 else "completed"
            share = 1.0 if status == "completed" else rng.uniform(0.1, 0.9)
            pages = int(rng.randrange(40, 600) * share)
            errors = None
            if status == "failed":
                errors = [names.job_error(rng, row["target_url"], end.isoformat()) for _ in range(rng.randrange(1, 4))]
            elif rng.random() < 0.2:
                errors = [names.job_error(rng, row["target_url"] + "p", end.isoformat())]
            row.update(
                status=status,
                started_date=t,
                completed_date=end,
                last_fetched_at=end,
                progress_percentage=100.0 if status == "completed" else round(100 * share, 1),
                urls_crawled=pages,
                links_found=int(pages * rng.uniform(2, 9)),
                errors=errors,
            )
            if variant == "M":
                row["results"] = (
                    {"pages_crawled": pages, "links_found": row["links_found"]} if status == "completed" else None
                )
                row["anomalies_detected"] = ["high_error_rate"] if status == "failed" and rng.random() < 0.3 else []
            jobs.append(row)
            line.append((t, end, row))
            t = end + timedelta(seconds=rng.expovariate(1 / max(cycle - duration, 30)))
        timelines[sat.id] = line
    return jobs, timelines


def _perf_logs(rng, variant, fleet, timelines, now):
    """One row per satellite per minute over the last day, busy while its timeline had a job."""
    out = []
    start = now - timedelta(hours=PERF_LOG_HOURS)
    for sat in fleet:
        line = [(s, e, r) for s, e, r in timelines[sat.id] if e >= start]
        i = 0
        ts = start
        while ts < now - timedelta(seconds=59):
            while i < len(line) and line[i][1] < ts:
                i += 1
            job = line[i][2] if i < len(line) and line[i][0] <= ts else None
            busy = job is not None
            pages = int(rng.uniform(60, 160) * sat.speed) if busy else 0
            errors = sum(1 for _ in range(pages) if rng.random() < sat.page_error_rate)
            cpu = (sat.base_cpu if busy else 7.0) + rng.gauss(0, 7)
            memory = sat.base_memory + (18 if busy else 0) + rng.gauss(0, 3)
            progress = None
            if busy:
                progress = round(
                    100 * (ts - line[i][0]).total_seconds() / max(1.0, (line[i][1] - line[i][0]).total_seconds()), 1
                )
            out.append(
                rows.perf_row(
                    rng,
                    variant,
                    satellite_id=sat.id,
                    ts=ts,
                    pages=pages,
                    links=int(pages * rng.uniform(2, 9)),
                    errors=errors,
                    minutes=1.0,
                    latency_ms=sat.latency_ms,
                    cpu=min(99, max(1, cpu)),
                    memory=min(97, max(5, memory)),
                    job_id=job["id"] if job else None,
                    job_type=job["job_type"] if job else None,
                    job_progress=progress,
                )
            )
            ts += timedelta(minutes=1)
    return out


def _domain_history(rng, variant, pool, now):
    out = []
    for name in pool.targets + pool.competitors:
        score = pool.authority[name] - rng.uniform(2, 6)
        backlinks = rng.randrange(200, 2000)
        for day in range(30, 0, -1):
            score = max(0.0, min(100.0, score + rng.gauss(0.12, 0.4)))
            backlinks += rng.randrange(0, 40)
            row = {
                "domain_name": name,
                "snapshot_date": (now - timedelta(days=day)).replace(hour=0, minute=0, second=0, microsecond=0),
                "authority_score": round(score, 1),
                "trust_score": round(score * 0.9, 1),
                "spam_score": round(rng.uniform(1, 8), 1),
                "total_backlinks": backlinks,
                "referring_domains": backlinks // rng.randrange(4, 9),
            }
            if variant == "O":
                row["id"] = names.new_uuid(rng)
            out.append(row)
    return out


def _social_mentions(rng, now):
    platforms = ("twitter", "reddit", "linkedin", "hackernews", "mastodon")
    texts = (
        "Great write-up on link building by example-target.com",
        "Anyone tried the widget from example-target-shop? <script>alert(1)</script>",
        "example-target.io pricing is confusing",
        "Loving the new example-target blog post",
        "Compared competitor-alpha and example-target, the latter wins",
    )
    out = []
    for _ in range(20):
        text = rng.choice(texts)
        out.append(
            {
                "id": names.new_uuid(rng),
                "query": rng.choice(names.TARGET_DOMAINS),
                "platform": rng.choice(platforms),
                "mention_url": f"https://social.example/{rng.choice(platforms)}/{names.token(rng)}",
                "mention_text": text,
                "published_date": now - timedelta(seconds=rng.randrange(600, 14 * 86400)),
                "sentiment": rng.choice(("positive", "positive", "neutral", "negative")),
                "engagement_score": round(rng.expovariate(1 / 40), 1),
            }
        )
    return out


def _alert_rules(rng, variant, now):
    specs = (
        (
            "Job failures",
            "Any crawl job fails",
            "job_status_change",
            None,
            None,
            None,
            None,
            "warning",
            ["dashboard", "slack"],
        ),
        (
            "Queue backlog",
            "Job queue deeper than 1000",
            "metric_threshold",
            "queue_depth",
            1000.0,
            ">",
            None,
            "critical",
            ["dashboard", "email"],
        ),
        (
            "Low success rate",
            "Satellite success rate under 80 %",
            "metric_threshold",
            "success_rate_percentage",
            80.0,
            "<",
            None,
            "warning",
            ["dashboard"],
        ),
        (
            "Spam influx",
            "Anomalous spam backlinks",
            "anomaly_detected",
            None,
            None,
            None,
            "spam_influx",
            "critical",
            ["dashboard", "webhook"],
        ),
    )
    out = []
    for name, desc, trigger, metric, threshold, op, anomaly, severity, channels in specs:
        created = now - timedelta(days=rng.randrange(5, 60))
        row = {
            "id": names.new_uuid(rng),
            "name": name,
            "description": desc,
            "is_active": True,
            "trigger_type": trigger,
            "job_type_filter": "backlink_discovery" if trigger == "job_status_change" else None,
            "target_url_pattern": r"^https://www\.example-target\.com/.*" if trigger == "job_status_change" else None,
            "metric_name": metric,
            "threshold_value": threshold,
            "comparison_operator": op,
            "anomaly_type_filter": anomaly,
            "severity": severity,
            "created_at": created,
            "updated_at": created,
            "last_triggered_at": None,
        }
        if variant == "M":
            row["channels"] = channels
        else:
            row["notification_channels"] = channels
            row["notification_recipients"] = ["ops@example-target.com"] if "email" in channels else []
        out.append(row)
    return out

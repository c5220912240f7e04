"""Each built-in rule and Link Profiler's own alert_rules fire and resolve on data written the
way Link Profiler writes it (the simulator, or rows built by its row builders), read through
the real snapshot builder, on SQLite and on PostgreSQL in both schema variants."""

from __future__ import annotations

import random
import uuid

import pytest

from alerts.settings import AlertSettings
from producer.fast_step import FastStep
from simulator import Simulator, rows
from simulator.store import Store
from test_alert_support import FAST, at, make_ctx, make_engine


class World:
    """Simulator + snapshot builder + alert engine over one `services`, driven by explicit times."""

    def __init__(self, services, settings: AlertSettings = FAST, simulate: bool = True):
        self.services = services
        self.ctx = make_ctx(services)
        self.engine = make_engine(self.ctx, settings)
        self.fast = FastStep(self.ctx)
        self.sim = None
        if simulate:
            self.sim = Simulator(services, satellites=4, seed=11)
            self.ctx.simulator = self.sim
            self.sim.seed_initial(at(0))
        self.store = Store(services)

    def tick(self, t: float, step: bool = True) -> dict:
        if step and self.sim is not None:
            self.sim.step(at(t))
        return self.fast.run(at(t))

    def insert(self, table: str, rows_: list[dict]) -> None:
        with self.services.engine.begin() as conn:
            self.store.insert(conn, table, rows_)

    def history(self, event: str) -> list[dict]:
        return self.engine.store.history(event=event, limit=1000)


def by_type(doc: dict, kind: str) -> list[dict]:
    return [a for a in doc["alerts"] if a["type"] == kind]


def test_satellite_failure_names_satellite_and_its_job_then_resolves(services):
    w = World(services)
    for t in (5, 10):
        w.tick(t)
    dead = w.sim.kill_satellite()
    job_id = w.sim.satellite(dead).job.id
    doc = None
    for t in range(15, 50, 5):
        doc = w.tick(t)
    [alert] = by_type(doc, "satellite_failure")
    assert alert["severity"] == "critical"
    assert alert["affected_satellites"] == [dead]
    assert alert["affected_jobs"] == [job_id]
    assert dead in alert["message"] and job_id in alert["message"]
    assert alert["details"]["jobs"][0]["id"] == job_id

    w.sim.revive_satellite(dead)
    doc = w.tick(50)
    assert by_type(doc, "satellite_failure") == []
    assert [h["affected_satellites"] for h in w.history("resolved") if h["type"] == "satellite_failure"] == [[dead]]


def test_queue_overflow_and_a_link_profiler_threshold_rule_fire_and_resolve(services):
    w = World(services)
    w.tick(5)
    w.sim.flood_queue(1500, now=at(6))
    doc = w.tick(10, step=False)
    [overflow] = by_type(doc, "queue_overflow")
    assert overflow["severity"] == "warning"
    assert overflow["recommended_action"] == "Scale up the satellite fleet"
    assert overflow["details"]["queue_depth"] > 1000
    # The simulator seeds Link Profiler's "Queue backlog" rule: queue_depth > 1000, critical.
    [lp] = [a for a in by_type(doc, "lp_rule") if a["details"]["rule_name"] == "Queue backlog"]
    assert lp["severity"] == "critical" and "queue_depth" in lp["message"]

    services.redis.delete(services.settings.redis_keys.job_queue)  # the coordinator purged the queue
    doc = w.tick(11, step=False)
    assert by_type(doc, "queue_overflow") == []
    assert not [a for a in by_type(doc, "lp_rule") if a["details"]["rule_name"] == "Queue backlog"]
    assert {h["type"] for h in w.history("resolved")} >= {"queue_overflow", "lp_rule"}


def test_backlink_rules_fire_on_written_links_and_resolve_when_their_windows_pass(services):
    settings = FAST.with_rule("lost_backlinks", threshold=1)
    w = World(services, settings)
    w.tick(5)
    target = "example-target.com"
    # Lose old links first: a link discovered in the same instant it is rechecked is not "lost".
    w.sim.lose_links(90, now=at(6))
    w.sim.spam_attack(target_domain=target, links=300, now=at(6))
    w.sim.competitor_surge(domain="competitor-alpha.com", links=80, now=at(6))
    rng = random.Random(3)
    variant = w.sim.variant
    strong = f"strong-{uuid.uuid4().hex[:6]}.org"
    w.insert("domains", [rows.domain_row(rng, variant, strong, at(6), authority_score=88.0, expired=False)])
    w.insert(
        "backlinks",
        [
            rows.backlink_row(
                rng, variant, source_domain=strong, source_authority=88.0, target_domain=target, seen_at=at(6)
            )
        ],
    )
    doc = w.tick(10, step=False)

    [attack] = by_type(doc, "negative_seo_attack")
    assert attack["severity"] == "critical" and attack["details"]["domain"] == target
    assert attack["details"]["spam_links"] >= 20
    [surge] = by_type(doc, "competitor_surge")
    assert surge["details"]["domain"] == "competitor-alpha.com" and surge["details"]["new_links_24h"] >= 80
    lost = by_type(doc, "lost_backlinks")
    assert sum(a["details"]["lost"] for a in lost) >= 90
    for reason in ("inactive", "not_found", "nofollow"):
        assert sum(a["details"][reason] for a in lost) >= 30
    [high] = [a for a in by_type(doc, "high_authority_backlink") if a["details"]["source_domain"] == strong]
    assert high["severity"] == "info" and high["details"]["authority"] == 88.0
    # The simulator seeds Link Profiler's "Spam influx" anomaly_detected rule.
    [lp] = [a for a in by_type(doc, "lp_rule") if a["details"]["rule_name"] == "Spam influx"]
    assert lp["severity"] == "critical" and "spam_influx" in lp["message"]

    doc = w.tick(25 * 3600, step=False)  # every window (1 h, 24 h) has passed
    for kind in ("negative_seo_attack", "competitor_surge", "lost_backlinks", "high_authority_backlink"):
        assert by_type(doc, kind) == [], kind
    assert {"negative_seo_attack", "competitor_surge", "lost_backlinks"} <= {h["type"] for h in w.history("resolved")}
    assert "high_authority_backlink" in {h["type"] for h in w.history("expired")}


def _job(variant, status, job_type, url, t, errors=None, progress=100.0):
    return rows.job_row(
        variant,
        job_id=str(uuid.uuid4()),
        job_type=job_type,
        target_url=url,
        status=status,
        priority=5,
        created_at=at(t - 600),
        started=at(t - 300),
        completed=at(t) if status != "in_progress" else None,
        progress=progress,
        errors=errors,
    )


def test_job_failures_and_a_job_status_change_rule_with_its_filters(services):
    w = World(services, simulate=False)
    variant = services.schema.variant
    err = [{"type": "timeout", "message": "Read timed out <script>x</script>", "timestamp": at(0).isoformat()}]
    match = _job(variant, "failed", "backlink_discovery", "https://www.example-target.com/pricing", 0, err)
    other_type = _job(variant, "failed", "technical_audit", "https://www.example-target.com/", 0, err)
    other_url = _job(variant, "failed", "backlink_discovery", "https://elsewhere.example/", 0, err)
    done = _job(variant, "completed", "backlink_discovery", "https://www.example-target.com/a", 0)
    w.insert("crawl_jobs", [match, other_type, other_url, done])
    rule = {
        "id": str(uuid.uuid4()),
        "name": "Discovery failed",
        "description": "",
        "is_active": True,
        "trigger_type": "job_status_change",
        "job_type_filter": "backlink_discovery",
        "target_url_pattern": r"^https://www\.example-target\.com/",
        "metric_name": "failed",
        "severity": "critical",
        "created_at": at(-86400),
        "updated_at": at(-86400),
    }
    rule["channels" if variant == "M" else "notification_channels"] = ["dashboard", "webhook"]
    w.insert("alert_rules", [rule])

    doc = w.tick(5)
    failures = by_type(doc, "job_failure")
    assert sorted(a["affected_jobs"][0] for a in failures) == sorted([match["id"], other_type["id"], other_url["id"]])
    assert all("Read timed out" in a["message"] for a in failures)
    [lp] = by_type(doc, "lp_rule")
    assert lp["affected_jobs"] == [match["id"]] and lp["severity"] == "critical"

    doc = w.tick(2 * 3600)  # past the event hold: one-shot events expire quietly
    assert by_type(doc, "job_failure") == [] and by_type(doc, "lp_rule") == []
    assert len([h for h in w.history("expired") if h["type"] == "job_failure"]) == 3


def test_stalled_job_fires_when_progress_stops_and_resolves_when_it_moves(services):
    w = World(services, simulate=False)
    job = _job(
        services.schema.variant, "in_progress", "technical_audit", "https://www.example-target.io/", 0, progress=40.0
    )
    w.insert("crawl_jobs", [job])
    assert by_type(w.tick(0), "stalled_job") == []
    assert by_type(w.tick(600), "stalled_job") == []
    [stalled] = by_type(w.tick(1000), "stalled_job")
    assert stalled["affected_jobs"] == [job["id"]] and "40.0 %" in stalled["message"]
    with services.engine.begin() as conn:
        w.store.update(conn, "crawl_jobs", [{"id": job["id"], "progress_percentage": 41.0}])
    assert by_type(w.tick(1001), "stalled_job") == []


@pytest.mark.parametrize(
    "remaining,predicted,expected",
    [
        (0, None, ("api_quota_exhausted", "critical")),
        (40, "2025-03-10T00:00:00Z", ("api_quota_warning", "warning")),
        (40, "2025-04-10T00:00:00Z", None),
    ],
)
def test_quota_rules(sqlite_url, memory_redis_url, remaining, predicted, expected):
    from conftest import build_services
    from test_alert_support import fleet_doc

    services = build_services(sqlite_url, memory_redis_url)
    engine = make_engine(make_ctx(services))
    quota = {
        "api_name": "serpstack",
        "limit": 100,
        "used": 100 - remaining,
        "remaining": remaining,
        "reset_date": "2025-04-01T00:00:00Z",
        "percentage_used": 100 - remaining,
        "status": "Warning",
        "predicted_exhaustion_date": predicted,
        "recommended_action": "switch to valueserp",
        "enabled": True,
    }
    alerts = engine.evaluate(fleet_doc(quotas=[quota]), at(0))
    got = [(a["type"], a["severity"]) for a in alerts]
    assert got == ([expected] if expected else [])
    assert engine.evaluate(fleet_doc(quotas=[]), at(1)) == []


def test_link_profiler_rule_problems_are_reported_not_fatal(sqlite_url, memory_redis_url):
    from conftest import build_services
    from test_alert_support import fleet_doc

    services = build_services(sqlite_url, memory_redis_url)
    w = World(services, simulate=False)
    base = {
        "description": "",
        "is_active": True,
        "severity": "warning",
        "channels": ["slack"],
        "created_at": at(0),
        "updated_at": at(0),
        "target_url_pattern": None,
        "metric_name": None,
        "threshold_value": None,
        "comparison_operator": None,
    }
    w.insert(
        "alert_rules",
        [
            {**base, "id": "r1", "name": "Bad regex", "trigger_type": "job_status_change", "target_url_pattern": "(["},
            {
                **base,
                "id": "r2",
                "name": "Slow satellites",
                "trigger_type": "metric_threshold",
                "metric_name": "success_rate_percentage",
                "threshold_value": 80.0,
                "comparison_operator": "<",
            },
            {
                **base,
                "id": "r3",
                "name": "Off",
                "is_active": False,
                "trigger_type": "metric_threshold",
                "metric_name": "queue_depth",
                "threshold_value": 0.0,
                "comparison_operator": ">",
            },
        ],
    )
    doc = fleet_doc(alive=("sat-a", "sat-b"))
    doc["mc"]["fleet"][0]["success_rate"] = 62.5
    doc["mc"]["fleet"][1]["success_rate"] = 99.0
    alerts = w.engine.evaluate(doc, at(0))
    assert [(a["affected_satellites"], a["details"]["value"]) for a in alerts] == [(["sat-a"], 62.5)]
    problems = {r["name"]: r["problem"] for r in doc["mc"]["alert_center"]["lp_rules"]}
    assert set(problems) == {"Bad regex", "Slow satellites"}
    assert "regular expression" in problems["Bad regex"] and problems["Slow satellites"] is None

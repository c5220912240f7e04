"""Our document against Link Profiler's own response models in pydantic's strict mode
(tests/lp_models.py), as /api/v1/snapshot serves it and as a real WebSocket client of
/ws/mission-control receives it, on PostgreSQL + Redis, both schema variants: a world the
simulator wrote, and an empty database. Plus the checker itself: it refuses what blanks Link
Profiler's UI."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta

import pytest
import websocket

from data.jobs import details_text, severity_of
from pages.mission.ids import MissionIds as Main
from pages.mission.render import kpis
from simulator import Simulator
from tests.conftest import build_services, ticked_app
from tests.lp_models import assert_strict, strict_errors

T0 = datetime(2026, 11, 28, 9, 0, 0)
FLOATS = {
    "crawler_mission_status": ("satellite_utilization_percentage", "avg_job_completion_time_seconds"),
    "backlink_discovery_metrics": ("avg_authority_score",),
    "domain_intelligence_metrics": ("avg_domain_value_score",),
    "performance_optimization_metrics": (
        "avg_crawl_speed_pages_per_minute",
        "avg_success_rate_percentage",
        "avg_response_time_ms",
    ),
}


@pytest.fixture(params=["M", "O"], ids=["pg-M", "pg-O"])
def pg_services(request, pg_url, redis_url):
    svc = build_services(pg_url, redis_url, request.param)
    yield svc
    svc.dispose()


def served_documents(services, now: datetime, serve, then=None) -> list[bytes | str]:
    """The document as each client gets it after one producer tick (fast and heavy step) at
    `now`: the body of GET /api/v1/snapshot, then each document frame a real WebSocket client
    of /ws/mission-control receives: the current one on connecting and, when `then` is given,
    the one after `then(loop)` (which changes storage and ticks the producer again)."""
    with ticked_app(services, now) as (app, _ctx, loop):
        base = serve(app)
        with urllib.request.urlopen(base + "/api/v1/snapshot", timeout=15) as response:
            texts: list[bytes | str] = [response.read()]
        ws = websocket.create_connection(base.replace("http://", "ws://") + "/ws/mission-control", timeout=15)
        try:
            assert json.loads(_text_frame(ws))["type"] == "connection_established"
            texts.append(_document_frame(ws))
            if then is not None:
                then(loop)
                texts.append(_document_frame(ws))
        finally:
            ws.close()
    return texts


def _text_frame(ws: websocket.WebSocket) -> str:
    opcode, data = ws.recv_data()
    assert opcode == websocket.ABNF.OPCODE_TEXT, (opcode, data[:200])  # the UI parses text frames
    return data.decode("utf-8")


def _document_frame(ws: websocket.WebSocket) -> str:
    """The next frame that is not a heartbeat (the UI drops heartbeats)."""
    while (text := _text_frame(ws)) and json.loads(text).get("type") == "heartbeat":
        pass
    return text


def test_simulated_world_validates_strictly(pg_services, small_world, serve):
    sim = Simulator(pg_services, satellites=6, seed=5)
    assert sim.seed_initial(T0)
    t = 0
    while t <= 180:
        sim.step(T0 + timedelta(seconds=t))
        t += 5

    def later(loop):
        for s in (185, 190, 195):
            sim.step(T0 + timedelta(seconds=s))
        loop.tick(now=T0 + timedelta(seconds=196))

    body, first, second = served_documents(pg_services, T0 + timedelta(seconds=181), serve, then=later)
    doc = assert_strict(body)
    assert assert_strict(first) == doc  # the WebSocket's current document is the API's
    assert assert_strict(second)["version"] == doc["version"] + 1

    # Valid and full: every list the UI renders has items, and each name list is our richer list's names.
    status, links = doc["crawler_mission_status"], doc["backlink_discovery_metrics"]
    perf, mc = doc["performance_optimization_metrics"], doc["mc"]
    assert status["recent_job_errors"] and doc["satellite_fleet_status"] and doc["api_quota_statuses"]
    assert links["top_linking_domains"] == [d["domain"] for d in mc["top_linking_domains"]] != []
    assert links["top_target_urls"] == [u["url"] for u in mc["top_target_urls"]] != []
    assert perf["top_performing_satellites"] == [s["satellite_id"] for s in mc["top_performing_satellites"]] != []
    assert perf["worst_performing_satellites"] == [s["satellite_id"] for s in mc["worst_performing_satellites"]]
    assert (
        doc["domain_intelligence_metrics"]["top_niches_identified"]
        == [n["niche"] for n in mc["top_niches_identified"]]
        != []
    )
    assert {e["severity"] for e in status["recent_job_errors"]} <= {"info", "warning", "critical"}
    assert all(e["url"].startswith("http") for e in status["recent_job_errors"])
    assert {s["satellite_id"] for s in doc["satellite_fleet_status"]} == {s["satellite_id"] for s in mc["fleet"]}
    assert status["total_satellites_count"] == 6 and status["active_satellites_count"] == 6
    # Measured: the fleet logged and jobs completed, so no contract float is a stand-in zero.
    assert mc["unmeasured"] == []
    assert links["avg_authority_score"] > 0 and perf["avg_crawl_speed_pages_per_minute"] > 0


def test_empty_database_validates_strictly(pg_services, serve):
    body, frame = served_documents(pg_services, T0, serve)
    doc = assert_strict(body)
    assert assert_strict(frame) == doc
    status = doc["crawler_mission_status"]
    # An empty fleet: no satellites, 0.0 % utilised (nothing is busy: a measurement, not a gap).
    assert status["total_satellites_count"] == 0 and status["satellite_utilization_percentage"] == 0.0
    assert doc["satellite_fleet_status"] == [] and doc["alerts"] == [] and status["recent_job_errors"] == []
    for section, keys in FLOATS.items():
        for key in keys:
            assert doc[section][key] == 0.0
    # The averages nobody could take are named, so pages show "—" and alert rules see no value.
    assert set(doc["mc"]["unmeasured"]) == {
        f"{s}.{k}" for s, keys in FLOATS.items() for k in keys if k != "satellite_utilization_percentage"
    }
    for names in (
        doc["backlink_discovery_metrics"]["top_linking_domains"],
        doc["domain_intelligence_metrics"]["top_niches_identified"],
        doc["performance_optimization_metrics"]["top_performing_satellites"],
    ):
        assert names == []
    shown = kpis(doc)
    assert shown[Main.METRIC_COMPLETION].full == "—" and shown[Main.METRIC_UTIL].full == "0%"


# -- the checker ------------------------------------------------------------------------------------
VALID = {
    "timestamp": "2026-11-28T12:00:00Z",
    "crawler_mission_status": {
        "active_jobs_count": 1,
        "queued_jobs_count": 0,
        "completed_jobs_24h_count": 3,
        "failed_jobs_24h_count": 1,
        "total_pages_crawled_24h": 40,
        "queue_depth": 2,
        "active_satellites_count": 1,
        "total_satellites_count": 2,
        "satellite_utilization_percentage": 50,
        "avg_job_completion_time_seconds": 12.5,
        "recent_job_errors": [
            {
                "timestamp": "2026-11-28T11:00:00Z",
                "url": "https://a.example/",
                "error_type": "timeout",
                "message": "read timed out",
                "details": None,
                "severity": "warning",
            }
        ],
    },
    "backlink_discovery_metrics": {
        "total_backlinks_discovered": 10,
        "unique_domains_discovered": 4,
        "new_backlinks_24h": 2,
        "avg_authority_score": 40.5,
        "top_linking_domains": ["a.example"],
        "top_target_urls": ["https://t.example/"],
        "potential_spam_links_24h": 0,
    },
    "api_quota_statuses": [
        {
            "api_name": "serpstack",
            "limit": 100,
            "used": 5,
            "remaining": 95,
            "reset_date": "2026-12-01T00:00:00Z",
            "percentage_used": 5.0,
            "status": "OK",
            "performance": {
                "total_calls": 5,
                "successful_calls": 5,
                "average_response_time_ms": 120.0,
                "success_rate": 1.0,
            },
        }
    ],
    "domain_intelligence_metrics": {
        "total_domains_analyzed": 3,
        "valuable_expired_domains_found": 1,
        "avg_domain_value_score": 33.3,
        "new_domains_added_24h": 1,
        "top_niches_identified": ["tech"],
    },
    "performance_optimization_metrics": {
        "avg_crawl_speed_pages_per_minute": 10.0,
        "avg_success_rate_percentage": 99.0,
        "avg_response_time_ms": 300.0,
        "bottlenecks_detected": [],
        "top_performing_satellites": ["sat-1"],
        "worst_performing_satellites": ["sat-2"],
    },
    "alerts": [
        {"type": "queue_overflow", "severity": "warning", "message": "deep", "timestamp": "2026-11-28T12:00:00Z"}
    ],
    "satellite_fleet_status": [
        {
            "satellite_id": "sat-1",
            "status": "active",
            "last_heartbeat": "2026-11-28T11:59:58Z",
            "jobs_completed_24h": 2,
            "errors_24h": 0,
        }
    ],
    "mc": {"anything": {"of": "ours"}},
}


def _with(path: str, value) -> str:
    doc = json.loads(json.dumps(VALID))
    node = doc
    *parents, last = path.split(".")
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    node[int(last) if isinstance(node, list) else last] = value
    return json.dumps(doc)


def test_the_checker_passes_a_valid_document_with_extras():
    assert strict_errors(json.dumps(VALID)) == []


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        # Each of these passes pydantic's lax mode and breaks Link Profiler's UI.
        ("crawler_mission_status.queue_depth", "2", "crawler_mission_status.queue_depth"),
        ("crawler_mission_status.satellite_utilization_percentage", "50.0", "crawler_mission_status.satellite"),
        ("backlink_discovery_metrics.avg_authority_score", None, "backlink_discovery_metrics.avg_authority_score"),
        ("crawler_mission_status.total_pages_crawled_24h", 40.0, "crawler_mission_status.total_pages"),
        ("backlink_discovery_metrics.top_linking_domains", [{"domain": "a.example"}], "backlink_discovery_metrics"),
        ("crawler_mission_status.recent_job_errors.0.severity", "error", "crawler_mission_status.recent_job_errors"),
        ("alerts", None, "alerts"),
        ("satellite_fleet_status.0.last_heartbeat", None, "satellite_fleet_status.0.last_heartbeat"),
        ("api_quota_statuses.0.performance.success_rate", "1.0", "api_quota_statuses.0.performance"),
    ],
)
def test_the_checker_refuses_what_breaks_the_ui(path, value, where):
    errors = strict_errors(_with(path, value))
    assert errors and all(e.startswith(where) for e in errors), errors


def test_the_checker_refuses_nan_and_repeated_quota_names():
    text = json.dumps(VALID).replace('"avg_response_time_ms": 300.0', '"avg_response_time_ms": NaN')
    assert strict_errors(text) == ["(document): NaN is not JSON (the browser's JSON.parse refuses it)"]
    doubled = json.loads(json.dumps(VALID))
    doubled["api_quota_statuses"] *= 2
    assert strict_errors(json.dumps(doubled)) == [
        "api_quota_statuses: api_name is a list key and repeats (['serpstack', 'serpstack'])"
    ]


def test_error_severity_and_details_map_onto_link_profilers_types():
    assert [severity_of(v) for v in ("critical", "WARNING", "info", "error", "fatal", "warn", "debug", None, "?")] == [
        "critical",
        "warning",
        "info",
        "critical",
        "critical",
        "warning",
        "info",
        "warning",
        "warning",
    ]
    assert details_text(None) is None and details_text("") is None and details_text("as sent") == "as sent"
    assert details_text({"status": 503, "retry": True}) == '{"retry": true, "status": 503}'

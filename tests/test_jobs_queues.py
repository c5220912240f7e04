"""Jobs list and job page, queue contents and the drain-forecast record on PostgreSQL + Redis
(both schema variants), through the pages' models and their on-demand queries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from analytics.tables import satellite_jobs
from capacity import record
from capacity.cycle import capacity_section
from capacity.forecast import forecast
from capacity.tables import drain_forecasts
from data.job_search import COUNT_CAP
from pages.capacity import model as cap_model
from pages.capacity.render import render as cap_render
from pages.capacity.ids import CapacityIds as Cap
from pages.jobs import model as jobs_model
from pages.jobs.render import job_view, list_rows, page_text
from pages.jobs.ids import JobIds as Jobs
from pages.queues import model as queues_model
from pages.queues.ids import QueueIds as Q
from pages.queues.render import render as queue_render
from tests import lp_rows as lp
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW

M = timedelta(minutes=1)
HOSTILE = '<img src=x onerror="alert(1)">https://evil.example/a_b%c'


@pytest.fixture(params=["M", "O"])
def jobs_app(request, pg_url, redis_url):
    services = build_services(pg_url, redis_url, request.param)
    rows = []
    for i in range(60):  # 60 backlink jobs, one a minute, alternating completed / failed
        rows.append(
            lp.job(
                "completed" if i % 2 == 0 else "failed",
                created=NOW - (120 - i) * M,
                started=NOW - (119 - i) * M,
                completed=NOW - (118 - i) * M,
                target=f"https://site{i % 3}.example/page{i}",
                job_id=f"job-{i:03d}",
            )
        )
    rows.append(
        lp.job(
            "in_progress",
            created=NOW - 2 * M,
            started=NOW - M,
            progress=40.0,
            job_type="technical_audit",
            target=HOSTILE,
            job_id="job-hostile",
            errors=[{"message": "<script>alert(2)</script>", "severity": "error", "url": HOSTILE}, "plain text"],
        )
    )
    lp.insert(services, "crawl_jobs", rows)
    if request.param == "O":
        logs = []
        for k in range(3):
            log = lp.perf_log(services, "sat-02", NOW - (3 - k) * M)
            log.update(current_job_id="job-hostile", current_job_type="technical_audit", current_job_progress=10.0 * k)
            logs.append(log)
        lp.insert(services, "satellite_performance_logs", logs)
    with services.mc_engine.begin() as conn:
        conn.execute(
            insert(satellite_jobs),
            [
                {"job_id": f"job-{i:03d}", "satellite_id": "sat-01", "started_at": NOW - (119 - i) * M}
                for i in range(0, 10)
            ]
            + [{"job_id": "job-hostile", "satellite_id": "sat-02", "started_at": NOW - M}],
        )
    with ticked_app(services, NOW) as (_app, ctx, _loop):
        yield ctx, request.param
    services.dispose()


def _list(ctx, page=0, size=25, **controls):
    args = {"status": None, "job_type": None, "target": None, "start": None, "end": None, "satellite": None}
    args.update(controls)
    f = jobs_model.job_filter(
        args["status"],
        args["job_type"],
        args["target"],
        args["start"],
        args["end"],
        args["satellite"],
        args.get("order", "newest"),
    )
    return jobs_model.list_model(ctx, f, page, size)


def test_jobs_list_filters_pages_and_totals(jobs_app):
    ctx, _variant = jobs_app
    everything = _list(ctx)
    assert everything.total == 61 and not everything.capped and len(everything.rows) == 25
    assert list(everything.rows["id"][:2]) == ["job-hostile", "job-059"]  # newest first
    third = _list(ctx, page=2)
    assert list(third.rows["id"]) == [f"job-{i:03d}" for i in range(10, -1, -1)]
    assert page_text(third, 2, 25) == "jobs 51–61 of 61"
    assert list(_list(ctx, order="oldest").rows["id"][:2]) == ["job-000", "job-001"]
    assert _list(ctx, status="failed").total == 30
    assert _list(ctx, job_type="technical_audit").total == 1
    # Substring, case-insensitive; LIKE's wildcards in the text are literal.
    assert _list(ctx, target="SITE1.example").total == 20
    assert list(_list(ctx, target="a_b%c").rows["id"]) == ["job-hostile"]
    assert _list(ctx, target="a%b").total == 0
    # Creation dates: [from 00:00, to 24:00) of the days chosen.
    assert _list(ctx, start="2026-11-28", end="2026-11-28").total == 61
    assert _list(ctx, start="2026-11-29").total == 0
    # The satellite filter goes through our job → satellite record.
    sat = _list(ctx, satellite="sat-01", status="completed")
    assert sat.total == 5 and set(sat.rows["id"]) == {f"job-{i:03d}" for i in range(0, 10, 2)}
    assert _list(ctx, satellite="nobody").total == 0
    with pytest.raises(Exception, match="status must be one of"):
        _list(ctx, status="running")
    assert COUNT_CAP == 100_000


def test_job_page_shows_hostile_text_as_text(jobs_app):
    ctx, variant = jobs_app
    shown = job_view(jobs_model.job_model(ctx, jobs_model.job_id_of("?id=job-hostile")))
    assert shown[Jobs.JOB_STATUS].full == "in_progress"
    assert shown[Jobs.JOB_TITLE].full == f"technical_audit · {HOSTILE}"  # a plain string: Dash shows it as text
    fields = {r["field"]: r["value"] for r in shown[Jobs.FIELDS].full}
    assert fields["target_url"] == HOSTILE and fields["progress_percentage"] == "40.0"
    errors = shown[Jobs.ERRORS].full
    assert [e["message"] for e in errors] == ["plain text", "<script>alert(2)</script>"]
    assert errors[1]["severity"] == "critical" and errors[1]["url"] == HOSTILE
    assert shown[Jobs.JOB_LINK].full == "/jobs?id=job-hostile"
    # The commands that apply to an in-progress job: its Cancel button (outside a request the
    # caller is an anonymous viewer: disabled, with the reason).
    assert jobs_model.job_model(ctx, "job-hostile")["commands"] == ["job_cancel"]
    [button, note] = shown[Jobs.COMMANDS].full
    assert "needs the operator role" in str(note.children)
    assert (button.children, button.disabled, button.id["target"]) == ("Cancel job", True, "job-hostile")
    assert "needs the operator role" in button.title
    assert jobs_model.job_model(ctx, "job-000")["commands"] == []
    sats = shown[Jobs.SATELLITES].full
    assert {s["satellite_id"] for s in sats} == {"sat-02"}
    if variant == "O":
        assert [h["progress"] for h in shown[Jobs.HISTORY].full] == [0.0, 10.0, 20.0]
        assert len(sats) == 2  # our record and the performance logs
    else:
        assert shown[Jobs.HISTORY].full == [] and "variant M" in shown[Jobs.HISTORY_NOTE].full
    missing = job_view(jobs_model.job_model(ctx, "no-such-job"))
    assert missing[Jobs.JOB_STATUS].full == "not found"


def test_job_page_lists_its_alerts(jobs_app):
    ctx, _variant = jobs_app
    from alerts.tables import history

    with ctx.services.mc_engine.begin() as conn:
        conn.execute(
            insert(history),
            [
                {
                    "at": NOW,
                    "fingerprint": "f1",
                    "event": "firing",
                    "severity": "critical",
                    "type": "job_failed",
                    "message": "job failed",
                    "affected_jobs": ["job-hostile", "job-001"],
                },
                {
                    "at": NOW,
                    "fingerprint": "f2",
                    "event": "firing",
                    "severity": "info",
                    "type": "x",
                    "message": "other",
                    "affected_jobs": ["job-hostile-2"],
                },
            ],
        )
    alerts = job_view(jobs_model.job_model(ctx, "job-hostile"))[Jobs.ALERTS].full
    assert [a["message"] for a in alerts] == ["job failed"]


def test_jobs_csv_cells_are_formula_safe(jobs_app):
    ctx, _variant = jobs_app
    from common.csv_export import table_csv

    lp.insert(ctx.services, "crawl_jobs", [lp.job("queued", created=NOW, target='=HYPERLINK("x")', job_id="job-f")])
    rows = list_rows(_list(ctx, target="HYPERLINK"))
    assert "'=HYPERLINK" in table_csv(rows, ["id", "target_url"])


# --- queues ----------------------------------------------------------------------------------


@pytest.fixture
def queue_app(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M")
    with ticked_app(services, NOW) as (_app, ctx, _loop):
        yield ctx
    services.dispose()


def _queue(ctx, queue, offset=0):
    shown = queues_model.model(ctx, queue, offset)
    return shown, queue_render(shown)


def test_job_queue_as_a_list(queue_app):
    ctx = queue_app
    keys = ctx.settings.redis_keys
    r = ctx.services.redis
    # LPUSH: the first pushed is the oldest, popped first from the right.
    for i in range(30):
        r.lpush(
            keys.job_queue,
            json.dumps(
                {
                    "id": f"q{i}",
                    "job_type": "backlink_discovery",
                    "target_url": HOSTILE,
                    "priority": 5,
                    "created_at": (NOW - (60 - i) * M).isoformat(),
                }
            ),
        )
    r.lpush(keys.job_queue, "not json {", json.dumps([1, 2]), json.dumps({"id": "big", "pad": "x" * 70_000}))
    shown, renders = _queue(ctx, "job_queue")
    rows = renders[Q.TABLE].full
    assert shown["page"].kind == "list" and shown["page"].total == 33 and len(rows) == 25
    assert rows[0]["job_id"] == "q0" and rows[0]["age"] == "1 h 00 m" and rows[0]["target_url"] == HOSTILE
    assert (
        renders[Q.KIND].full == "crawl_jobs is a list, the next popped first"
        and renders[Q.PAGE_TEXT].full == "entries 1–25 of 33"
    )
    _, last = _queue(ctx, "job_queue", 25)
    tail = last[Q.TABLE].full
    assert [row["position"] for row in tail] == list(range(26, 34))
    assert [row["problem"] for row in tail[-3:]] == [
        "not JSON",
        "JSON list, not an object",
        "70,024 characters: too large to parse",
    ]
    assert tail[-3]["preview"] == "not json {" and len(tail[-1]["preview"]) == 300


def test_job_queue_as_a_sorted_set_and_wrongtype(queue_app):
    ctx = queue_app
    keys = ctx.settings.redis_keys
    r = ctx.services.redis
    r.zadd(keys.job_queue, {json.dumps({"id": f"z{p}", "priority": p}): p for p in (1, 9, 5)})
    shown, renders = _queue(ctx, "job_queue")
    rows = renders[Q.TABLE].full
    assert shown["page"].kind == "zset" and [row["job_id"] for row in rows] == ["z9", "z5", "z1"]  # BZPOPMAX order
    assert [row["score"] for row in rows] == [9.0, 5.0, 1.0]
    r.delete(keys.job_queue)
    r.hset(keys.job_queue, "a", "b")
    shown, renders = _queue(ctx, "job_queue")
    assert (
        renders[Q.TABLE].full == []
        and renders[Q.KIND].full == "crawl_jobs: crawl_jobs holds a hash, which is not a queue"
    )


def test_scheduled_and_dead_letters_with_reason_and_age(queue_app):
    ctx = queue_app
    keys = ctx.settings.redis_keys
    r = ctx.services.redis
    now = queues_model.model(ctx, "scheduled", 0)["now"]
    due = lp.epoch(now + timedelta(minutes=10))
    r.zadd(keys.scheduled, {json.dumps({"id": "s-late"}): due, json.dumps({"id": "s-over"}): lp.epoch(now - M)})
    rows = _queue(ctx, "scheduled")[1][Q.TABLE].full
    assert [row["job_id"] for row in rows] == ["s-over", "s-late"]
    assert rows[0]["due"].endswith("(overdue)") and rows[1]["due"].endswith("(in 10 m 00 s)")
    r.lpush(  # as Link Profiler does: the newest on the left
        keys.dead_letter,
        json.dumps(
            {
                "job_id": "d1",
                "dead_letter_reason": "<b>max retries</b>",
                "dead_letter_timestamp": (now - 2 * timedelta(hours=1)).isoformat(),
            }
        ),
        json.dumps({"job_id": "d2", "error": {"message": "timeout"}, "completed_at": (now - 5 * M).isoformat()}),
    )
    dead = _queue(ctx, "dead_letter")[1][Q.TABLE].full
    assert [(d["job_id"], d["reason"], d["age"]) for d in dead] == [
        ("d2", "timeout", "5 m 00 s"),
        ("d1", "<b>max retries</b>", "2 h 00 m"),
    ]


# --- drain forecast record -------------------------------------------------------------------


def test_forecast_recorded_resolved_and_its_error_shown(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M")
    mc = services.mc_engine
    # 30 jobs finished in the last 15 minutes, 15 arrived: with 2 satellites 1 job/sat/min, 1/min arriving.
    rows = [
        lp.job("completed", created=NOW - 20 * M, started=NOW - 16 * M, completed=NOW - (i % 14 + 1) * M)
        for i in range(30)
    ]
    rows += [lp.job("queued", created=NOW - (i % 14 + 1) * M) for i in range(15)]
    lp.insert(services, "crawl_jobs", rows)
    fleet = [
        {"satellite_id": "a", "alive": True, "status": "active"},
        {"satellite_id": "b", "alive": True, "status": "idle"},
        {"satellite_id": "c", "alive": True, "status": "paused"},
        {"satellite_id": "d", "alive": False, "status": "unresponsive"},
    ]
    section = capacity_section(services.engine, mc, NOW, 10, fleet, 15, 30)
    assert (section["finished"], section["arrived"], section["satellites"]) == (30, 15, 2)
    assert section["predicted_empty_at"] == (NOW + 10 * M).isoformat()  # 10 jobs / (2 − 1) per min
    # A second cycle within the minute records nothing more; the queue empties 4 minutes late.
    capacity_section(services.engine, mc, NOW + timedelta(seconds=30), 9, fleet, 15, 30)
    assert record.resolve(mc, NOW + 12 * M, 3) == 1  # the predicted time came: depth 3 then
    assert record.resolve(mc, NOW + 14 * M, 0) == 1
    with mc.connect() as conn:
        rows = conn.execute(select(drain_forecasts)).mappings().all()
    assert len(rows) == 1 and rows[0]["actual_empty_at"] == NOW + 14 * M and rows[0]["depth_at_predicted"] == 3
    # Two more, resolved: errors 4, 1 and 10 minutes → median 4.
    for made, predicted, actual in ((20, 30, 31), (40, 50, 60)):
        # depth = minutes to empty at 1 job/min: predicted at NOW + predicted minutes.
        record.record(mc, forecast(NOW + made * M, predicted - made, 1.0, 1, 0.0), 15)
        record.resolve(mc, NOW + actual * M, 0)
    record.record(mc, forecast(NOW + 70 * M, 5, 1.0, 1, 2.0), 15)  # "not shrinking": resolved as missed
    record.resolve(mc, NOW + 75 * M, 0)
    record.record(mc, forecast(NOW + 80 * M, 5, 1.0, 1, 0.0), 15)  # still open
    track = record.track_record(mc, 60)
    assert (track.summary.n, track.summary.median, track.missed, track.open) == (3, 4.0, 1, 1)
    services.dispose()


def test_capacity_page_shows_forecast_what_if_and_error(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M")
    with ticked_app(services, NOW) as (_app, ctx, loop):
        for i in range(3):
            lp.heartbeat(services, f"sat-{i}", NOW)
        mc = services.mc_engine
        record.record(mc, forecast(NOW - 60 * M, 20, 1.0, 1, 0.0), 15)
        record.resolve(mc, NOW - 37 * M, 0)  # 3 minutes late
        lp.insert(
            services,
            "crawl_jobs",
            [
                lp.job("completed", created=NOW - 30 * M, started=NOW - 10 * M, completed=NOW - (i % 14 + 1) * M)
                for i in range(45)
            ],
        )
        for i in range(30):
            services.redis.lpush(services.settings.redis_keys.job_queue, json.dumps({"id": f"j{i}"}))
        loop.tick(now=NOW)
        loop.refresh_heavy(NOW)
        loop.tick(now=NOW)
        renders = cap_render(cap_model.model(ctx, 6))
        # 45 finished in 15 min by 3 satellites: 1 job/sat/min, no arrivals: 30 jobs in 10 min; 6 → 5 min.
        assert renders[Cap.SENTENCE].full.endswith(
            "at the current rate the queue is empty at 12:10 UTC; with 3 more satellites at 12:05 UTC"
        ), renders[Cap.SENTENCE].full
        assert "1.00 jobs per satellite per minute" in renders[Cap.RATES].full
        assert renders[Cap.ERROR].full.startswith("median absolute error over the last 1 resolved forecasts: 3.0 min")
        # The producer's heavy step recorded its own forecast (open until the queue empties).
        newest = renders[Cap.TRACK].full[0]
        assert (newest["depth"], newest["satellites"], newest["predicted_empty_at"]) == (30, 3, "2026-11-28 12:10")
        assert "1 still open" in renders[Cap.ERROR].full
    services.dispose()


def test_an_entry_that_is_not_utf8_is_shown_beside_the_others(queue_app):
    ctx = queue_app
    key = ctx.settings.redis_keys.dead_letter
    ctx.services.redis.lpush(key, json.dumps({"job_id": "ok-1", "dead_letter_reason": "boom"}))
    ctx.services.redis.lpush(key, b"\xff\xfe not utf-8")
    rows = _queue(ctx, "dead_letter")[1][Q.TABLE].full
    assert [(r["job_id"], r["reason"], r["problem"]) for r in rows] == [
        (None, None, "not JSON"),
        ("ok-1", "boom", None),
    ]
    assert rows[0]["preview"] == "\ufffd\ufffd not utf-8"

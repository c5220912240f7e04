"""Archive and time travel (issue 14): one snapshot a minute in `mc_snapshot_minutes`, written to
Parquet past the retention (a local S3-compatible server: moto's, on a free port; or a path),
pruned only once read back, and replayed by `/?at=` through the main screen's own render."""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import uuid
from datetime import UTC, date, datetime, timedelta

import boto3
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from archive.at import BadTime, parse_minute
from archive.minutes import MinuteRecorder, encode, insert_once
from archive.parquet_store import ParquetStore
from archive.tables import minutes
from config import ArchiveSettings, ConfigError, load_settings
from pages.mission.ids import MissionIds as Main
from pages.mission.render import render
from pages.shell.ids import ShellIds
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.test_analysis_pages_degrade import component
from tests.dataset import NOW

DAY = NOW.date()  # 2026-11-28; NOW is 12:00, the minute the producer itself keeps
NOON = NOW.replace(second=0, microsecond=0)
# Past the retention (30 days) by whole days, so the pass archives DAY.
LATER = NOW + timedelta(days=32)
# The figures of the main screen a viewer reads as numbers.
NUMBERS = (
    Main.KPI_ACTIVE,
    Main.KPI_ACTIVE_SUB,
    Main.KPI_FLEET,
    Main.KPI_FLEET_SUB,
    Main.KPI_QUEUE,
    Main.KPI_ALERTS,
    Main.KPI_ALERTS_SUB,
    Main.METRIC_PAGES,
    Main.METRIC_COMPLETION,
    Main.METRIC_UTIL,
    Main.METRIC_DONE,
    Main.METRIC_FAILED,
    Main.METRIC_BACKLINKS,
)


# -- a local S3-compatible server ------------------------------------------------------------
@dataclasses.dataclass
class S3:
    endpoint: str
    bucket: str
    server: object

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/mission-control"

    def objects(self) -> list[str]:
        listed = boto3.client("s3", endpoint_url=self.endpoint).list_objects_v2(Bucket=self.bucket)
        return sorted(o["Key"] for o in listed.get("Contents", []))


@pytest.fixture
def s3(monkeypatch):
    """moto's S3 server on a free loopback port, with one bucket; credentials from the standard
    AWS variables, as in production."""
    from moto.server import ThreadedMotoServer

    for name, value in {
        "AWS_ACCESS_KEY_ID": "archive-test",
        "AWS_SECRET_ACCESS_KEY": "archive-test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    bucket = f"mc-archive-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
    s3 = S3(endpoint, bucket, server)
    yield s3
    if server._server_ready_event.is_set():  # not stopped by the test
        server.stop()


# -- helpers ---------------------------------------------------------------------------------
def text_of(node) -> str:
    """The text a serialised component shows (its children's strings, in order)."""
    if node is None:
        return ""
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    if isinstance(node, dict):
        return text_of(node.get("props", {}).get("children"))
    return ""


def main_screen(app, ctx, query: str = "") -> dict:
    """The main screen's first paint as a browser at `/{query}` gets it (the page's address is
    the Referer of Dash's layout request)."""
    from pages import PAGES

    page = next(p for p in PAGES if p.path == "/")
    with app.server.test_request_context("/_dash-layout", headers={"Referer": f"http://127.0.0.1:8050/{query}"}):
        return json.loads(json.dumps(page.layout(ctx), default=lambda c: c.to_plotly_json()))


def numbers(painted: dict) -> dict[str, str]:
    return {i: text_of(component(painted, i)) for i in NUMBERS}


def screen_of(doc: dict) -> str:
    """Every panel of the main screen rendered from `doc`, as the JSON the browser receives."""
    return json.dumps({k: r.full for k, r in render(doc).items()}, default=lambda c: c.to_plotly_json(), sort_keys=True)


def stored_minutes(engine, day: date | None = None) -> int:
    q = select(func.count()).select_from(minutes)
    if day is not None:
        lo = datetime.combine(day, datetime.min.time())
        q = q.where(minutes.c.minute >= lo, minutes.c.minute < lo + timedelta(days=1))
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def keep_a_day(engine, live: dict, day: date = DAY, skip: datetime | None = NOON) -> None:
    """Every other minute of `day`: the live document with figures of its own (pages crawled =
    10,000 + the minute of the day), as the producer would have kept them."""
    start = datetime.combine(day, datetime.min.time())
    for i in range(1440):
        minute = start + timedelta(minutes=i)
        if minute == skip:
            continue
        doc = copy.deepcopy(live)
        doc["crawler_mission_status"]["total_pages_crawled_24h"] = 10_000 + i
        doc["mc"]["built_at"] = minute.replace(tzinfo=UTC).timestamp()
        insert_once(engine, minute, 1_000 + i, encode(doc))


def archive_settings(url: str, endpoint: str | None = None) -> ArchiveSettings:
    return ArchiveSettings(url=url, s3_endpoint=endpoint, days_per_pass=10)


# -- the Done-when test ----------------------------------------------------------------------
def test_a_day_archived_to_s3_and_pruned_replays_the_numbers_the_live_screen_showed(pg_url, redis_url, s3):
    services = build_services(pg_url, redis_url, archive=archive_settings(s3.url, s3.endpoint))
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, _loop):
        # The producer published NOW's snapshot and kept it as the 12:00 minute.
        live_version, live_doc = ctx.snapshots.load()
        live_screen = main_screen(app, ctx)
        live_numbers = numbers(live_screen)
        assert live_numbers[Main.METRIC_PAGES] == f"{dataset.EXPECTED['pages_24h']:,}"
        assert live_numbers[Main.METRIC_DONE] == str(dataset.EXPECTED["completed_24h"])
        assert stored_minutes(services.mc_engine) == 1

        keep_a_day(services.mc_engine, live_doc)
        assert stored_minutes(services.mc_engine, DAY) == 1440

        report = ctx.archive.run_pass(LATER)
        assert report.error is None
        assert ("mc_snapshot_minutes", DAY, 1440) in report.archived
        # Written as one object for the day, then pruned from the database.
        key = f"mission-control/mc_snapshot_minutes/day={DAY}/mc_snapshot_minutes-{DAY}.parquet"
        assert key in s3.objects()
        assert stored_minutes(services.mc_engine) == 0
        assert services.health["archive"].online

        # 12:00 from the archive: the numbers, figures and panels the live screen showed.
        replayed = main_screen(app, ctx, "?at=2026-11-28T12:00Z")
        assert numbers(replayed) == live_numbers
        banner = text_of(component(replayed, Main.REPLAY_BANNER))
        assert banner.startswith("REPLAY 2026-11-28T12:00Z") and "from the archive" in banner
        shown = ctx.archive.replay(NOON)
        assert shown is not None and shown.source == "archive" and shown.document["version"] == live_version
        assert screen_of(shown.document) == screen_of(live_doc)
        # Another minute of that day (03:12, minute 192) shows its own figures.
        at_0312 = numbers(main_screen(app, ctx, "?at=2026-11-28T03:12Z"))
        assert at_0312[Main.METRIC_PAGES] == "10,192"
        # What the browser holds marks the replay: the live callback leaves it alone.
        held = component(replayed, Main.HELD)["props"]["data"]
        assert held["replay"] == "2026-11-28T12:00Z" and held["v"] is None
    services.dispose()


def test_a_failed_archive_prunes_nothing_and_says_so(sqlite_url, memory_redis_url, s3, caplog):
    services = build_services(sqlite_url, memory_redis_url, archive=archive_settings(s3.url, s3.endpoint))
    dataset.load(services)
    with ticked_app(services, NOW) as (_app, ctx, loop):
        _v, live_doc = ctx.snapshots.load()
        keep_a_day(services.mc_engine, live_doc)
        s3.server.stop()  # the archive's server goes down
        with caplog.at_level(logging.ERROR):
            report = ctx.archive.run_pass(LATER)
        assert report.error is not None and report.archived == []
        assert stored_minutes(services.mc_engine, DAY) == 1440  # nothing pruned
        assert not services.health["archive"].online
        assert any("nothing of that day was pruned" in r.getMessage() for r in caplog.records)
        # The next document says so: the header names it among the offline sources.
        loop.tick(now=NOW + timedelta(minutes=1))
        _v, doc = ctx.snapshots.load()
        assert doc["mc"]["sources"]["archive"]["online"] is False
        assert doc["mc"]["sources"]["archive"]["error"].startswith(
            "ArchiveError: mc_snapshot_minutes 2026-11-28: Could not connect"
        )
        assert stored_minutes(services.mc_engine, DAY) == 1440
    services.dispose()


def test_an_object_that_reads_back_different_prunes_nothing(sqlite_url, memory_redis_url, tmp_path, monkeypatch):
    url = f"file://{tmp_path / 'archive'}"
    services = build_services(sqlite_url, memory_redis_url, archive=archive_settings(url))
    dataset.load(services)
    with ticked_app(services, NOW) as (_app, ctx, _loop):
        _v, live_doc = ctx.snapshots.load()
        keep_a_day(services.mc_engine, live_doc)
        real_read = ParquetStore.read

        def corrupted(self, table, day, filters=None):
            # What a faulty store hands back: the day's object with one document altered.
            read = real_read(self, table, day, filters)
            if read is None:  # before the first write
                return None
            docs = read.column("document").to_pylist()
            docs[100] = encode({"not": "what was written"})
            return read.set_column(read.schema.get_field_index("document"), "document", [docs])

        monkeypatch.setattr(ParquetStore, "read", corrupted)
        report = ctx.archive.run_pass(LATER)
        assert report.archived == [] and "differs in the object read back" in report.error
        assert stored_minutes(services.mc_engine, DAY) == 1440
    services.dispose()


def test_archiving_a_day_again_merges_into_the_same_object(sqlite_url, memory_redis_url, tmp_path):
    url = f"file://{tmp_path / 'archive'}"
    services = build_services(sqlite_url, memory_redis_url, archive=archive_settings(url))
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, _loop):
        _v, live_doc = ctx.snapshots.load()
        keep_a_day(services.mc_engine, live_doc, skip=datetime.combine(DAY, datetime.min.time()) + timedelta(minutes=5))
        assert ctx.archive.run_pass(LATER).error is None
        store = ParquetStore(url)
        assert store.read(minutes.name, DAY).num_rows == 1439
        # A minute of that day arrives late (a producer's retry): the same object, now whole.
        late = datetime.combine(DAY, datetime.min.time()) + timedelta(minutes=5)
        insert_once(services.mc_engine, late, 7, encode(dict(live_doc, version=7)))
        report = ctx.archive.run_pass(LATER)
        assert report.error is None and (minutes.name, DAY, 1) in report.archived
        table = store.read(minutes.name, DAY)
        assert table.num_rows == 1440 and len(set(table.column("minute").to_pylist())) == 1440
        assert store.days(minutes.name) == [DAY]
        # Re-running with nothing left to archive writes nothing and fails nothing.
        assert ctx.archive.run_pass(LATER).archived == []
        # The object is plain Parquet, one row group an hour.
        path = tmp_path / "archive" / "mc_snapshot_minutes" / f"day={DAY}" / f"mc_snapshot_minutes-{DAY}.parquet"
        assert pq.ParquetFile(path).metadata.num_row_groups == 24
        assert (
            numbers(main_screen(app, ctx, "?at=2026-11-28T00:05Z"))[Main.METRIC_PAGES]
            == f"{dataset.EXPECTED['pages_24h']:,}"
        )
    services.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_alert_history_is_archived_before_it_is_pruned(backend, request, memory_redis_url, tmp_path):
    from alerts import tables as alert_tables

    url = f"file://{tmp_path / 'archive'}"
    db = request.getfixturevalue("pg_url") if backend == "pg" else f"sqlite:///{tmp_path / 'lp.db'}"
    services = build_services(db, memory_redis_url, archive=archive_settings(url))
    old = NOW - timedelta(days=40)
    hostile = "<script>alert(1)</script>"
    with services.mc_engine.begin() as conn:
        conn.execute(
            alert_tables.history.insert(),
            [
                {"at": old, "fingerprint": "fp-1", "event": "firing", "message": hostile, "affected_jobs": ["j1"]},
                {"at": NOW, "fingerprint": "fp-2", "event": "firing", "message": "recent", "affected_jobs": None},
            ],
        )
    with ticked_app(services, NOW) as (_app, ctx, _loop):
        # The producer's first heavy cycle ran the pass: the old event went to the archive.
        report = ctx.archive.last_pass
        assert report is not None and report.error is None
        assert ("mc_alert_history", old.date(), 1) in report.archived
        assert ctx.archive.run_pass(NOW).archived == []  # nothing left past the retention
        with services.mc_engine.connect() as conn:
            left = [r.fingerprint for r in conn.execute(select(alert_tables.history.c.fingerprint))]
        assert left == ["fp-2"]
        rows = ParquetStore(url).read("mc_alert_history", old.date()).to_pylist()
        assert [(r["fingerprint"], r["message"], json.loads(r["affected_jobs"])) for r in rows] == [
            ("fp-1", hostile, ["j1"])
        ]
    services.dispose()


GEVENT_REPLAY = """
from gevent import monkey

monkey.patch_all()  # as gunicorn's gevent workers are
import json, sys
from datetime import datetime

import gevent
from data.connections import make_engine
from archive.parquet_store import ParquetStore
from archive.replay import replay_at

db, url, endpoint = sys.argv[1:4]
store = ParquetStore(url, endpoint)
found = gevent.spawn(replay_at, make_engine(db), store, datetime(2026, 11, 28, 3, 12)).get(timeout=60)
print(json.dumps({"minute": found.minute.isoformat(), "source": found.source,
                  "pages": found.document["crawler_mission_status"]["total_pages_crawled_24h"]}))
"""


def test_a_gevent_worker_replays_from_s3(sqlite_url, memory_redis_url, s3):
    """gunicorn's web workers are gevent-patched, where s3fs cannot run: the replay still reads."""
    import subprocess
    import sys
    from pathlib import Path

    services = build_services(sqlite_url, memory_redis_url, archive=archive_settings(s3.url, s3.endpoint))
    doc = {"crawler_mission_status": {"total_pages_crawled_24h": 4242}, "mc": {}}
    insert_once(services.mc_engine, datetime(2026, 11, 28, 3, 12), 5, encode(doc))
    from archive.retention import run_pass

    assert run_pass(services.mc_engine, ParquetStore(s3.url, s3.endpoint), LATER, 30, 1).archived
    assert stored_minutes(services.mc_engine) == 0
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", GEVENT_REPLAY, sqlite_url, s3.url, s3.endpoint],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(root)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "minute": "2026-11-28T03:12:00",
        "source": "archive",
        "pages": 4242,
    }
    services.dispose()


# -- the minute itself ------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["sqlite", "pg"])
def test_one_document_a_minute_the_first_one_wins(backend, request, tmp_path, memory_redis_url):
    url = request.getfixturevalue("pg_url") if backend == "pg" else f"sqlite:///{tmp_path / 'lp.db'}"
    services = build_services(url, memory_redis_url)
    first, second = MinuteRecorder(services.mc_engine), MinuteRecorder(services.mc_engine)
    at = datetime(2026, 11, 29, 3, 12, 5)
    assert first.record({"n": 1}, 10, at) is True
    assert first.record({"n": 2}, 11, at + timedelta(seconds=30)) is False  # same minute: not even tried
    assert second.record({"n": 3}, 12, at + timedelta(seconds=40)) is False  # another producer: kept once
    assert first.record({"n": 4}, 13, at + timedelta(minutes=1)) is True
    assert stored_minutes(services.mc_engine) == 2
    from archive.minutes import stored_at

    minute, doc = stored_at(services.mc_engine, datetime(2026, 11, 29, 3, 12))
    assert (minute, doc) == (datetime(2026, 11, 29, 3, 12), {"n": 1, "version": 10})
    # A minute with none kept falls back to the nearest before it (a restart's gap), not after.
    minute, doc = stored_at(services.mc_engine, datetime(2026, 11, 29, 3, 16))
    assert minute == datetime(2026, 11, 29, 3, 13)
    assert stored_at(services.mc_engine, datetime(2026, 11, 29, 3, 11)) is None
    services.dispose()


def test_the_producer_keeps_a_minute_and_publishes_the_replay_range(sqlite_url, memory_redis_url):
    services = build_services(sqlite_url, memory_redis_url)
    dataset.load(services)
    with ticked_app(services, NOW) as (_app, ctx, loop):
        loop.tick(now=NOW + timedelta(seconds=20))  # same minute: still one
        loop.refresh_heavy(NOW + timedelta(seconds=30))  # the range is known after a pass
        loop.tick(now=NOW + timedelta(minutes=1))
        assert stored_minutes(services.mc_engine) == 2
        _v, doc = ctx.snapshots.load()
        noon = NOON.replace(tzinfo=UTC).timestamp()
        assert doc["mc"]["replay"] == {"from": noon, "to": noon}
        # Without an archive, minutes past the retention are deleted like the alert history.
        report = ctx.archive.run_pass(NOW + timedelta(days=31))
        assert report.deleted == 2 and stored_minutes(services.mc_engine) == 0
    services.dispose()


# -- asking for a minute ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "minute"),
    [
        ("2026-11-29T03:12Z", datetime(2026, 11, 29, 3, 12)),
        ("2026-11-29T03:12:59Z", datetime(2026, 11, 29, 3, 12)),
        ("2026-11-29T04:12+01:00", datetime(2026, 11, 29, 3, 12)),
        ("2026-11-29 03:12", datetime(2026, 11, 29, 3, 12)),
        ("2026-11-29T03:12:00.5+00:00", datetime(2026, 11, 29, 3, 12)),
    ],
)
def test_times_are_read_as_utc_minutes(text, minute):
    assert parse_minute(text) == minute


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-45T99:99Z", "1999-01-01T00:00Z", "x" * 200, "<b>3</b>"])
def test_bad_times_are_refused_with_the_form_expected(text):
    with pytest.raises(BadTime):
        parse_minute(text)


def test_bad_at_values_show_a_clear_message_and_the_live_screen(sqlite_url, memory_redis_url):
    services = build_services(sqlite_url, memory_redis_url)
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, _loop):
        live = numbers(main_screen(app, ctx))
        for query, says in (
            ("?at=yesterday", "Cannot replay “yesterday”: expected a UTC time such as 2026-11-29T03:12Z."),
            ("?at=2026-11-28T11:00Z", "Nothing is kept for 2026-11-28T11:00Z."),
            ("?at=%3Cimg%20src%3Dx%3E", "Cannot replay “<img src=x>”"),
        ):
            painted = main_screen(app, ctx, query)
            banner = component(painted, Main.REPLAY_BANNER)
            assert banner["props"]["className"] == "replay-banner replay-problem"
            assert says in text_of(banner) and "Showing the live screen." in text_of(banner)
            assert numbers(painted) == live
            assert "replay" not in component(painted, Main.HELD)["props"]["data"]
        # No banner without `at`; the scrubber offers the minute kept.
        plain = main_screen(app, ctx)
        assert component(plain, Main.REPLAY_BANNER) is None
        assert component(plain, Main.SCRUBBER) is not None
    services.dispose()


def test_the_live_callback_sends_nothing_to_a_replay(sqlite_url, memory_redis_url):
    services = build_services(sqlite_url, memory_redis_url)
    dataset.load(services)
    with ticked_app(services, NOW) as (app, _ctx, loop):
        loop.tick(now=NOW + timedelta(minutes=1))
        output = next(k for k in app.callback_map if f"{Main.HELD}.data" in k and "extendData" in k)
        specs = [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in output.strip(".").split("...")]

        def post(held):
            return app.server.test_client().post(
                "/_dash-update-component",
                json={
                    "output": output,
                    "outputs": specs,
                    "inputs": [{"id": ShellIds.VERSION, "property": "data", "value": {"v": 2}}],
                    "changedPropIds": [f"{ShellIds.VERSION}.data"],
                    "state": [{"id": Main.HELD, "property": "data", "value": held}],
                },
            )

        assert post({"v": None, "replay": "2026-11-28T12:00Z"}).status_code == 204
        assert post({"v": 1}).status_code == 200  # a live page is updated as before
    services.dispose()


def test_archive_settings_are_checked():
    s = load_settings(
        {"MC_ARCHIVE_URL": "s3://bucket/prefix/", "MC_ARCHIVE_S3_ENDPOINT": "http://127.0.0.1:9000"}, dotenv_path=None
    )
    assert (s.archive.url, s.archive.s3_endpoint, s.archive.days_per_pass) == (
        "s3://bucket/prefix",
        "http://127.0.0.1:9000",
        2,
    )
    assert load_settings({}, dotenv_path=None).archive.url is None
    for bad in ({"MC_ARCHIVE_URL": "ftp://x/y"}, {"MC_ARCHIVE_S3_ENDPOINT": "minio:9000"}):
        with pytest.raises(ConfigError):
            load_settings(bad, dotenv_path=None)


# -- in the browser ----------------------------------------------------------------------------
PAYLOAD = '<img src=x onerror="window.__pwned=1"><a href="https://evil.example/x">CLICK ME</a>'


@pytest.mark.browser
def test_a_replay_in_the_browser_names_its_minute_stays_still_and_keeps_hostile_text_inert(
    pg_url, redis_url, tmp_path, chrome, serve
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from tests import lp_rows as lp
    from tests.browser import act, read, wait_for, wait_text, wait_text_where
    from tests.conftest import browser_errors

    url = f"file://{tmp_path / 'archive'}"
    services = build_services(pg_url, redis_url, "M", refresh_rate_ms=500, archive=archive_settings(url))
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, loop):
        _v, live_doc = ctx.snapshots.load()
        # 03:12, when the pager went off: its own figures, and a crawled target that is hostile.
        kept = copy.deepcopy(live_doc)
        kept["crawler_mission_status"]["total_pages_crawled_24h"] = 4242
        kept["mc"]["active_jobs"][0]["target_url"] = PAYLOAD
        insert_once(services.mc_engine, datetime(2026, 11, 28, 3, 12), 77, encode(dict(kept, version=77)))
        assert ctx.archive.run_pass(LATER).archived[0] == (minutes.name, DAY, 2)  # 03:12 and 12:00
        assert stored_minutes(services.mc_engine) == 0  # both come from the archive now

        base = serve(app)
        chrome.get(base + "/?at=2026-11-28T03:12Z")
        wait_text_where(
            chrome,
            Main.REPLAY_BANNER,
            lambda t: t.startswith("REPLAY 2026-11-28T03:12Z") and "from the archive" in t and "paused" in t,
            what="the replay banner",
        )
        wait_text(chrome, Main.METRIC_PAGES, "4,242")
        wait_text(chrome, Main.KPI_ACTIVE, "2")
        wait_text_where(chrome, Main.BOARD, lambda t: "<img src=x" in t, what="the hostile target as text")
        wait_text_where(chrome, Main.ERRORS, lambda t: dataset.HOSTILE in t, what="the hostile error as text")
        made = read(
            chrome,
            lambda d: d.execute_script(
                "return [...document.querySelectorAll('main img, main a[href*=evil], main script')].length"
                " + (typeof window.__pwned === 'undefined' ? 0 : 100)"
            ),
        )
        assert made == 0
        assert (
            read(chrome, lambda d: d.find_element(By.ID, Main.SCRUB_AT).get_attribute("value")) == "2026-11-28T03:12Z"
        )

        # Live goes on (more jobs, a new version reaches this tab); the replay does not move.
        lp.insert(
            services,
            "crawl_jobs",
            [lp.job("in_progress", started=NOW - 10 * dataset.S, progress=5.0) for _ in range(3)],
        )
        version = loop.tick(now=NOW + timedelta(minutes=1))
        wait_for(
            chrome,
            lambda d: d.execute_script("return window.mcWall && window.mcWall.stamp && window.mcWall.stamp.v"),
            lambda v: v == version,
            message="the new version's notice in the replaying tab",
        )
        assert read(chrome, lambda d: d.find_element(By.ID, Main.KPI_ACTIVE).text) == "2"
        assert read(chrome, lambda d: d.find_element(By.ID, Main.METRIC_PAGES).text) == "4,242"

        # The scrubber's field asks for another minute (a plain GET of ?at=).
        def ask(d):
            field = d.find_element(By.ID, Main.SCRUB_AT)
            field.send_keys(Keys.CONTROL, "a")  # (clear() does not reach React's state)
            field.send_keys("2026-11-28T12:00Z", Keys.ENTER)  # submits the scrubber's form
            return True

        act(chrome, ask)
        wait_text_where(chrome, Main.REPLAY_BANNER, lambda t: t.startswith("REPLAY 2026-11-28T12:00Z"), what="12:00")
        wait_text(chrome, Main.METRIC_PAGES, "167")
        assert "at=2026-11-28T12%3A00Z" in chrome.current_url

        # The slider spans the day archived; a minute back from 12:00 writes 11:59 into the field.
        def step_back(d):
            thumb = d.find_element(By.ID, Main.SCRUB_SLIDER)
            d.execute_script(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'}); arguments[0].focus();", thumb
            )
            ActionChains(d).send_keys(Keys.ARROW_LEFT).perform()
            return True

        act(chrome, step_back)
        wait_for(
            chrome,
            lambda d: d.find_element(By.ID, Main.SCRUB_AT).get_attribute("value"),
            lambda v: v == "2026-11-28T11:59Z",
            message="the slider's minute in the field",
        )

        # "back to live": the live screen, updated again.
        def back_to_live(d):
            link = d.find_element(By.CSS_SELECTOR, f"#{Main.REPLAY_BANNER} a")
            d.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", link)
            link.click()
            return True

        act(chrome, back_to_live)
        wait_text(chrome, Main.KPI_ACTIVE, "5")
        assert chrome.find_elements(By.ID, Main.REPLAY_BANNER) == []
        assert browser_errors(chrome) == []
    services.dispose()

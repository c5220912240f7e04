"""Push instead of poll, in a real Chromium against the app over PostgreSQL and Redis.

The page asks the server for an update only when the push stream tells it of a new version: a
tab with nothing new to show sends no callback request at all (the slow fallback poll is off
while the stream delivers), and a new version is on the screen after exactly one round of
requests. When the stream is refused (disabled, or a proxy answering 503) the slow poll keeps
the page current. Requests are counted by the server (a WSGI counter), never timed.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from contextlib import ExitStack

import pytest

from pages.mission.ids import MissionIds as Main
from pages.shell.ids import ShellIds as Shell
from tests import dataset
from tests import lp_rows as lp
from tests.browser import read, wait_for, wait_text
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW

pytestmark = pytest.mark.browser

UPDATE = "/_dash-update-component"
STREAM = "/api/v1/stream"
# The window in which an idle page must send nothing: with the fallback poll at 1 s (below) a
# page that polled would send several requests in it.
IDLE_WINDOW_S = 4
# Dash's own bookkeeping: callbacks requested, waiting or running (empty when the page is settled).
PENDING_CALLBACKS_JS = """
const state = Object.assign({}, window.store.getState().callbacks);
delete state.stored; delete state.completed;
return [].concat.apply([], Object.values(state)).length;
"""
PUSH_STATE_JS = (
    "const p = window.mcPush; return p ? {streaming: p.streaming, notices: p.notices, failures: p.failures} : null;"
)


class RequestCounter:
    """WSGI middleware counting callback requests by what triggered them, and stream requests;
    `refuse_stream` answers the stream with 503, as a proxy or a full deployment would."""

    def __init__(self, wsgi_app, refuse_stream: bool = False):
        self.wsgi_app = wsgi_app
        self.refuse_stream = refuse_stream
        self.lock = threading.Lock()
        self.triggers: Counter = Counter()
        self.streams = 0

    @property
    def updates(self) -> int:
        with self.lock:
            return sum(self.triggers.values())

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO")
        if path == STREAM:
            with self.lock:
                self.streams += 1
            if self.refuse_stream:
                start_response("503 Service Unavailable", [("Content-Type", "application/json"), ("Retry-After", "10")])
                return [b'{"error": "stream full"}']
        if path == UPDATE and environ.get("REQUEST_METHOD") == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size)
            environ["wsgi.input"] = io.BytesIO(body)
            trigger = ",".join(json.loads(body).get("changedPropIds") or []) or "initial"
            with self.lock:
                self.triggers[trigger] += 1
        return self.wsgi_app(environ, start_response)


@pytest.fixture
def push_app(pg_url, redis_url):
    """make(...) -> (app, loop, services, counter): an app over the dataset (no producer thread:
    the test publishes by ticking it) whose fallback poll runs every second."""
    with ExitStack() as stack:

        def make(refuse_stream: bool = False, **settings):
            services = build_services(pg_url, redis_url, "M", refresh_rate_ms=500, fallback_poll_s=1, **settings)
            stack.callback(services.dispose)
            dataset.load(services)
            app, _ctx, loop = stack.enter_context(ticked_app(services, NOW))
            counter = RequestCounter(app.server.wsgi_app, refuse_stream)
            app.server.wsgi_app = counter
            return app, loop, services, counter

        yield make


def settled(driver) -> None:
    """Wait until the page has no callback requested or running."""
    wait_for(driver, lambda d: d.execute_script(PENDING_CALLBACKS_JS), lambda n: n == 0, message="callbacks settled")


def three_more_jobs(services, loop) -> None:
    """Storage changes and the producer publishes a new version (active missions 2 -> 5)."""
    lp.insert(
        services, "crawl_jobs", [lp.job("in_progress", started=NOW - 10 * dataset.S, progress=5.0) for _ in range(3)]
    )
    loop.tick(now=NOW)


def test_an_idle_page_sends_nothing_and_a_new_version_costs_one_round(push_app, chrome, serve):
    app, loop, services, counter = push_app()
    chrome.get(serve(app) + "/")
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    # The stream delivers (its first event, the current version, arrived): the poll is off.
    wait_for(chrome, lambda d: d.execute_script(PUSH_STATE_JS), lambda s: s and s["streaming"], message="streaming")
    settled(chrome)
    before, notices = counter.updates, read(chrome, lambda d: d.execute_script(PUSH_STATE_JS))["notices"]

    time.sleep(IDLE_WINDOW_S)  # the window itself (nothing to wait for: the point is that nothing comes)
    assert counter.updates == before, f"an idle page sent {counter.updates - before} callback requests"
    assert read(chrome, lambda d: d.execute_script(PUSH_STATE_JS))["notices"] == notices

    three_more_jobs(services, loop)
    wait_text(chrome, Main.KPI_ACTIVE, "5")
    settled(chrome)
    state = read(chrome, lambda d: d.execute_script(PUSH_STATE_JS))
    assert state["notices"] == notices + 1
    # One notice, one round: the page's callback and the shell's, both triggered by the notice.
    assert counter.updates - before == 2
    assert counter.triggers[f"{Shell.VERSION}.data"] >= 2
    assert set(counter.triggers) <= {f"{Shell.VERSION}.data", f"{Shell.URL}.pathname", "initial"}


@pytest.mark.parametrize("refusal", ["stream disabled", "stream answers 503"])
def test_the_slow_poll_keeps_the_page_current_without_the_stream(push_app, chrome, serve, refusal):
    if refusal == "stream disabled":
        app, loop, services, counter = push_app(websocket_enabled=False)
    else:
        app, loop, services, counter = push_app(refuse_stream=True)
    chrome.get(serve(app) + "/")
    wait_text(chrome, Main.KPI_ACTIVE, "2")
    three_more_jobs(services, loop)
    wait_text(chrome, Main.KPI_ACTIVE, "5")
    state = read(chrome, lambda d: d.execute_script(PUSH_STATE_JS))
    assert state["streaming"] is False and state["notices"] == 0
    if refusal == "stream disabled":
        assert counter.streams == 0  # the page knows not to ask
    else:
        wait_for(chrome, lambda d: d.execute_script(PUSH_STATE_JS)["failures"], lambda n: n >= 1, message="a refusal")
        assert counter.streams >= 1

"""MC_URL_PREFIX=/mc/ behind a real reverse proxy: Debian's nginx, started by the test with the
deployment's template (deploy/nginx/mission-control.conf.template), in front of `python app.py`
(the embedded demo with its simulated fleet).

Through nginx, in Chromium: every page under /mc/ fills (first paint and navigation by the nav),
every request the pages make stays under /mc/ and succeeds, no CSP violation; the snapshot API,
/healthz, the SSE stream and the WebSocket answer under /mc/. Once with the path passed through
(the template), once with a proxy that strips the prefix.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from tests.app_process import AppProcess, free_port
from tests.browser import CSP_VIOLATION_RECORDER, FILLED_PAGE_TEXT, csp_problems, wait_filled
from tests.conftest import _unavailable
from tests.nginx_proxy import Nginx, NginxUnavailable

pytestmark = pytest.mark.browser

PREFIX = "/mc/"
# Every request a page made (the page itself included): [URL, HTTP status].
REQUESTS = """
return performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
  .map((e) => [e.name, e.responseStatus]);
"""

# Opens a WebSocket to the app's /ws/mission-control from the page, at the prefix the page was
# served with (Dash's requests_pathname_prefix: the one source of the prefix for scripts), and
# hands back the first two frames.
FIRST_WEBSOCKET_FRAMES = """
const done = arguments[arguments.length - 1];
const prefix = JSON.parse(document.getElementById("_dash-config").textContent).requests_pathname_prefix;
const url = location.origin.replace(/^http/, "ws") + prefix + "ws/mission-control";
const ws = new WebSocket(url);
const frames = [];
ws.onmessage = (e) => { frames.push(e.data); if (frames.length === 2) { done({url: url, frames: frames}); ws.close(); } };
ws.onerror = () => done({url: url, error: "the WebSocket failed"});
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = AppProcess(tmp_path_factory.mktemp("nginx-app"), free_port(), MC_URL_PREFIX=PREFIX)
    try:
        app.start()
        app.wait_ready(path=PREFIX + "api/v1/snapshot")
        yield app
    finally:
        app.stop()


def _proxy(folder, app, strip_prefix: bool) -> Nginx:
    try:
        proxy = Nginx(folder, PREFIX, f"127.0.0.1:{app.port}", strip_prefix=strip_prefix)
    except NginxUnavailable as exc:
        _unavailable("nginx", exc)
    proxy.start()
    return proxy


@pytest.fixture(params=[False, True], ids=["passed-through", "stripped"])
def proxied(request, demo, tmp_path):
    proxy = _proxy(tmp_path, demo, request.param)
    try:
        yield proxy
    finally:
        proxy.stop()


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.headers, resp.read()


def _requests_stay_under_the_prefix(driver, base: str, where: str) -> None:
    made = driver.execute_script(REQUESTS)
    assert made, where
    outside = [url for url, _ in made if not url.startswith(base + PREFIX)]
    failed = [(url, status) for url, status in made if status not in (200, 204)]
    assert outside == [] and failed == [], (where, outside, failed)


def test_the_api_and_the_stream_answer_under_the_prefix(proxied):
    status, headers, body = _get(proxied.base + PREFIX + "api/v1/snapshot")
    assert status == 200 and "crawler_mission_status" in json.loads(body)
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert _get(proxied.base + PREFIX + "healthz")[0] == 200
    # nginx answers /mc (no slash) with a redirect to /mc/, which the app serves.
    status, _, page = _get(proxied.base + PREFIX.rstrip("/"))
    assert status == 200 and b"_dash-config" in page
    # Server-Sent Events come through unbuffered: the first snapshot event arrives.
    with urllib.request.urlopen(proxied.base + PREFIX + "api/v1/stream", timeout=15) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        for line in stream:
            if line.startswith(b"event: snapshot"):
                break


def test_every_page_fills_under_the_prefix(proxied, chrome):
    chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_VIOLATION_RECORDER})
    for path in FILLED_PAGE_TEXT:
        url = proxied.base + PREFIX.rstrip("/") + path
        chrome.get(url)
        wait_filled(chrome, path, url)
        _requests_stay_under_the_prefix(chrome, proxied.base, url)
        assert csp_problems(chrome) == [], url
    # Navigation by the nav stays under the prefix (the links carry it).
    chrome.get(proxied.base + PREFIX)
    wait_filled(chrome, "/")
    chrome.find_element(By.CSS_SELECTOR, f'#mc-nav a[href="{PREFIX}quotas"]').click()
    wait_filled(chrome, "/quotas")
    assert chrome.execute_script("return location.pathname") == PREFIX + "quotas"
    _requests_stay_under_the_prefix(chrome, proxied.base, "after navigating")


def test_a_websocket_connects_through_the_proxy(demo, tmp_path, chrome):
    proxy = _proxy(tmp_path, demo, strip_prefix=False)
    try:
        chrome.get(proxy.base + PREFIX)
        wait_filled(chrome, "/")
        chrome.set_script_timeout(20)
        first = chrome.execute_async_script(FIRST_WEBSOCKET_FRAMES)
        assert first["url"] == proxy.base.replace("http", "ws") + PREFIX + "ws/mission-control"
        assert "error" not in first, first
        hello, document = (json.loads(f) for f in first["frames"])
        # The contract's greeting, then the whole document, through nginx as they are sent.
        assert hello["type"] == "connection_established", hello
        assert "crawler_mission_status" in document and "satellite_fleet_status" in document
        assert csp_problems(chrome) == []
    finally:
        proxy.stop()

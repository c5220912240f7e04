"""The wall in a real Chromium against a real app process (`python app.py`: the embedded demo
with its simulated fleet, in a directory of the test's own, on a free port).

The browser, not the server, decides whether the data is live: a paused server (SIGSTOP) turns
the header DELAYED, then STALE, then lays "DATA FROZEN SINCE …" over the screen, and it is LIVE
again when the server resumes, without a reload. The first paint states the age of the data it
paints. A kiosk rotates through the pages it is given, in order, keeping its query, and reloads
itself once a restarted server answers again.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from pages.mission.ids import MissionIds as Main
from pages.shell.ids import ShellIds as Shell
from tests.app_process import REFRESH_S, AppProcess
from tests.app_process import free_port as _free_port
from tests.browser import read, wait_for, wait_text, wait_text_where

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
# MC_WALL_FROZEN_AFTER's default; the watermark comes after that many intervals + 1 s of grace.
FROZEN_AFTER = 10
WATERMARK_WITHIN_S = FROZEN_AFTER * REFRESH_S + 1 + 10  # + margin for a busy machine


@pytest.fixture(scope="module")
def wall_app(tmp_path_factory):
    # Health checks every second: a check that hangs while the server is paused must not count
    # as a failure (it would reload the page), and there are a dozen chances to get that wrong.
    app = AppProcess(tmp_path_factory.mktemp("wall"), _free_port(), MC_WALL_ROTATE_MIN="1", MC_WALL_HEALTH_EVERY="1")
    try:
        app.start()
        app.wait_ready()
        yield app
    finally:
        app.stop()


# Records each state the LIVE indicator shows (once per change) from the moment it is installed.
STATE_RECORDER = """
window.__marker = "not reloaded";
window.__states = [];
setInterval(function () {
  const el = document.getElementById("mc-live-text");
  const s = el ? el.textContent : null;
  if (s && window.__states[window.__states.length - 1] !== s) { window.__states.push(s); }
}, 100);
"""


def test_paused_server_is_shown_frozen_then_live_again_without_a_reload(wall_app, chrome):
    chrome.get(wall_app.base + "/?kiosk=1")
    wait_text(chrome, Shell.LIVE_TEXT, "LIVE", timeout=30)
    chrome.execute_script(STATE_RECORDER)
    wall_app.signal(signal.SIGSTOP)
    try:
        frozen = wait_text_where(
            chrome,
            Shell.WATERMARK_TEXT,
            lambda t: t.startswith("DATA FROZEN SINCE "),
            timeout=WATERMARK_WITHIN_S,
            what="the frozen watermark",
        )
        assert re.fullmatch(r"DATA FROZEN SINCE \d{1,2}:\d{2}:\d{2}( [AP]M)?", frozen), frozen
        assert read(chrome, lambda d: d.find_element(By.ID, Shell.WATERMARK).is_displayed())
        assert read(chrome, lambda d: d.find_element(By.ID, Shell.LIVE_TEXT).text) == "STALE"
        # The clock is the browser's: it keeps going while the server is stopped.
        clock = read(chrome, lambda d: d.find_element(By.ID, Shell.CLOCK).text)
        wait_text_where(chrome, Shell.CLOCK, lambda t: t != clock, timeout=5, what="ticking")
    finally:
        wall_app.signal(signal.SIGCONT)
    wait_text(chrome, Shell.LIVE_TEXT, "LIVE", timeout=30)
    wait_for(
        chrome,
        lambda d: d.find_element(By.ID, Shell.WATERMARK).is_displayed(),
        lambda shown: not shown,
        message="the watermark gone",
    )
    assert chrome.execute_script("return window.__marker") == "not reloaded"
    # Amber, then red, then green again (a busy machine may add a blip of DELAYED before the pause).
    states = chrome.execute_script("return window.__states")
    assert states[-1] == "LIVE" and _in_order(["DELAYED", "STALE", "LIVE"], states), states


def _in_order(wanted: list[str], seen: list[str]) -> bool:
    rest = iter(seen)
    return all(w in rest for w in wanted)


# Installed before any page script: the LIVE indicator's text and age as first rendered.
FIRST_HEADER_RECORDER = """
window.__firstHeader = null;
new MutationObserver(function (_m, observer) {
  const live = document.getElementById("mc-live-text"), age = document.getElementById("mc-age");
  if (live && age && window.__firstHeader === null) {
    window.__firstHeader = {live: live.textContent, age: age.textContent};
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def test_first_paint_states_the_age_of_the_data_it_paints(wall_app, chrome):
    chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FIRST_HEADER_RECORDER})
    # No server callback ever answers: what the page shows is its first paint and its own clock.
    chrome.execute_cdp_cmd("Network.enable", {})
    chrome.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*_dash-update-component*"]})
    chrome.get(wall_app.base + "/")
    first = wait_for(chrome, lambda d: d.execute_script("return window.__firstHeader"), message="the first header")
    assert first["live"] == "LIVE", first
    assert re.fullmatch(r"[0-2] s", first["age"]), first
    wait_text_where(chrome, Main.KPI_FLEET, lambda t: re.fullmatch(r"\d+/\d+", t) is not None, what="painted")
    # With no answer from the server, the browser's clock ages the painted data on its own.
    wait_text_where(chrome, Shell.LIVE_TEXT, lambda t: t in ("DELAYED", "STALE"), timeout=15, what="ageing")


# Each (path, query, page shown) the kiosk passes through, once per change of path.
VISIT_RECORDER = """
window.__visits = [];
const markers = arguments[0];
setInterval(function () {
  const page = document.getElementById("mc-page");
  const text = page ? page.textContent : "";
  const shown = Object.keys(markers).filter((name) => text.indexOf(markers[name]) !== -1);
  const last = window.__visits[window.__visits.length - 1];
  if (!last || last.path !== location.pathname) {
    window.__visits.push({path: location.pathname, search: location.search, shown: []});
  }
  const current = window.__visits[window.__visits.length - 1];
  shown.forEach((name) => { if (current.shown.indexOf(name) === -1) { current.shown.push(name); } });
}, 100);
"""
MARKERS = {"mission": "ACTIVE MISSIONS", "discovery": "DISCOVERY RADAR", "quotas": "FREE-TIER USAGE"}


def test_kiosk_rotation_visits_the_listed_pages_in_order(wall_app, chrome):
    # Not the nav's order, so the order followed is the list's. every=3 is below the production
    # floor (10 s); the app runs with MC_WALL_ROTATE_MIN=1.
    query = "?kiosk=1&rotate=mission,quotas,discovery&every=3"
    chrome.get(wall_app.base + "/" + query)
    wait_text(chrome, Shell.LIVE_TEXT, "LIVE", timeout=30)
    chrome.execute_script(VISIT_RECORDER, MARKERS)
    visits = wait_for(
        chrome,
        lambda d: d.execute_script("return window.__visits"),
        lambda v: len(v) >= 5,
        timeout=40,
        message="four page changes",
    )
    # The list's order, looping; on a busy machine the first switch may come before the
    # recorder is installed, so the recorded visits may start at any page of the loop.
    cycle = [("/", "mission"), ("/quotas", "quotas"), ("/discovery", "discovery")]
    first = [path for path, _ in cycle].index(visits[0]["path"])
    expected = [cycle[(first + i) % len(cycle)] for i in range(5)]
    assert [v["path"] for v in visits[:5]] == [path for path, _ in expected]
    assert {v["search"] for v in visits} == {query}
    # Each page was shown while its path was up (the previous one may linger while it loads).
    for visit, (_, name) in zip(visits[:4], expected[:4], strict=True):
        assert name in visit["shown"], visits
    # The kiosk plans its daily reload between 1 and 25.5 hours from now.
    ahead_h = chrome.execute_script("return (window.mcWall.dailyReloadAt - Date.now()) / 3600000")
    assert 1 <= ahead_h <= 25.5


def test_kiosk_reloads_itself_once_a_restarted_server_answers(tmp_path, chrome):
    app = AppProcess(tmp_path, _free_port(), MC_WALL_HEALTH_EVERY="1")
    try:
        app.start()
        app.wait_ready()
        chrome.get(app.base + "/?kiosk=1")
        wait_text(chrome, Shell.LIVE_TEXT, "LIVE", timeout=30)
        chrome.execute_script("window.__marker = 'not reloaded'")
        app.stop()
        # Refused connections count; the page is not reloaded into a server that is down.
        wait_for(
            chrome,
            lambda d: d.execute_script("return window.mcWall.failures"),
            lambda n: n >= 3,
            timeout=20,
            message="three failed health checks",
        )
        assert chrome.execute_script("return window.__marker") == "not reloaded"
        app.start()
        app.wait_ready()
        wait_for(
            chrome,
            lambda d: d.execute_script("return window.__marker === undefined && !!window.mcWall"),
            timeout=20,
            message="the page reloaded",
        )
        wait_text(chrome, Shell.LIVE_TEXT, "LIVE", timeout=30)
        assert chrome.current_url == app.base + "/?kiosk=1"
    finally:
        app.stop()


def test_a_bare_link_keeps_the_display_mode(wall_app, chrome):
    """A navigation to a bare path (what a nav link or tab does) gets the mode query back."""
    chrome.get(wall_app.base + "/?embed=1")
    wait_text(chrome, Shell.LIVE_TEXT, "LIVE", timeout=30)
    chrome.execute_script(
        "history.pushState({}, '', '/quotas'); window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'))"
    )
    wait_text_where(chrome, Shell.PAGE, lambda t: MARKERS["quotas"] in t, what="the quota page")
    wait_for(
        chrome,
        lambda d: d.execute_script("return location.pathname + location.search"),
        lambda u: u == "/quotas?embed=1",
    )
    assert "embed" in read(chrome, lambda d: d.find_element(By.ID, Shell.ROOT).get_attribute("class"))

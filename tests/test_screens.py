"""Layouts per screen class in a real Chromium, with hostile long strings in storage (issue 12).

- Kiosk (`?kiosk=1`) at 3840×2160 and 1920×1080: the main screen's document is no taller and no
  wider than the viewport, every `.panel` lies inside it, and no text renders under the
  wall's floor (12 px × --mc-scale).
- 2560×1440, 1920×1080, 1366×768 and 390×844, every page: no horizontal scroll and no two
  `.panel` boxes overlapping (an intersection over 1 px² fails).

The world is the other page tests' (tests/dataset.py, tests/analytics_data.py) plus the hostile
rows of tests/test_hostile_pages.py (5,000-character URLs, job ids and satellite ids, HTML,
bidi, binary junk) and unbroken 300-character domains, on SQLite and an in-process Redis: built
once per test process, so the module stays fast. Sizes are compared with what the page itself
reports (innerWidth / innerHeight), since a headless window's outer size may include chrome.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import timedelta

import pytest

from analytics.settings import AnalyticsSettings
from pages import PAGES
from tests import analytics_data as ad
from tests import dataset
from tests import lp_rows as lp
from tests.browser import wait_for
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW
from tests.test_hostile_pages import load_hostile

pytestmark = pytest.mark.browser

S = timedelta(seconds=1)
# Unbroken: no dot, dash or space a browser could break a line at.
LONG_LABEL = "w" * 300
LONG_DOMAIN = LONG_LABEL + ".example"
LONG_URL = f"https://{LONG_DOMAIN}/" + "p" * (5000 - len(LONG_DOMAIN) - 9)
DESKTOP_SIZES = [(2560, 1440), (1920, 1080), (1366, 768), (390, 844)]
WALL_SIZES = [(3840, 2160), (1920, 1080)]
PATHS = [p.path for p in PAGES]

# One script per check, so no element reference outlives a redraw.
GEOMETRY_JS = """
const d = document.documentElement;
const panels = [...document.querySelectorAll('.panel')]
  .map(p => p.getBoundingClientRect())
  .filter(r => r.width > 0 && r.height > 0)
  .map(r => [r.left, r.top, r.right, r.bottom]);
const graphs = [...document.querySelectorAll('.js-plotly-plot')];
const floor = parseFloat(arguments[0]);
let small = [];
if (floor > 0) {
  const root = document.getElementById('mc-root');
  const scale = root ? parseFloat(getComputedStyle(root).getPropertyValue('--mc-scale')) || 1 : 1;
  for (const el of document.querySelectorAll('#mc-root *')) {
    if (el.closest('svg') || !el.getClientRects().length) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (own && size < floor * scale - 0.01) small.push(el.className + ' ' + size + 'px');
  }
  // Text drawn by CSS: the rings' and meters' numbers, the meters' and cards' labels.
  const drawn = document.querySelectorAll('#mc-root :is(.ring, .meter, .mission-eta, .mission-sat, .sat-beat)');
  for (const el of drawn) {
    if (!el.getClientRects().length) continue;
    for (const pseudo of ['::before', '::after']) {
      const style = getComputedStyle(el, pseudo);
      if (style.content === 'none' || style.content === '""' || style.content === 'normal') continue;
      const size = parseFloat(style.fontSize);
      if (size < floor * scale - 0.01) small.push(el.className + pseudo + ' ' + size + 'px');
    }
  }
}
return {
  w: innerWidth, h: innerHeight, sw: d.scrollWidth, sh: d.scrollHeight, bodyW: document.body.scrollWidth,
  panels: panels, graphs: graphs.length, drawn: graphs.filter(g => g.querySelector('.main-svg')).length,
  kiosk: !!document.querySelector('#mc-root.kiosk'), small: small.slice(0, 10),
};
"""


def _long_rows(svc) -> None:
    """Unbroken long domains and URLs where the pages show crawled text (beside load_hostile's)."""
    lp.insert(svc, "domains", [lp.domain(svc, LONG_DOMAIN, 75.0, is_registered=False)])
    lp.insert(
        svc,
        "backlinks",
        [lp.backlink(svc, LONG_DOMAIN, ad.MINE, NOW - 4 * S, authority=88.0, anchor=LONG_LABEL, n=700)],
    )
    lp.insert(
        svc,
        "crawl_jobs",
        [lp.job("in_progress", started=NOW - 30 * S, progress=60.0, urls=4, target=LONG_URL, job_type=LONG_LABEL)],
    )
    lp.heartbeat(svc, "sat-" + LONG_LABEL, NOW - 1 * S)


@pytest.fixture(scope="module")
def screens_app():
    """The app over the hostile world, ticked once, served on loopback for the module."""
    from werkzeug.serving import make_server

    watch = AnalyticsSettings(tracked_domains=(ad.MINE,), competitor_domains=(ad.RIVAL,))
    with tempfile.TemporaryDirectory(prefix="mc-screens-") as tmp:
        svc = build_services(
            f"sqlite:///{tmp}/lp.db",
            f"memory://{uuid.uuid4().hex}",
            refresh_rate_ms=1000,
            analytics=watch,
            api_keys={"serpstack": "sk-test-0001"},
        )
        dataset.load(svc)
        ad.load(svc)
        load_hostile(svc)
        _long_rows(svc)
        try:
            with ticked_app(svc, NOW) as (app, _ctx, _loop):
                import threading

                server = make_server("127.0.0.1", 0, app.server, threaded=True)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                try:
                    yield f"http://127.0.0.1:{server.server_port}"
                finally:
                    server.shutdown()
        finally:
            svc.dispose()


def _size(chrome, width: int, height: int) -> None:
    """Make the page's viewport width × height: set the window, then correct by what the page
    reports (a headless window's outer size may include chrome)."""
    chrome.set_window_size(width, height)
    inner = chrome.execute_script("return [innerWidth, innerHeight]")
    if inner != [width, height]:
        chrome.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def _geometry(chrome, url: str, floor: float = 0) -> dict:
    """Open `url` and read its layout once the panels are there and every graph has drawn and
    the layout has stopped moving (two equal reads in a row)."""
    chrome.get(url)
    last: list = [None]

    def settled(g: dict) -> bool:
        ready = bool(g["panels"]) and g["graphs"] == g["drawn"]
        shape = (g["sw"], g["sh"], [[round(v) for v in p] for p in g["panels"]])
        same, last[0] = shape == last[0], shape
        return ready and same

    return wait_for(chrome, lambda d: d.execute_script(GEOMETRY_JS, floor), settled, 20, f"{url} laid out")


def _overlaps(panels: list[list[float]]) -> list[tuple[int, int, float]]:
    found = []
    for i, a in enumerate(panels):
        for j in range(i + 1, len(panels)):
            b = panels[j]
            area = max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
            if area > 1:
                found.append((i, j, round(area)))
    return found


@pytest.mark.parametrize("width,height", WALL_SIZES, ids=[f"{w}x{h}" for w, h in WALL_SIZES])
def test_kiosk_main_screen_fits_the_wall(screens_app, chrome, width, height):
    _size(chrome, width, height)
    g = _geometry(chrome, screens_app + "/?kiosk=1", floor=12)
    assert g["kiosk"]
    assert (g["w"], g["h"]) == (width, height)
    assert g["sh"] <= g["h"] and g["sw"] <= g["w"], g
    assert len(g["panels"]) == 7, g["panels"]  # discovery, quotas, timeline, board, fleet, queue, errors
    outside = [p for p in g["panels"] if p[0] < -0.5 or p[1] < -0.5 or p[2] > g["w"] + 0.5 or p[3] > g["h"] + 0.5]
    assert outside == [], outside
    assert _overlaps(g["panels"]) == []
    assert g["small"] == [], f"text under the wall's floor: {g['small']}"
    # Nothing to hover or select: the graphs take no pointer, no text can be selected.
    inert = chrome.execute_script(
        "const g = document.querySelector('.mc-graph'), p = document.querySelector('.panel');"
        "return [getComputedStyle(g).pointerEvents, getComputedStyle(p).userSelect, getComputedStyle(p).cursor,"
        " getComputedStyle(document.getElementById('mc-nav')).display]"
    )
    assert inert == ["none", "none", "none", "none"]


@pytest.mark.parametrize("width,height", DESKTOP_SIZES, ids=[f"{w}x{h}" for w, h in DESKTOP_SIZES])
def test_every_page_fits_sideways_and_no_panel_overlaps(screens_app, chrome, width, height):
    _size(chrome, width, height)
    problems = {}
    for path in PATHS:
        g = _geometry(chrome, screens_app + path)
        assert (g["w"], g["h"]) == (width, height)
        wide = g["sw"] > g["w"] or g["bodyW"] > g["w"]
        overlapping = _overlaps(g["panels"])
        if wide or overlapping:
            problems[path] = {"scrollWidth": g["sw"], "body": g["bodyW"], "overlaps": overlapping}
    assert problems == {}, f"at {width}×{height}: {problems}"
    if width <= 600:  # phones: the tab bar is there, the header's nav is not
        shown = chrome.execute_script(
            "return [getComputedStyle(document.getElementById('mc-tabbar')).position,"
            " getComputedStyle(document.getElementById('mc-nav')).display,"
            " document.querySelectorAll('#mc-tabbar a').length]"
        )
        assert shown == ["fixed", "none", len(PATHS)]

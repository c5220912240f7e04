"""Arranged panels in a real Chromium (issue 12, ui/arrange.py): a panel dragged by its title
and one resized by its corner keep their boxes after a reload; "reset layout" brings back the
default boxes (and a reload keeps them); the wall and phones have no drag or resize handles.

Gestures are Selenium pointer actions on the real handles (the panel head, react-resizable's
corner), so the test passes only when react-grid-layout itself moves the panels.
"""

from __future__ import annotations

import tempfile
import uuid

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from pages.discovery.ids import DiscoveryIds
from pages.domains.ids import DomainIds
from pages.mission.ids import MissionIds
from pages.performance.ids import PerformanceIds
from tests import dataset
from tests.browser import act, wait_for
from tests.conftest import browser_errors, build_services, ticked_app
from tests.dataset import NOW

pytestmark = pytest.mark.browser

TOLERANCE_PX = 3
# (path, grid, store, reset, the panel dragged, the panel resized)
PAGES = [
    (
        "/",
        MissionIds.GRID,
        MissionIds.ARRANGED,
        MissionIds.RESET_LAYOUT,
        MissionIds.PANEL_QUEUE,
        MissionIds.PANEL_BOARD,
    ),
    (
        "/discovery",
        DiscoveryIds.GRID,
        DiscoveryIds.ARRANGED,
        DiscoveryIds.RESET_LAYOUT,
        DiscoveryIds.PANEL_ANCHORS,
        DiscoveryIds.PANEL_RADAR,
    ),
    (
        "/domains",
        DomainIds.GRID,
        DomainIds.ARRANGED,
        DomainIds.RESET_LAYOUT,
        DomainIds.PANEL_GAP,
        DomainIds.PANEL_HUNTER,
    ),
    (
        "/performance",
        PerformanceIds.GRID,
        PerformanceIds.ARRANGED,
        PerformanceIds.RESET_LAYOUT,
        PerformanceIds.PANEL_SUMMARY,
        PerformanceIds.PANEL_LEADERBOARD,
    ),
]

BOXES_JS = """
// The grid's own element carries no id (react-grid-layout draws it): found from a panel's.
const panel = document.getElementById(arguments[0]);
const grid = panel && panel.closest('.react-grid-layout');
if (!grid) return null;
const out = {};
for (const item of grid.querySelectorAll(':scope > .react-grid-item')) {
  const p = item.querySelector(':scope > .panel');
  const r = p.getBoundingClientRect();
  out[p.id] = [Math.round(r.left + scrollX), Math.round(r.top + scrollY), Math.round(r.width), Math.round(r.height)];
}
return out;
"""


@pytest.fixture(scope="module")
def arranged_app():
    """The page tests' world on SQLite and an in-process Redis, built once for the module."""
    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(f"sqlite:///{tmp}/lp.db", f"memory://{uuid.uuid4().hex}")
        dataset.load(services)
        with ticked_app(services, NOW) as (app, _ctx, _loop):
            yield app
        services.dispose()


def _viewport(chrome, width: int, height: int, mobile: bool = False) -> None:
    chrome.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def _boxes(chrome, grid_id: str) -> dict:
    """Each arranged panel's box in page coordinates, once the grid is drawn and has been still
    for half a second (react-grid-layout animates a drop and the compaction after it)."""
    seen: list = []

    def settled(d):
        seen.append(d.execute_script(BOXES_JS, grid_id))
        recent = seen[-6:]
        return recent[-1] if len(recent) == 6 and recent[-1] and all(b == recent[-1] for b in recent) else None

    return wait_for(chrome, settled, lambda b: b is not None, message=f"{grid_id} drawn and still")


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        abs(x - y) <= TOLERANCE_PX for key in a for x, y in zip(a[key], b[key], strict=True)
    )


def _wait_boxes(chrome, grid_id: str, expected: dict, what: str) -> None:
    wait_for(
        chrome,
        lambda d: d.execute_script(BOXES_JS, grid_id),
        lambda b: bool(b) and _same(b, expected),
        message=f"{what} (expected {expected})",
    )


def _gesture(chrome, handle, dx: int, dy: int) -> None:
    """Press on `handle`, move in steps (react-draggable needs moves), release."""
    chrome.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", handle)
    chain = ActionChains(chrome, duration=50).click_and_hold(handle)
    steps = 8
    for _ in range(steps):
        chain.move_by_offset(dx // steps, dy // steps)
    chain.pause(0.2).release().perform()


@pytest.mark.parametrize("path, grid, store, reset, dragged, resized", PAGES, ids=[p[0] for p in PAGES])
def test_moved_and_resized_panels_keep_their_place_and_reset(
    arranged_app, chrome, serve, path, grid, store, reset, dragged, resized
):
    base = serve(arranged_app)
    # A desktop width; tall enough that every panel and every gesture stays in the viewport.
    _viewport(chrome, 1920, 2800)
    chrome.get(base + path)
    chrome.execute_script("localStorage.clear()")
    chrome.get(base + path)
    grid = dragged  # the grid is found from one of its panels
    default = _boxes(chrome, grid)
    assert len(default) >= 6

    # Drag a panel by its title to the top left corner of the grid.
    head = chrome.find_element(By.CSS_SELECTOR, f"#{dragged} > .panel-head")
    top_left = min(default.values(), key=lambda b: (b[1], b[0]))
    here = default[dragged]
    _gesture(chrome, head, top_left[0] - here[0] + 40, top_left[1] - here[1] + 10)
    moved = _boxes(chrome, grid)
    assert moved[dragged][:2] != here[:2], "the dragged panel did not move"
    assert abs(moved[dragged][1] - top_left[1]) <= TOLERANCE_PX, "the dragged panel is not on the top row"

    # Resize another by its corner: narrower and taller.
    corner = chrome.find_element(By.XPATH, f"//*[@id='{resized}']/../span[contains(@class, 'react-resizable-handle')]")
    _gesture(chrome, corner, -260, 160)
    arranged = _boxes(chrome, grid)
    before = moved[resized]
    assert arranged[resized][2] < before[2] - 100 and arranged[resized][3] > before[3] + 80, (before, arranged[resized])

    # Kept in this browser: a reload draws the same boxes.
    wait_for(chrome, lambda d: d.execute_script(f"return localStorage.getItem('{store}')"), bool, message="saved")
    chrome.refresh()
    _wait_boxes(chrome, grid, arranged, "the arrangement after a reload")

    # Reset: the default boxes, and a reload keeps the default.
    act(chrome, lambda d: d.find_element(By.ID, reset).click())
    _wait_boxes(chrome, grid, default, "the default after reset")
    chrome.refresh()
    _boxes(chrome, grid)
    _wait_boxes(chrome, grid, default, "the default after reset and a reload")
    assert browser_errors(chrome) == []


@pytest.mark.parametrize(
    "query, size, mobile", [("?kiosk=1", (1920, 1080), False), ("", (390, 844), True)], ids=["kiosk", "phone"]
)
def test_fixed_layouts_have_no_handles(arranged_app, chrome, serve, query, size, mobile):
    base = serve(arranged_app)
    _viewport(chrome, *size, mobile=mobile)
    chrome.get(base + "/" + query)
    # A saved arrangement from a desktop visit changes nothing here.
    chrome.execute_script(
        f"localStorage.setItem('{MissionIds.ARRANGED}', JSON.stringify({{v: 1, layout: "
        f"[{{i: '{MissionIds.PANEL_QUEUE}', x: 0, y: 0, w: 3, h: 30}}]}}))"
    )
    chrome.refresh()
    wait_for(
        chrome,
        lambda d: d.execute_script(
            f"const p = document.getElementById('{MissionIds.PANEL_QUEUE}');"
            "return p && p.closest('.react-grid-layout').querySelectorAll('.react-grid-item').length"
        ),
        lambda n: n == 7,
        message="the main screen's panels",
    )
    state = wait_for(
        chrome,
        lambda d: d.execute_script(
            "return {draggable: document.querySelectorAll('.react-grid-item.react-draggable').length,"
            " handles: [...document.querySelectorAll('.react-resizable-handle')].filter(h => h.offsetParent).length,"
            " bar: [...document.querySelectorAll('.mc-arrange-bar')].filter(b => b.offsetParent).length,"
            " sw: document.documentElement.scrollWidth, w: innerWidth}"
        ),
        lambda s: s["draggable"] == 0 and s["handles"] == 0,
        message="a static grid",
    )
    assert state["bar"] == 0 and state["sw"] <= state["w"]
    # The saved arrangement moved nothing: the wall keeps its grid areas (the queue at the right
    # of the discovery panel's row), a phone the drawn order (the queue below discovery).
    queue, discovery = (
        chrome.execute_script(
            f"const r = document.getElementById('{i}').getBoundingClientRect(); return [r.left, r.top]"
        )
        for i in (MissionIds.PANEL_QUEUE, MissionIds.PANEL_DISCOVERY)
    )
    if query:
        assert abs(queue[1] - discovery[1]) <= TOLERANCE_PX and queue[0] > discovery[0] + 100
    else:
        assert queue[1] > discovery[1] + 100

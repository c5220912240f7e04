"""The iframe contract in Chromium: a parent page on another origin (http://localhost:<port>, the
app being on http://127.0.0.1:<port>) embeds the dashboard with `?embed=1`.

- The iframe is as tall as its content: the page posts {"type": "mc:height"} to its parent, whose
  listener sets the iframe's height; it grows and shrinks as pages change, and the content fits
  the frame exactly (nothing to scroll inside it).
- The parent changes the page and the time window by postMessage; values the page does not
  offer and messages from another frame are ignored.
- A parent on an origin MC_FRAME_ANCESTORS does not list is refused by the browser itself
  (frame-ancestors): the frame has none of the app, and nothing is posted to that parent.
"""

from __future__ import annotations

import functools
import threading
import uuid
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from selenium.webdriver.common.by import By

from analytics.settings import AnalyticsSettings
from pages.discovery.ids import DiscoveryIds as Disc
from pages.shell.ids import ShellIds as Shell
from tests import analytics_data as ad
from tests.browser import wait_cells, wait_for, wait_text_where
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW

pytestmark = pytest.mark.browser

PARENT = """<!doctype html>
<html><head><meta charset="utf-8"><title>Link Profiler</title></head>
<body style="margin:0">
<h1 style="margin:0;height:40px">Link Profiler</h1>
<iframe id="mc" src="{app}/discovery?embed=1" style="display:block;width:100%;height:150px;border:0"></iframe>
<iframe id="rogue" src="{rogue}" style="width:10px;height:10px;border:0"></iframe>
<script>
  const APP = "{app}";
  window.__heights = [];
  window.addEventListener("message", function (e) {{
    if (e.origin !== APP || !e.data || e.data.type !== "mc:height") {{ return; }}
    window.__heights.push(e.data.height);
    document.getElementById("mc").style.height = e.data.height + "px";
  }});
  window.send = function (m) {{ document.getElementById("mc").contentWindow.postMessage(m, APP); }};
  // Another site's frame on the same parent page tries to drive the dashboard.
  window.rogue = function (m) {{ document.getElementById("rogue").contentWindow.postMessage(m, "*"); }};
</script>
</body></html>
"""
ROGUE = """<!doctype html><script>
window.addEventListener("message", function (e) {
  window.parent.frames[0].postMessage(e.data, "*");
});
</script>
"""


class Site:
    """A tiny static site on 127.0.0.1 (addressed as http://localhost:<port>: another origin
    than the app's http://127.0.0.1:<port>)."""

    def __init__(self, folder):
        self.folder = folder
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://localhost:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def page(self, name: str, html: str) -> str:
        (self.folder / name).write_text(html, encoding="utf-8")
        return f"{self.origin}/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def sites(tmp_path):
    made = []

    def make(name: str) -> Site:
        folder = tmp_path / name
        folder.mkdir()
        made.append(Site(folder))
        return made[-1]

    yield make
    for site in made:
        site.close()


@pytest.fixture
def embedded(tmp_path, sites, serve):
    """(app base URL, the allowed parent site, another site) with the discovery world loaded."""
    parent, other = sites("parent"), sites("other")
    watch = AnalyticsSettings(tracked_domains=(ad.MINE,), competitor_domains=(ad.RIVAL,))
    services = build_services(
        f"sqlite:///{tmp_path / 'lp.db'}",
        f"memory://{uuid.uuid4().hex}",
        analytics=watch,
        frame_ancestors=("'self'", parent.origin),
    )
    ad.load(services)
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        yield serve(app), parent, other
    services.dispose()


def heights(driver) -> list[int]:
    return driver.execute_script("return window.__heights")


def frame_height(driver) -> int:
    return driver.execute_script("return document.getElementById('mc').getBoundingClientRect().height")


def inside(driver, script: str, *args):
    """Run `script` in the dashboard's frame; back to the parent afterwards."""
    driver.switch_to.frame("mc")
    try:
        return driver.execute_script(script, *args)
    finally:
        driver.switch_to.default_content()


def settled_height(driver, differs_from: int | None = None) -> int:
    """The iframe's height once it equals the last height the page posted (and, when given,
    differs from `differs_from`)."""

    def read(d):
        posted = heights(d)
        return (posted[-1] if posted else None), round(frame_height(d))

    _posted, shown = wait_for(
        driver,
        read,
        lambda v: v[0] is not None and v[0] == v[1] and v[0] != differs_from,
        timeout=20,
        message="the iframe sized to the posted height",
    )
    return shown


def test_the_iframe_follows_the_content_and_obeys_its_parent(embedded, chrome):
    app, parent, other = embedded
    rogue = other.page("rogue.html", ROGUE)
    chrome.get(parent.page("index.html", PARENT.format(app=app, rogue=rogue)))
    chrome.switch_to.frame("mc")
    board = wait_cells(chrome, Disc.BOARD, lambda rows: len(rows) == 2, 20)
    chrome.switch_to.default_content()
    # 30 days (the default): 5 new links to mine.
    assert {row[0]: row[2] for row in board}[ad.MINE] == "5"

    # Taller than the 150 px it started at; the content fits the frame: nothing scrolls inside.
    first = settled_height(chrome)
    assert first > 600
    wait_for(
        chrome,
        lambda d: inside(
            d,
            "return [Math.ceil(document.getElementById('react-entry-point').getBoundingClientRect().bottom),"
            " window.innerHeight]",
        ),
        lambda v: abs(v[0] - v[1]) <= 1,
        message="the content filling the frame exactly",
    )

    # The parent changes the page: the frame takes the new page's height.
    chrome.execute_script("window.send({type: 'mc:page', page: 'alerts'})")
    wait_for(
        chrome,
        lambda d: inside(d, "return location.pathname + location.search"),
        lambda u: u == "/alerts?embed=1",
        message="the alerts page",
    )
    second = settled_height(chrome, differs_from=first)
    assert second != first
    # Back to discovery and, at once, its window: the window waits for the page's control to
    # appear, then the page shows 7 days and its board counts 7 days (4 new links).
    chrome.execute_script(
        "window.send({type: 'mc:page', page: 'discovery'}); window.send({type: 'mc:window', days: 7})"
    )
    settled_height(chrome, differs_from=second)
    chrome.switch_to.frame("mc")
    try:
        wait_for(
            chrome,
            lambda d: d.find_element(By.CSS_SELECTOR, f"#{Disc.WINDOW} input:checked").get_attribute("value"),
            lambda v: v == "7",
            message="7 days checked",
        )
        board = wait_cells(chrome, Disc.BOARD, lambda rows: {r[0]: r[2] for r in rows}.get(ad.MINE) == "4", 20)
        # Every target domain: the finds include the rival's link (its hostile anchor).
        wait_text_where(chrome, Disc.FINDS, lambda t: ad.HOSTILE_ANCHOR in t, what="the rival's find")
    finally:
        chrome.switch_to.default_content()
    assert inside(chrome, "return window.mcEmbed.deferred") == 1  # it did wait for the page

    # The target domain, by message: the finds are mine only; null is every domain again.
    chrome.execute_script("window.send(arguments[0])", {"type": "mc:domain", "domain": ad.MINE})
    chrome.switch_to.frame("mc")
    try:
        wait_text_where(chrome, Disc.DOMAIN, lambda t: t == ad.MINE, what="showing the domain")
        wait_text_where(chrome, Disc.FINDS, lambda t: ad.HOSTILE_ANCHOR not in t, what="without the rival's find")
        chrome.switch_to.default_content()
        chrome.execute_script("window.send({type: 'mc:domain', domain: null})")
        chrome.switch_to.frame("mc")
        wait_text_where(chrome, Disc.FINDS, lambda t: ad.HOSTILE_ANCHOR in t, what="every domain again")
    finally:
        chrome.switch_to.default_content()

    # Refused: a window the page does not offer, an unknown page, and another frame's message.
    chrome.execute_script("window.send({type: 'mc:window', days: 5}); window.send({type: 'mc:page', page: '../x'})")
    chrome.execute_script("window.send({type: 'mc:domain', domain: 'nowhere.example'})")
    chrome.execute_script("window.rogue({type: 'mc:window', days: 90})")
    ignored = wait_for(
        chrome,
        lambda d: inside(d, "return window.mcEmbed.ignored"),
        lambda v: len(v) >= 4,
        message="four ignored messages",
    )
    assert any('domain "nowhere.example" is not offered' in i for i in ignored), ignored
    assert any("window 5 is not offered" in i for i in ignored), ignored
    assert any("unknown page" in i for i in ignored), ignored
    assert any("another window" in i for i in ignored), ignored
    assert inside(chrome, f"return document.querySelector('#{Disc.WINDOW} input:checked').value") == "7"
    # Only the embedding page's origin was ever posted to.
    assert inside(chrome, "return window.mcEmbed.parent") == parent.origin


def test_a_parent_not_allowed_is_refused_by_the_browser(embedded, chrome):
    app, _parent, other = embedded
    chrome.get(other.page("index.html", PARENT.format(app=app, rogue="about:blank")))
    wait_for(
        chrome,
        lambda d: [e["message"] for e in d.get_log("browser") if "frame-ancestors" in e["message"]],
        message="the console reporting frame-ancestors",
    )
    chrome.switch_to.frame("mc")
    try:
        assert chrome.execute_script(f"return document.getElementById('{Shell.ROOT}')") is None
        assert not chrome.execute_script("return document.getElementById('react-entry-point')")
    finally:
        chrome.switch_to.default_content()
    assert heights(chrome) == []


def test_top_level_embed_mode_posts_nothing(embedded, chrome):
    """`?embed=1` opened as a page of its own has no parent to talk to."""
    app, _parent, _other = embedded
    chrome.get(app + "/discovery?embed=1")
    wait_text_where(chrome, Shell.PAGE, lambda t: "DISCOVERY RADAR" in t, what="filled")
    assert chrome.execute_script("return window.mcEmbed === undefined")
    assert "embed" in chrome.find_element(By.ID, Shell.ROOT).get_attribute("class")

"""Bytes per viewer per tick, counted on the real callback answers (no browser).

A tick where a few values change (two jobs progress, links are found) costs a viewer of the
main screen, or of any page, under 2 KB on average, with 1 viewer and with 100: the answers are
the same for each (the update from one version to the next is computed once per process and
sent to all). What a viewer holds after the patches is exactly what a fresh page shows.
"""

from __future__ import annotations

import statistics
import threading
import uuid

import pytest
from sqlalchemy import text

from pages import PAGES
from pages.mission.ids import MissionIds as Main
from pages.shell.ids import ShellIds as Shell
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.dash_client import Viewer
from tests.dataset import NOW

BUDGET = 2048
TICKS = 6
# Pages whose key is the snapshot version alone.
BY_VERSION = ("/", "/alerts")


@pytest.fixture
def live(tmp_path):
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}")
    dataset.load(services)
    with ticked_app(services, NOW) as (app, ctx, loop):
        yield app, ctx, loop, services
    services.dispose()


def a_few_values_change(services, loop, step: int) -> int:
    """Two jobs progress and find links; the producer publishes; returns the new version."""
    with services.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE crawl_jobs SET progress_percentage = progress_percentage + 5, links_found = links_found + :n"
                " WHERE id IN (:a, :b)"
            ),
            {"n": 3 + step, "a": dataset.JOB_A, "b": dataset.JOB_B},
        )
    return loop.tick(now=NOW)


def page_answer(tab: Viewer) -> dict[str, int]:
    """Bytes of each answer of the last notice but the shell's."""
    return {output: size for output, size in tab.last.items() if str(Shell.BUILT_AT) not in output}


@pytest.mark.parametrize("viewers", [1, 100])
def test_a_tick_costs_each_viewer_of_every_page_under_2_kb(live, viewers):
    app, _ctx, loop, services = live
    client = app.server.test_client()
    tabs = {page.path: [Viewer(client, page.path) for _ in range(viewers)] for page in PAGES}
    assert all(tab.callbacks for page_tabs in tabs.values() for tab in page_tabs)
    sent: dict[str, list[int]] = {path: [] for path in tabs}
    for step in range(TICKS):
        version = a_few_values_change(services, loop, step)
        for path, page_tabs in tabs.items():
            sizes = [tab.notice(version) for tab in page_tabs]
            if path in BY_VERSION:
                # The page's answer is the same for every viewer (the shell's stamp carries
                # this server's clock, so its length may differ by a digit). Other pages' keys
                # hold the minute or the hour too, which may turn between two viewers.
                assert len({repr(page_answer(tab)) for tab in page_tabs}) == 1, path
            sent[path].append(max(sizes))
    for path, sizes in sent.items():
        assert statistics.fmean(sizes) < BUDGET, f"{path}: {sizes} bytes per tick"
    # The main screen did change, as a patch: the rings moved on every viewer's screen.
    assert min(sent["/"]) > 0
    fresh = Viewer(client, "/")
    for tab in tabs["/"]:
        assert tab.props[Main.BOARD]["children"] == fresh.props[Main.BOARD]["children"]
        assert tab.props[Main.TIMELINE]["figure"] == fresh.props[Main.TIMELINE]["figure"]


def test_the_update_to_a_new_version_is_rendered_and_diffed_once_for_every_viewer(live):
    app, ctx, loop, services = live
    client = app.server.test_client()
    tabs = [Viewer(client, "/") for _ in range(40)]
    cache = ctx.render_caches["mission"]
    version = a_few_values_change(services, loop, 0)
    rendered, diffed = cache.rendered, cache.diffed
    # Every viewer asks at once, as they do when the stream tells them all of the same version.
    start = threading.Barrier(len(tabs))
    sizes: list[int] = []

    def ask(tab):
        start.wait()
        sizes.append(tab.notice(version))

    threads = [threading.Thread(target=ask, args=(tab,)) for tab in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(sizes) == len(tabs) and len({repr(page_answer(tab)) for tab in tabs}) == 1 and min(sizes) > 0
    assert cache.rendered - rendered <= 1  # the background warmer may have rendered it first
    assert cache.diffed - diffed == 1

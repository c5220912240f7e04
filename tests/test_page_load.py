"""What a navigation fetches (ui/page_load.py): the index preloads the renderer's first two
requests, carries dcc's Graph chunk and the prime after dcc's bundle, and fingerprinted assets
are cached for good. The browser side (one request each, no graph placeholder) is in
tests/test_browser_main.py."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from tests.conftest import build_services, ticked_app
from ui.page_load import GRAPH_PRIME, IMMUTABLE

NOW = dt.datetime(2026, 3, 2, 12, 0, 0)


@pytest.fixture
def client(tmp_path):
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}")
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        yield app.server.test_client()
    services.dispose()


def _sources(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


def test_the_index_preloads_the_layout_and_the_callback_graph_before_any_stylesheet(client):
    html = client.get("/").get_data(as_text=True)
    head = html[: html.index("</head>")]
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous">', head)
    assert preloads == ["/_dash-layout", "/_dash-dependencies"]
    assert head.index('rel="preload"') < head.index('rel="stylesheet"')


def test_the_graph_chunk_and_its_prime_come_after_dccs_bundle_and_before_the_renderer_starts(client):
    html = client.get("/").get_data(as_text=True)
    sources = [s.split("?")[0] for s in _sources(html)]
    dcc_bundle = next(i for i, s in enumerate(sources) if re.search(r"/dcc/dash_core_components\.v\w+\.js$", s))
    chunk = next(i for i, s in enumerate(sources) if "/dcc/async-graph.v" in s)
    prime = sources.index(f"/assets/{GRAPH_PRIME}")
    assert dcc_bundle < chunk < prime
    # Once only: not also among the assets Dash loads ahead of the component bundles.
    assert sources.count(f"/assets/{GRAPH_PRIME}") == 1
    assert html.index(f"/assets/{GRAPH_PRIME}") < html.index('id="_dash-renderer"')


def test_the_scripts_the_index_names_are_served(client):
    html = client.get("/").get_data(as_text=True)
    for src in _sources(html):
        if "async-graph" in src or GRAPH_PRIME in src:
            resp = client.get(src)
            assert resp.status_code == 200, src
            assert "javascript" in resp.headers["Content-Type"], src


def test_fingerprinted_assets_are_immutable_and_bare_ones_revalidate(client):
    fingerprinted = client.get("/assets/embed.js?m=1796036160")
    assert fingerprinted.status_code == 200
    assert fingerprinted.headers["Cache-Control"] == IMMUTABLE
    bare = client.get("/assets/embed.js")
    assert bare.status_code == 200
    assert "immutable" not in bare.headers.get("Cache-Control", "")
    missing = client.get("/assets/no-such-file.js?m=1")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("Cache-Control", "")

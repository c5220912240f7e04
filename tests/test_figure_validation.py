"""The app builds figures without plotly.py's validation (figures/theme.py, half of a page's
render): every page's first paint holds the same figures built either way, over the world the
screen tests use (the dataset, the analytics rows, hostile and long strings)."""

from __future__ import annotations

import uuid

import pytest

from analytics.settings import AnalyticsSettings
from figures import theme
from pages import PAGES
from tests import analytics_data as ad
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW
from tests.test_hostile_pages import load_hostile


def _graphs(node, found: dict) -> dict:
    """Every dcc.Graph's figure in a layout, by id."""
    if isinstance(node, list):
        for item in node:
            _graphs(item, found)
    elif isinstance(node, dict):
        if node.get("type") == "Graph" and isinstance(node.get("props"), dict):
            found[str(node["props"].get("id"))] = node["props"].get("figure")
        for value in node.values():
            _graphs(value, found)
    return found


@pytest.fixture
def world(tmp_path):
    watch = AnalyticsSettings(tracked_domains=(ad.MINE,), competitor_domains=(ad.RIVAL,))
    services = build_services(
        f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", refresh_rate_ms=1000, analytics=watch
    )
    dataset.load(services)
    ad.load(services)
    load_hostile(services)
    yield services
    services.dispose()


def _first_paints(services, monkeypatch, validate: bool) -> dict:
    monkeypatch.setattr(theme, "VALIDATE", validate)
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        client = app.server.test_client()
        return {
            page.path: _graphs(
                client.get("/_dash-layout", headers={"Referer": "http://localhost" + page.path}).get_json(), {}
            )
            for page in PAGES
        }


def test_every_page_first_paints_the_same_figures_validated_or_not(world, monkeypatch):
    validated = _first_paints(world, monkeypatch, True)
    fast = _first_paints(world, monkeypatch, False)
    drawn = {
        path: [gid for gid, fig in graphs.items() if fig and fig.get("data")] for path, graphs in validated.items()
    }
    # The comparison means something: graphs with data on the main screen and beyond.
    assert len(drawn["/"]) >= 5, drawn["/"]
    assert sum(len(ids) for ids in drawn.values()) >= 12, drawn
    for path in validated:
        assert fast[path] == validated[path], path


def test_validation_is_what_catches_a_misspelt_property(monkeypatch):
    monkeypatch.setattr(theme, "VALIDATE", True)
    with pytest.raises(ValueError, match="xaxsi"):
        theme.figure(layout={"xaxsi": {"title": "x"}})
    monkeypatch.setattr(theme, "VALIDATE", False)
    assert theme.figure(layout={"xaxsi": {"title": "x"}}).to_plotly_json()["layout"]["xaxsi"] == {"title": "x"}

"""The page-unit shape and the patch addressing: every page has the same five parts, and a
declared part is found by what it is (component id, trace name), never by position; a tree
that changes shape under a declared part fails here instead of patching the wrong node."""

from __future__ import annotations

import importlib
import json
from enum import StrEnum

import pytest
from dash import html, no_update

from figures.parts import trace_part
from pages import PAGES
from pages.mission.ids import MissionIds
from pages.mission.render import BOARD_VALUES
from pages.mission.render import render as render_mission
from ui.delta import PartNotFound, node, resolve, to_plain, update_for, with_parts
from ui.page import normal_path, page_at

PARTS = ("ids", "model", "render", "layout", "callbacks")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_every_page_has_the_same_five_parts(page):
    package = page.register.__module__.rsplit(".", 1)[0]
    for part in PARTS:
        importlib.import_module(f"{package}.{part}")  # a missing part fails the import
    ids = importlib.import_module(f"{package}.ids")
    assert any(isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum for v in vars(ids).values())
    assert callable(importlib.import_module(f"{package}.render").render)
    assert page.layout.__module__ == f"{package}.layout" and page.register.__module__ == f"{package}.callbacks"


def test_pages_are_found_by_path():
    assert [p.path for p in PAGES] == [
        "/",
        "/discovery",
        "/quotas",
        "/domains",
        "/performance",
        "/alerts",
        "/jobs",
        "/queues",
        "/capacity",
        "/audit",
    ]
    assert page_at("/discovery/?x=1", PAGES).title == "Discovery" and page_at("/nope", PAGES) is None
    assert normal_path("") == "/" and normal_path("/alerts/") == "/alerts"


def _at(tree, path):
    for step in path:
        tree = tree[step]
    return tree


def test_a_node_part_follows_its_component_when_siblings_move():
    def card(order):
        eta = html.Span("5 m", id="card-eta")
        children = [html.Span("label"), eta] if order == "label-first" else [eta, html.Span("label")]
        return html.Div(className="card", children=children)

    for order in ("label-first", "eta-first"):
        rendered = with_parts(card(order), {node("card-eta", "children"): "5 m"})
        ((path, value),) = rendered.parts.items()
        serialised = json.loads(json.dumps(rendered.full, default=lambda c: c.to_plotly_json()))
        assert _at(serialised, path) == value == "5 m"


def test_a_part_whose_node_or_trace_is_gone_fails_loudly():
    with pytest.raises(PartNotFound, match="card-eta"):
        with_parts(html.Div([html.Span("x")]), {node("card-eta", "children"): "5 m"})
    figure = {"data": [{"name": "links/min", "y": [1, 2]}], "layout": {}}
    with pytest.raises(PartNotFound, match="used"):
        resolve(figure, trace_part("used", "x"))
    assert resolve(figure, trace_part("links/min", "y", 1)) == ("data", 0, "y", 1)


DOC = {
    "crawler_mission_status": {"queue_depth": 12, "recent_job_errors": []},
    "mc": {
        "built_at": 1_795_867_200.0,
        "active_jobs": [
            {
                "id": "j1",
                "job_type": "backlink_discovery",
                "progress_percentage": 40,
                "eta_seconds": 300,
                "satellite_id": "sat-1",
                "target_url": "https://a.example",
            },
        ],
        "fleet": [
            {
                "satellite_id": "sat-1",
                "status": "active",
                "last_heartbeat": 1_795_867_195.0,
                "current_job_id": "j1",
                "cpu_usage": 50,
                "memory_usage": 95,
            },
        ],
        "queues": {"job_queue": 12, "dead_letter": 1},
        "links_per_minute": [[1_795_867_140, 3], [1_795_867_200, 5]],
        "discovery_by_target": [{"target_domain": "a.example", "new_24h": 4, "referring_domains": 9}],
        "queue_trend": [[1_795_867_140 + i, 10 + i] for i in range(60)],
        "timeline": [
            {
                "id": "j1",
                "job_type": "backlink_discovery",
                "status": "in_progress",
                "progress_percentage": 40,
                "started_date": "2026-11-28T11:50:00Z",
                "completed_date": None,
                "target_url": "https://a.example",
            },
        ],
    },
}


def test_every_declared_part_of_the_main_screen_points_at_its_value():
    renders = render_mission(DOC)
    checked = 0
    for panel, rendered in renders.items():
        serialised = json.loads(json.dumps(to_plain(rendered.full), default=lambda c: c.to_plotly_json()))
        for path, value in rendered.parts.items():
            assert _at(serialised, path) == value, f"{panel}: {path} does not hold its part"
            checked += 1
    # ETA, satellite; beat, job, 2 × meter class; 5 queue counts; gauge; rate; radar; timeline
    assert checked >= 2 + 4 + 5 + 4
    eta_path = next(
        p
        for p in renders[MissionIds.BOARD].parts
        if p[-1] == "children" and "5 m" in str(renders[MissionIds.BOARD].parts[p])
    )
    assert eta_path[0] == 0  # the first card


def test_a_progress_change_is_sent_as_the_boards_values_only():
    before = render_mission(DOC)
    moved = json.loads(json.dumps(DOC))
    moved["mc"]["active_jobs"][0]["progress_percentage"] = 55
    after = render_mission(moved)
    # The cards are unchanged: each ring reads its percentage from the board's element.
    assert update_for(after[MissionIds.BOARD], before[MissionIds.BOARD]) is no_update
    values = update_for(after[BOARD_VALUES], before[BOARD_VALUES])
    assert values["--p0"] == 55 and len(json.dumps(values)) < 100
    ring = before[MissionIds.BOARD].full[0].children[0]
    assert ring.className == "ring" and ring.style == {"--p": "var(--p0)"}

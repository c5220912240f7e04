"""Crawled text in figures is drawn as text: every figure leaves for the browser through
ui.delta.to_plain, which escapes what Plotly would read as HTML (an <a href> in an anchor
text would otherwise become a live SVG link)."""

from __future__ import annotations

import json

import pandas as pd

from figures import discovery, mission
from figures.parts import trace_part
from ui.delta import to_plain, with_parts

PHISH = '<a href="https://evil.example/phish">CLICK ME</a>'


def test_an_anchor_with_a_link_in_it_is_text_in_the_anchor_chart():
    rows = pd.DataFrame({"anchor": [PHISH, "learn more"], "links": [5, 3], "share_pct": [62.5, 37.5]})
    sent = json.dumps(to_plain(discovery.anchors(rows)))
    assert "<a" not in sent and "evil.example/phish" in sent
    assert "&lt;a href=" in sent  # Plotly decodes the entities: the viewer reads what was typed


def test_our_own_line_breaks_survive_and_hostile_ones_stay_inert():
    names = ["top.example", "example-target.co.uk", "<b onmouseover=x>bold</b>.example", "left.example"]
    rows = [{"target_domain": n, "new_24h": 3, "referring_domains": 5} for n in names]
    figure = to_plain(mission.discovery_radar(rows))
    theta = figure["data"][0]["theta"]
    assert theta[1] == "example-<br>target.co.uk"  # our wrap of a sideways label is kept
    assert "<b onmouseover" not in json.dumps(figure) and any("&lt;b onmouseover=x&gt;" in t for t in theta)


def test_patched_parts_carry_the_escaped_text_too():
    rows = [{"target_domain": "<i>x</i>.example", "new_24h": 1, "referring_domains": 2}]
    name = mission.RADAR_METRICS[0][1]
    rendered = with_parts(mission.discovery_radar(rows), {trace_part(name, "theta"): ["<i>x</i>.example"]})
    assert "<i>" not in json.dumps(list(rendered.parts.values()))


def test_hover_customdata_and_trace_names_are_escaped():
    timeline = [
        {
            "id": "j1",
            "job_type": "<img src=x onerror=alert(1)>",
            "status": "in_progress",
            "progress_percentage": 5,
            "started_date": "2026-11-28T11:50:00Z",
            "completed_date": None,
            "target_url": "https://x/<script>",
        },
    ]
    sent = json.dumps(to_plain(mission.mission_timeline(timeline, 1_795_867_200.0, {})))
    assert "<img" not in sent and "<script>" not in sent and "&lt;script&gt;" in sent

"""Pure logic: ETA and utilisation maths, figure builders, formatting, the delta machinery."""

from datetime import datetime, timedelta

import pandas as pd
import pytest
from dash import no_update

from data import fleet
from data.jobs import eta_seconds
from figures import mission as figs
from figures.parts import trace_part
from figures.theme import GREEN, RED
from ui import format as fmt
from ui.delta import Render, resolve, to_plain, update_for, with_parts

NOW = datetime(2026, 11, 28, 12, 0, 0)


@pytest.mark.parametrize(
    ("progress", "elapsed", "expected"),
    [
        (25.0, 100, 300.0),  # 25 % in 100 s → 75 % more at 0.25 %/s
        (50.0, 60, 60.0),
        (100.0, 60, 0.0),
        (0.0, 60, None),  # no progress yet: no rate, no ETA
        (10.0, 0, None),  # started this instant
        (None, 60, None),
    ],
)
def test_eta(progress, elapsed, expected):
    assert eta_seconds(progress, NOW - timedelta(seconds=elapsed), NOW) == expected
    assert eta_seconds(50.0, None, NOW) is None


def test_fleet_status_and_utilisation_are_pure_functions():
    now = 1_000_000.0
    beats = {"a": now - 2, "b": now - 29, "c": now - 31, "d": now - 1}
    details = {
        "a": {"current_job_id": "j1", "status": "running"},
        "b": {"current_job_id": None},
        "c": {"current_job_id": "j9"},
        "d": {"status": "paused", "current_job_id": "j2"},
    }
    perf = pd.DataFrame([{"satellite_id": "e", "crawl_speed_pages_per_minute": 4.0}])
    frame = fleet.fleet_status(beats, details, perf, now, 30)
    assert dict(zip(frame.satellite_id, frame.status)) == {
        "a": "active",
        "b": "idle",
        "c": "unresponsive",
        "d": "paused",
        "e": "unresponsive",
    }
    # a stale satellite's last job is not "current"
    assert pd.isna(frame.set_index("satellite_id").loc["c", "current_job_id"])
    u = fleet.utilisation(frame)
    assert (u["total"], u["alive"], u["busy"], u["utilisation_pct"]) == (5, 3, 2, 40.0)
    assert fleet.utilisation(fleet.fleet_status({}, {}, pd.DataFrame(), now, 30))["utilisation_pct"] == 0.0


def test_discovery_rate_and_gauge_builders():
    points = [[1_800_000_000, 3], [1_800_000_060, 7]]
    fig = figs.discovery_rate(points)
    assert list(fig.data[0].y) == [3, 7] and list(fig.data[0].x) == [1_800_000_000_000, 1_800_000_060_000]
    # The changing part is declared by trace name and resolves to the last point of that trace.
    ((part, value),) = figs.discovery_rate_parts(points).items()
    assert (resolve(to_plain(fig), part), value) == (("data", 0, "y", 1), 7)
    gauge = figs.queue_gauge(1200, previous=900)
    assert gauge.data[0].value == 1200 and gauge.data[0].gauge.threshold.value == figs.QUEUE_OVERFLOW
    assert gauge.data[0].delta.reference == 900
    assert "queue unreadable" in figs.queue_gauge(None).layout.annotations[0].text


def test_radar_scales_each_metric_to_its_maximum():
    rows = [
        {"target_domain": "a.example", "new_24h": 10, "referring_domains": 400},
        {"target_domain": "b.example", "new_24h": 5, "referring_domains": 100},
    ]
    fig = figs.discovery_radar(rows)
    assert list(fig.data[0].r) == [100.0, 50.0] and list(fig.data[1].r) == [100.0, 25.0]
    assert list(fig.data[1].customdata) == [400, 100]  # the hover shows the real numbers
    assert list(fig.data[0].theta) == ["a.example", "b.example"]


def test_radar_wraps_long_domains_at_a_separator_near_the_middle():
    assert figs.radar_label("example-target.co.uk") == "example-<br>target.co.uk"
    assert figs.radar_label("example-target.co.uk", sideways=False) == "example-target.co.uk"
    assert figs.radar_label("example-target-shop.com") == "example-<br>target-shop.com"  # a tie: the first
    assert figs.radar_label("short.example") == "short.example"
    assert figs.radar_label("averyveryverylongdomainname") == "averyveryverylongdomainname"  # nowhere to break
    # Four domains clockwise from the top: top and bottom keep one line, right and left wrap.
    rows = [{"target_domain": f"example-target-{i}.co.uk", "new_24h": 1, "referring_domains": 1} for i in range(4)]
    want = [
        "example-target-0.co.uk",
        "example-<br>target-1.co.uk",
        "example-target-2.co.uk",
        "example-<br>target-3.co.uk",
    ]
    assert list(figs.discovery_radar(rows).data[0].theta) == want
    assert figs.discovery_radar_parts(rows)[trace_part(figs.RADAR_METRICS[0][1], "theta")] == want


def test_timeline_bars_colour_by_status_and_project_eta():
    rows = [
        {
            "id": "j1",
            "job_type": "backlink_discovery",
            "status": "in_progress",
            "progress_percentage": 40,
            "started_date": "2026-11-28T11:50:00Z",
            "completed_date": None,
            "target_url": "https://x.example",
        },
        {
            "id": "j2",
            "job_type": "technical_audit",
            "status": "failed",
            "progress_percentage": 70,
            "started_date": "2026-11-28T11:00:00Z",
            "completed_date": "2026-11-28T11:30:00Z",
            "target_url": "u",
        },
        {
            "id": "j3",
            "job_type": "serp_analysis",
            "status": "completed",
            "progress_percentage": 100,
            "started_date": None,
            "created_at": None,
            "completed_date": None,
            "target_url": "u",
        },
    ]
    fig = figs.mission_timeline(rows, 1_795_867_200.0, {"j1": 120.0})  # NOW = 12:00 UTC
    bars = fig.data[0]
    assert len(bars.y) == 2  # j3 has no start time, it cannot be placed
    assert list(bars.x) == [600_000, 1_800_000]  # 10 min running, 30 min run
    assert list(bars.marker.color)[1] == RED and list(bars.text) == ["40%", "70%"]
    assert list(fig.data[1].x) == [120_000]  # the projected remainder of the active job
    assert GREEN not in list(bars.marker.color)


def test_trend_extension_sends_only_new_points_capped():
    points = [[10, 1], [11, 2], [12, 3]]
    data, traces, cap = figs.trend_extension(points, 10)
    assert data == {"x": [[11_000, 12_000]], "y": [[2, 3]]} and traces == [0] and cap == figs.TREND_POINTS
    assert figs.trend_extension(points, 12) is None


def test_formatting():
    assert fmt.count(1234567) == "1,234,567" and fmt.count(None) == "—"
    assert fmt.duration(45) == "45 s" and fmt.duration(252) == "4 m 12 s" and fmt.duration(11100) == "3 h 05 m"
    assert fmt.coarse_duration(47) == "45 s" and fmt.coarse_duration(170) == "~3 m"
    assert fmt.heartbeat_age(3) == "< 10 s" and fmt.heartbeat_age(37) == "35 s ago"
    assert fmt.safe_href("https://ok.example/p?q=1") == "https://ok.example/p?q=1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "http://", None):
        assert fmt.safe_href(bad) is None


def test_delta_sends_full_then_patch_then_nothing():
    figure = {"data": [{"y": [1, 2, 3], "name": "a"}], "layout": {}}
    old = with_parts(figure, {("data", 0, "y", 2): 3})
    assert update_for(old, None) == figure  # a viewer with nothing gets everything
    same = with_parts({"data": [{"y": [1, 2, 3], "name": "a"}], "layout": {}}, {("data", 0, "y", 2): 3})
    assert update_for(same, old) is no_update
    moved = with_parts({"data": [{"y": [1, 2, 9], "name": "a"}], "layout": {}}, {("data", 0, "y", 2): 9})
    patch = update_for(moved, old).to_plotly_json()
    assert patch["operations"] == [{"operation": "Assign", "location": ["data", 0, "y", 2], "params": {"value": 9}}]
    renamed = with_parts({"data": [{"y": [1, 2, 9], "name": "b"}], "layout": {}}, {("data", 0, "y", 2): 9})
    assert update_for(renamed, old)["data"][0]["name"] == "b"  # structure changed: full figure
    assert update_for(Render(full="5"), Render(full="5")) is no_update
    assert update_for(Render(full="6"), Render(full="5")) == "6"


def test_list_panels_are_diffed_item_by_item():
    old = Render(full=["A", "B", "C"], structure=["a", "b", "c"], parts={(1, "x"): 1}, items=True)
    same_items = Render(full=["A", "B2", "C"], structure=["a", "b", "c"], parts={(1, "x"): 2}, items=True)
    ops = update_for(same_items, old).to_plotly_json()["operations"]
    assert ops == [{"operation": "Assign", "location": [1, "x"], "params": {"value": 2}}]
    replaced_and_grown = Render(full=["A", "Z", "C", "D"], structure=["a", "z", "c", "d"], items=True)
    ops = update_for(replaced_and_grown, old).to_plotly_json()["operations"]
    assert [(o["operation"], o["location"]) for o in ops] == [("Assign", [1]), ("Extend", [])]
    shrunk = Render(full=["A"], structure=["a"], items=True)
    ops = update_for(shrunk, old).to_plotly_json()["operations"]
    assert [(o["operation"], o["location"]) for o in ops] == [("Delete", [2]), ("Delete", [1])]
    assert update_for(Render(full=["A"], structure=["a"], items=True), shrunk) is no_update


def test_bar_charts_size_their_label_margin_to_the_longest_monospace_label():
    from figures.theme import mono_margin

    assert mono_margin(["abc", "abcdefghij"], size=10) == 61 + 14  # 10 chars × 10 px × 0.61 em, rounded up
    short = figs.mission_timeline(
        [
            {
                "id": "j1",
                "job_type": "seo",
                "status": "completed",
                "progress_percentage": 100,
                "started_date": "2026-11-28T11:00:00Z",
                "completed_date": "2026-11-28T11:30:00Z",
            }
        ],
        1_795_867_200.0,
        {},
    )
    long = figs.mission_timeline(
        [
            {
                "id": "j1",
                "job_type": "prospect_identification",
                "status": "completed",
                "progress_percentage": 100,
                "started_date": "2026-11-28T11:00:00Z",
                "completed_date": "2026-11-28T11:30:00Z",
            }
        ],
        1_795_867_200.0,
        {},
    )
    assert short.layout.margin.l == mono_margin(["seo · j1"], 10)
    assert long.layout.margin.l == mono_margin(["prospect identification · j1"], 10) > short.layout.margin.l
    assert not long.layout.yaxis.automargin

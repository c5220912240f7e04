"""The quota figures and the page's refresh callback (no browser): values drawn, and nothing
sent when nothing changed."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import dash
import pytest
from conftest import build_services
from test_quota_support import ALL_KEYS, FakeClock, manager, utc

from figures.quotas import burndown, quota_bars
from figures.theme import GREEN, MUTED, RED
from pages.shell.ids import ShellIds as Shell
from pages.quotas.ids import QuotaIds

OUTPUTS = [
    (QuotaIds.SUMMARY, "children"),
    (QuotaIds.CARDS, "children"),
    (QuotaIds.BARS, "figure"),
    (QuotaIds.BURNDOWN, "figure"),
    (QuotaIds.RECOMMENDATIONS, "children"),
    (QuotaIds.DECISIONS, "children"),
    (QuotaIds.EVENTS, "children"),
    (QuotaIds.HELD, "data"),
]


@pytest.fixture
def svc(tmp_path):
    s = build_services(
        f"sqlite:///{tmp_path / 'lp.db'}",
        f"memory://{uuid.uuid4().hex}",
        api_keys={k: v for k, v in ALL_KEYS.items() if k != "clearbit"},
    )
    yield s
    s.dispose()


def test_quota_bars_draw_the_ledger(svc):
    mgr = manager(svc)
    mgr.consume("serpstack", 437)
    mgr.consume("hunter_io", 50)
    fig = quota_bars(mgr.statuses())
    track, used = fig.data
    labels = list(used.y)
    assert labels[-1] == "serpstack" and "clearbit (no key)" in labels  # first provider on top
    at = {label: i for i, label in enumerate(labels)}
    assert used.x[at["serpstack"]] == 43.7 and used.text[at["serpstack"]] == "437 / 1,000"
    assert used.marker.color[at["serpstack"]] == GREEN
    assert used.marker.color[at["hunter_io"]] == RED
    assert used.marker.color[at["clearbit (no key)"]] == MUTED
    assert list(track.x) == [100] * 7
    assert quota_bars([]).layout.annotations[0].text == "no quota data yet"


def test_burndown_follows_the_daily_usage_and_projects_to_exhaustion(svc):
    clock = FakeClock(utc(2025, 6, 3, 12))
    mgr = manager(svc, clock)
    for day, units in ((1, 100), (2, 100), (3, 50)):
        clock.now = utc(2025, 6, day, 12)
        mgr.consume("serpstack", units)
    clock.now = utc(2025, 6, 3, 12)
    view = mgr.overview()
    fig = burndown(view["history"], view["statuses"], clock.now)
    actual, projected = fig.data[0], fig.data[1]
    assert actual.name == "serpstack"
    assert list(actual.y) == [100.0, 90.0, 80.0, 75.0]
    # 250 units in 2.5 days = 100/day: 750 left runs out 7.5 days later
    assert projected.x[1] == utc(2025, 6, 11)
    assert projected.y[0] == 75.0 and projected.y[1] == 0.0


def _post_tick(client, held):
    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in OUTPUTS) + "..",
        "outputs": [{"id": str(i), "property": p} for i, p in OUTPUTS],
        "inputs": [{"id": str(Shell.VERSION), "property": "data", "value": {"v": 5}}],
        "state": [{"id": str(QuotaIds.HELD), "property": "data", "value": held}],
        "changedPropIds": [f"{Shell.VERSION}.data"],
    }
    return client.post("/_dash-update-component", data=json.dumps(payload), content_type="application/json")


def test_the_refresh_sends_only_what_changed(svc):
    from types import SimpleNamespace

    from pages.quotas.callbacks import register
    from pages.quotas.layout import layout

    clock = FakeClock(utc(2025, 6, 10, 12))  # a fixed minute: the refresh key is (version, minute)
    ctx = SimpleNamespace(quotas=manager(svc, clock), services=svc, settings=svc.settings, render_caches={})
    ctx.quotas.consume("serpstack", 10)
    app = dash.Dash(__name__, suppress_callback_exceptions=True)
    page = layout(ctx)
    app.layout = dash.html.Div([dash.dcc.Store(id=Shell.VERSION), page])
    register(app, ctx)
    client = app.server.test_client()
    held = next(c for c in page.children if getattr(c, "id", None) == QuotaIds.HELD).data

    # The layout's store holds the key it was painted from: same version, same minute, so the
    # first tick sends nothing at all (the old layout held no key and cost one round of digests).
    assert _post_tick(client, held).status_code == 204

    ctx.quotas.consume("serpstack", 5)
    body = _post_tick(client, held).get_json()["response"]
    assert str(QuotaIds.DECISIONS) not in body and str(QuotaIds.EVENTS) not in body
    # The cards are patched where they changed (the new count among them), not sent again.
    cards = body[str(QuotaIds.CARDS)]["children"]
    assert cards["__dash_patch_update"] and {"value": "15"} in [op["params"] for op in cards["operations"]]
    assert len(json.dumps(cards)) < 2048
    held = body[str(QuotaIds.HELD)]["data"]
    clock.advance(minutes=1)  # burn rates move with time; the usage bars and decisions did not change
    body = _post_tick(client, held).get_json()["response"]
    assert str(QuotaIds.BARS) not in body and str(QuotaIds.DECISIONS) not in body
    cards = json.dumps(body[str(QuotaIds.CARDS)]["children"])
    assert '"15"' not in cards and "__dash_patch_update" in cards


def test_statuses_accept_the_producers_naive_utc_time(svc):
    mgr = manager(svc)
    naive = datetime(2025, 6, 10, 12)
    assert mgr.statuses(naive)[0]["reset_date"] == "2025-07-01T00:00:00Z"
    assert mgr.statuses(utc(2025, 6, 10, 12).timestamp())[0]["reset_date"] == "2025-07-01T00:00:00Z"

"""The Domains and Performance pages over the embedded storage, through Dash's own HTTP route:
a tick sends only what changed, nothing when the browser already shows the key, and rollup
tables that are missing leave empty panels (never a 500) until they exist again."""

import json

import pytest
import sqlalchemy as sa

from analytics import tables as rollup_tables
from analytics.refresh import bump_version
from pages import PAGES
from pages.domains.ids import DomainIds
from pages.performance.ids import PerformanceIds
from pages.shell.ids import ShellIds
from tests import analytics_data as ad
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW
from tests.test_analytics_intel import load_fleet


@pytest.fixture
def app_ctx(sqlite_url, memory_redis_url, monkeypatch):
    monkeypatch.setenv("MC_TRACKED_DOMAINS", ad.MINE)
    monkeypatch.setenv("MC_COMPETITOR_DOMAINS", ad.RIVAL)
    services = build_services(sqlite_url, memory_redis_url, "M")
    ad.load(services)
    load_fleet(services)
    with ticked_app(services, NOW) as (app, ctx, loop):
        loop.refresh_heavy(NOW)
        loop.tick(now=NOW)
        yield app, ctx
    services.dispose()


def first_paint(ctx, path: str) -> dict:
    page = next(p for p in PAGES if p.path == path)
    return json.loads(json.dumps(page.layout(ctx), default=lambda c: c.to_plotly_json()))


def component(tree, component_id: str) -> dict | None:
    """The serialised component with `component_id` in `tree`."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == component_id:
            return tree
        return component(tree.get("props", {}).get("children"), component_id)
    if isinstance(tree, list):
        return next((found for item in tree if (found := component(item, component_id))), None)
    return None


def held_of(painted: dict) -> dict:
    return painted["props"]["children"][0]["props"]["data"]


def tick(app, held_id: str, controls: dict, held: dict):
    """POST the page's tick callback as the browser does; (status, {output id: value})."""
    output = next(k for k in app.callback_map if f"{held_id}.data" in k)
    specs = [dict(zip(("id", "property"), part.rsplit(".", 1))) for part in output.strip(".").split("...")]
    inputs = [{"id": ShellIds.VERSION, "property": "data", "value": {"v": 1}}]
    inputs += [{"id": i, "property": "value", "value": v} for i, v in controls.items()]
    body = {
        "output": output,
        "outputs": specs,
        "inputs": inputs,
        "changedPropIds": [f"{ShellIds.VERSION}.data"],
        "state": [{"id": held_id, "property": "data", "value": held}],
    }
    response = app.server.test_client().post("/_dash-update-component", json=body)
    sent = response.get_json()["response"] if response.status_code == 200 else {}
    return response.status_code, sent


def drop_rollups(ctx) -> None:
    with ctx.services.mc_engine.begin() as conn:
        for table in rollup_tables.ROLLUP_TABLES:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
    bump_version(ctx.services.redis)  # the cached answers are of the old version


def test_domains_tick_sends_only_what_changed(app_ctx):
    app, ctx = app_ctx
    held = held_of(first_paint(ctx, "/domains"))
    picked = held["key"][3]
    assert picked == "old-gem.example"
    controls = {DomainIds.WITHIN: None, DomainIds.PICK: picked}
    assert tick(app, DomainIds.HELD, controls, held)[0] == 204  # the browser shows this key already
    status, sent = tick(app, DomainIds.HELD, {**controls, DomainIds.WITHIN: 7}, held)
    assert status == 200
    assert set(sent) == {DomainIds.HUNTER, DomainIds.HELD}  # the calculator and the rest are unchanged
    assert [r["name"] for r in sent[DomainIds.HUNTER]["data"]] == ["soon.example"]


@pytest.mark.parametrize(
    ("path", "held_id", "controls", "table_id"),
    [
        ("/domains", DomainIds.HELD, {DomainIds.WITHIN: None, DomainIds.PICK: None}, DomainIds.HUNTER),
        ("/performance", PerformanceIds.HELD, {PerformanceIds.WINDOW: 24}, PerformanceIds.RATES),
    ],
)
def test_missing_rollup_tables_leave_empty_panels(app_ctx, path, held_id, controls, table_id):
    app, ctx = app_ctx
    drop_rollups(ctx)
    painted = first_paint(ctx, path)
    assert held_of(painted) == {"key": None}  # so the first tick fills the page once it can
    assert component(painted, table_id)["props"]["data"] == []
    assert tick(app, held_id, controls, {"key": None})[0] == 204
    rollup_tables.ensure_tables(ctx.services.mc_engine)
    ctx.analytics.refresher.refresh(NOW)  # rebuilds the rollups and bumps their version
    status, sent = tick(app, held_id, controls, {"key": None})
    assert status == 200 and sent[held_id]["data"]["key"] is not None
    assert sent[table_id]["data"]  # rows again, now that the tables exist

"""The command controls on the mission page and the audit log page, through Dash's own HTTP
endpoints (as the browser calls them), on PostgreSQL + Redis: buttons disabled with the reason
for a caller without the role or where Link Profiler's API is not configured; a confirmed
command runs, shows its outcome and is audited with its user; hostile text in the audit log
stays text on the page and in the CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest

from app import create_app
from commands.settings import CommandSettings
from tests.conftest import CONTROL_PREFIX, build_services
from tests.test_commands import Subscriber

pytestmark = pytest.mark.integration

TOKEN = "svc-token-controls"
HOSTILE = '=HYPERLINK("http://evil.example","x")<img src=x onerror=alert(1)>'


@pytest.fixture
def app_and_services(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M", api_token=TOKEN, commands=CommandSettings(observe_s=0.0))
    app = create_app(services.settings, services=services, start_background=False)
    yield app, services
    app.server.extensions["mission_control"].stop()
    services.dispose()


def _client(app, operator: bool):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    if operator:
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    return client


def _buttons(node, found: dict) -> dict:
    """Every command button of a layout JSON, by (host, name)."""
    if isinstance(node, dict):
        props = node.get("props", {})
        ident = props.get("id")
        if isinstance(ident, dict) and ident.get("type") == "mc-cmd":
            found[(ident["host"], ident["name"])] = props
        for value in props.values():
            _buttons(value, found)
    elif isinstance(node, list):
        for item in node:
            _buttons(item, found)
    return found


def _layout(client, path: str = "/") -> dict:
    return client.get("/_dash-layout", headers={"Referer": f"http://localhost{path}"}).get_json()


def _callback(client, app, trigger: str, inputs: list, state: list[dict], changed: str):
    """POST the callback whose inputs include `trigger` ("id.prop" as in callback_map) as the
    renderer does: every input and state given, `changed` the prop that fired."""
    key = next(
        k
        for k, spec in app.callback_map.items()
        if any(f"{i['id']}.{i['property']}" == trigger for i in spec["inputs"])
    )
    outputs = [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [changed],
    }
    resp = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()["response"]


def _prop(component: str, prop: str, value) -> dict:
    return {"id": component, "property": prop, "value": value}


def test_buttons_say_why_they_are_disabled(app_and_services):
    app, _services = app_and_services
    viewer = _buttons(_layout(_client(app, operator=False)), {})
    assert viewer[("fleet", "satellite_pause")]["disabled"] is True
    assert "needs the operator role" in viewer[("fleet", "satellite_pause")]["title"]
    operator = _buttons(_layout(_client(app, operator=True)), {})
    assert operator[("fleet", "satellite_shutdown")]["disabled"] is False
    assert operator[("fleet", "satellite_shutdown")]["title"].startswith(
        "Satellite (chosen beside it) will be sent SHUTDOWN"
    )
    # Dispatch goes through Link Profiler's API, which this deployment has not configured.
    assert operator[("queue", "dispatch_pause")]["disabled"] is True
    assert operator[("queue", "dispatch_pause")]["title"] == "MC_LP_API_URL is not set"


def test_a_click_asks_with_what_will_happen_and_a_confirmation_runs_it(app_and_services, redis_url):
    app, _services = app_and_services
    client = _client(app, operator=True)
    button = {"type": "mc-cmd", "host": "fleet", "name": "satellite_pause", "target": ""}
    pattern = json.dumps({**button, "name": ["ALL"], "target": ["ALL"]}, sort_keys=True, separators=(",", ":"))
    asked = _callback(
        client,
        app,
        f"{pattern}.n_clicks",
        [[_prop(button, "n_clicks", 1)]],
        [_prop("fleet-cmd-pick", "value", "sat-7")],
        json.dumps(button, sort_keys=True, separators=(",", ":")) + ".n_clicks",
    )
    dialog = asked["fleet-cmd-confirm"]
    assert dialog["displayed"] is True
    assert dialog["message"].startswith("Satellite sat-7 will be sent PAUSE: it stops taking jobs")
    pending = asked["fleet-cmd-pending"]["data"]
    assert pending == {"name": "satellite_pause", "target": "sat-7"}

    sub = Subscriber(redis_url, [CONTROL_PREFIX + "sat-7"])
    try:
        done = _callback(
            client,
            app,
            "fleet-cmd-confirm.submit_n_clicks",
            [_prop("fleet-cmd-confirm", "submit_n_clicks", 1)],
            [_prop("fleet-cmd-pending", "data", pending), _prop("fleet-cmd-reason", "value", HOSTILE)],
            "fleet-cmd-confirm.submit_n_clicks",
        )
        assert sub.wait_for(1) == [(CONTROL_PREFIX + "sat-7", '{"command": "PAUSE", "payload": {}}')]
    finally:
        sub.close()
    line = done["fleet-cmd-outcome"]["children"]
    assert line.startswith(f"✓ Pause sat-7: PAUSE published on {CONTROL_PREFIX}sat-7, received by 1 listener")

    # The audit page shows it, text as text; its CSV defuses the formula.
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/audit"})
    assert layout.status_code == 200 and "audit-table" in layout.get_data(as_text=True)
    filters = [
        _prop(c, "value", None) for c in ("audit-user", "audit-action", "audit-result", "audit-hours", "audit-text")
    ]
    buttons = [_prop(c, "n_clicks", n) for c, n in (("audit-refresh", 1), ("audit-prev", 0), ("audit-next", 0))]
    page = _callback(
        client,
        app,
        "audit-refresh.n_clicks",
        filters + buttons,
        [_prop("audit-offset", "data", 0)],
        "audit-refresh.n_clicks",
    )
    rows = page["audit-table"]["data"]
    assert [(r["user"], r["action"], r["target"], r["result"], r["reason"]) for r in rows] == [
        ("service", "satellite_pause", "sat-7", "ok", HOSTILE)
    ]
    assert page["audit-summary"]["children"] == "records 1–1 of 1"
    exported = client.get("/api/v1/audit.csv").get_data(as_text=True)
    [record] = list(csv.DictReader(io.StringIO(exported)))
    assert record["reason"] == "'" + HOSTILE and record["user"] == "service"


def test_the_satellite_picker_names_what_a_command_can_target_in_short_labels():
    from pages.mission.model import satellite_choices

    long_id, hidden = "sat-" + "x" * 5000, "sat-\u202eevil"
    doc = {"mc": {"fleet": [{"satellite_id": s} for s in ("sat-b", "sat-a", long_id, "s" * 150, hidden, "sat-\x07")]}}
    choices = satellite_choices(doc)
    # Ids a command could not name (too long, not printable: a bidi control, a bell) are reached
    # through "all" only.
    assert [c["value"] for c in choices] == ["all", "sat-a", "sat-b", "s" * 150]
    assert choices[3]["label"] == "s" * 59 + "…"  # a label of thousands of characters stalls the dropdown

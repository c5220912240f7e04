"""GET /api/v1/alerts (firing from the snapshot, history with filters and CSV), the ack and
silence endpoints with their access rule, and the alert center page's rendering."""

from __future__ import annotations

import dataclasses

import pytest

from alerts.export import history_csv
from api.alerts import register_alert_api
from app import create_app
from conftest import build_services
from pages.alerts import render as alert_center
from pages.alerts.layout import layout as alert_center_layout
from test_alert_support import FAST, at, fleet_doc, make_engine

HOSTILE = "sat-<img src=x onerror=alert(1)>"


@pytest.fixture
def app_ctx(sqlite_url, memory_redis_url):
    services = build_services(sqlite_url, memory_redis_url)
    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    make_engine(ctx, FAST)
    ctx.alerts.clock = lambda: at(100)
    register_alert_api(app.server, ctx)
    yield app, ctx
    ctx.stop()
    services.dispose()


def publish(ctx, doc, t):
    doc["alerts"] = ctx.alerts.evaluate(doc, at(t))
    ctx.snapshots.publish(doc)
    return doc


def test_firing_alerts_come_from_the_snapshot_with_filters(app_ctx):
    app, ctx = app_ctx
    client = app.server.test_client()
    assert client.get("/api/v1/alerts").status_code == 503  # no snapshot yet
    publish(ctx, fleet_doc(), 0)
    publish(ctx, fleet_doc(dead=(HOSTILE,), queue_depth=4000), 1)
    body = client.get("/api/v1/alerts").get_json()
    assert [a["type"] for a in body["alerts"]] == ["satellite_failure", "queue_overflow"]
    assert body["alerts"][0]["affected_satellites"] == [HOSTILE]
    assert [a["type"] for a in client.get("/api/v1/alerts?severity=warning").get_json()["alerts"]] == ["queue_overflow"]
    assert client.get("/api/v1/alerts?type=stalled_job").get_json()["alerts"] == []


def test_history_filters_csv_and_bad_input(app_ctx):
    app, ctx = app_ctx
    client = app.server.test_client()
    publish(ctx, fleet_doc(queue_depth=4000), 0)
    publish(ctx, fleet_doc(dead=("sat-a",)), 10)
    events = client.get("/api/v1/alerts?state=history").get_json()["events"]
    assert [(e["event"], e["type"]) for e in events] == [
        ("resolved", "queue_overflow"),
        ("firing", "satellite_failure"),
        ("firing", "queue_overflow"),
    ]
    got = client.get("/api/v1/alerts?state=history&event=firing&severity=critical").get_json()["events"]
    assert [e["type"] for e in got] == ["satellite_failure"]
    got = client.get("/api/v1/alerts?state=history&since=2025-03-01T12:00:05Z").get_json()["events"]
    assert len(got) == 2
    csv = client.get("/api/v1/alerts?state=history&format=csv")
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).splitlines()[0].startswith("at,event,severity")
    for query, word in (
        ("severity=loud", "severity"),
        ("state=history&limit=0", "limit"),
        ("state=history&since=yesterday", "since"),
        ("state=everything", "state"),
    ):
        resp = client.get(f"/api/v1/alerts?{query}")
        assert resp.status_code == 400 and word in resp.get_json()["error"], query


def test_csv_cells_cannot_become_formulas():
    text = history_csv([{"at": at(0), "event": "firing", "message": '=HYPERLINK("http://x")', "affected_jobs": []}])
    assert "'=HYPERLINK" in text


def test_acknowledge_and_silence_with_the_access_rule(app_ctx):
    app, ctx = app_ctx
    client = app.server.test_client()
    [alert] = publish(ctx, fleet_doc(dead=("sat-a",)), 0)["alerts"]
    fp = alert["fingerprint"]
    remote = client.post(f"/api/v1/alerts/{fp}/ack", json={"comment": "x"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    # Anonymous on the network: no credential, so 401 with the reason.
    assert remote.status_code == 401 and "needs the operator role" in remote.get_json()["error"]
    assert client.post(f"/api/v1/alerts/{fp}/ack", json={}).status_code == 400
    assert client.post("/api/v1/alerts/nope/ack", json={"comment": "x"}).status_code == 404
    ok = client.post(f"/api/v1/alerts/{fp}/ack", json={"comment": "on it", "by": "anna"})
    # The loopback demo's operator is who acted; a claimed name is kept only beside the service token.
    assert ok.status_code == 200 and ok.get_json()["acknowledged_by"] == "loopback:127.0.0.1"
    [alert] = publish(ctx, fleet_doc(dead=("sat-a",)), 1)["alerts"]
    assert alert["acknowledged"] and alert["ack_comment"] == "on it"

    for body in (
        {"type": "satellite_failure", "fingerprint": fp, "duration_minutes": 5},
        {"duration_minutes": 5},
        {"type": "nonsense", "duration_minutes": 5},
        {"type": "satellite_failure", "duration_minutes": 0},
    ):
        assert client.post("/api/v1/alerts/silences", json=body).status_code == 400, body
    made = client.post(
        "/api/v1/alerts/silences", json={"type": "satellite_failure", "duration_minutes": 30, "comment": "maintenance"}
    )
    assert made.status_code == 201
    [alert] = publish(ctx, fleet_doc(dead=("sat-a",)), 2)["alerts"]
    assert alert["silenced"]
    assert [s["id"] for s in client.get("/api/v1/alerts/silences").get_json()["silences"]] == [made.get_json()["id"]]
    assert client.post(f"/api/v1/alerts/silences/{made.get_json()['id']}/end").status_code == 200
    assert client.post(f"/api/v1/alerts/silences/{made.get_json()['id']}/end").status_code == 404

    ctx.settings = dataclasses.replace(ctx.settings, api_token="t0ken")
    assert client.post(f"/api/v1/alerts/{fp}/ack", json={"comment": "x"}).status_code == 401
    good = client.post(
        f"/api/v1/alerts/{fp}/ack", json={"comment": "x", "by": "anna"}, headers={"Authorization": "Bearer t0ken"}
    )
    assert good.status_code == 200 and good.get_json()["acknowledged_by"] == "service:anna"


def _texts(node) -> list[str]:
    """Every string child in a Dash component tree."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, (list, tuple)):
        return [t for child in node for t in _texts(child)]
    children = getattr(node, "children", None)
    return [] if children is None else _texts(children)


def test_the_alert_center_renders_crawled_text_as_text_and_flashes_new_criticals(app_ctx):
    app, ctx = app_ctx
    publish(ctx, fleet_doc(), 0)
    doc = publish(ctx, fleet_doc(dead=(HOSTILE,), queue_depth=4000), 1)
    page = alert_center_layout(ctx)
    texts = _texts(page)
    assert any(HOSTILE in t for t in texts)
    assert "Scale up the satellite fleet" in " ".join(texts)
    cards = alert_center.firing_panel(doc["alerts"])
    critical = [c for c in cards if "ac-card" in getattr(c, "className", "") and "sev-critical" in c.className]
    assert len(critical) == 1 and "ac-new" in critical[0].className
    old = alert_center.alert_card({**doc["alerts"][0], "age_s": 3600})
    assert "ac-new" not in old.className
    ids = {str(k) for k in app.callback_map}
    assert any("ac-firing.children" in k for k in ids) and any("ac-download.data" in k for k in ids)


def _call(client, app, fragment: str, inputs: list, state: list | None = None):
    """POST one callback request as the browser does; returns the response JSON."""
    import json

    key = next(k for k in app.callback_map if fragment in k)
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in key.strip(".").split("...")]
    changed = [
        f"{json.dumps(i['id'], separators=(',', ':'), sort_keys=True) if isinstance(i['id'], dict) else i['id']}.{i['property']}"
        for i in (x for item in inputs for x in (item if isinstance(item, list) else [item]))
    ]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": state or [],
        "changedPropIds": changed,
    }
    resp = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)[:500]
    return resp.get_json(silent=True)


def test_page_callbacks_refresh_acknowledge_and_export(app_ctx):
    from pages.alerts.ids import AlertIds
    from pages.shell.ids import ShellIds as Shell

    app, ctx = app_ctx
    client = app.server.test_client()
    [alert] = publish(ctx, fleet_doc(dead=("sat-a",)), 0)["alerts"]
    out = _call(
        client,
        app,
        "ac-firing.children",
        [{"id": Shell.VERSION, "property": "data", "value": {"v": 1}}],
        [{"id": AlertIds.HELD, "property": "data", "value": None}],
    )
    assert "sat-a" in str(out["response"][AlertIds.FIRING]["children"])
    digests = out["response"][AlertIds.HELD]["data"]
    again = _call(
        client,
        app,
        "ac-firing.children",
        [{"id": Shell.VERSION, "property": "data", "value": {"v": 2}}],
        [{"id": AlertIds.HELD, "property": "data", "value": digests}],
    )
    assert again is None  # nothing changed: nothing sent

    fp = alert["fingerprint"]
    ack = [{"id": {"type": AlertIds.ACKNOWLEDGE, "index": fp}, "property": "n_clicks", "value": 1}]
    inputs = [ack, [], [], []]
    state = [
        {"id": AlertIds.COMMENT, "property": "value", "value": "host rebooting"},
        {"id": AlertIds.DURATION, "property": "value", "value": 60},
    ]
    out = _call(client, app, "ac-status.children", inputs, state)
    assert out["response"][AlertIds.STATUS]["children"] == "Acknowledged"
    [row] = ctx.alerts.store.history(event="acknowledged")
    assert row["comment"] == "host rebooting" and row["actor"] == "loopback:127.0.0.1"

    filters = [
        {"id": i, "property": "value", "value": v}
        for i, v in (
            (AlertIds.FILTER_SEVERITY, None),
            (AlertIds.FILTER_TYPE, None),
            (AlertIds.FILTER_EVENT, None),
            (AlertIds.FILTER_HOURS, 720),
            (AlertIds.FILTER_TEXT, None),
        )
    ]
    out = _call(client, app, "ac-download.data", [{"id": AlertIds.EXPORT, "property": "n_clicks", "value": 1}], filters)
    content = out["response"][AlertIds.DOWNLOAD]["data"]["content"]
    assert "acknowledged" in content and "firing" in content and "sat-a" in content

"""Hostile clients against the HTTP surface: errors, sizes, Host/Origin on writes.

Each test is the attack from issue 15: an unknown /api/ path, a wrong method, Redis down, a
100k-deep or oversized body, and a DNS-rebinding page writing to a dashboard on loopback.
"""

from __future__ import annotations

import json
import uuid

import pytest

from app import create_app
from tests.conftest import build_services, make_settings

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
SILENCE = {"type": "queue_overflow", "duration_minutes": 43200, "comment": "rebinding"}


@pytest.fixture
def client_for(tmp_path):
    made = []

    def make(**overrides):
        svc = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", **overrides)
        app = create_app(svc.settings, services=svc, start_background=False)
        made.append((app, svc))
        return app.server.test_client()

    yield make
    for app, svc in made:
        app.server.extensions["mission_control"].stop()
        svc.dispose()


def _json_error(resp, status: int) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/json"
    assert resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert "Traceback" not in json.dumps(body)
    return body["error"]


def test_unknown_api_paths_and_wrong_methods_are_json(client_for):
    c = client_for()
    assert "no such API endpoint" in _json_error(c.get("/api/v1/nope"), 404)
    assert "no such API endpoint" in _json_error(c.post("/api/v1/nope/deeper", json={}), 404)
    resp = c.get("/api/v1/quotas/consume")
    assert "use POST" in _json_error(resp, 405) and "POST" in resp.headers["Allow"]
    assert "use GET" in _json_error(c.delete("/api/v1/snapshot"), 405)
    assert c.get("/no-such-page").mimetype == "text/html"  # the dashboard's own 404 page stays


def test_api_reads_are_not_stored_by_caches(client_for):
    c = client_for()
    for path in ("/api/v1/quotas", "/api/v1/snapshot", "/api/v1/alerts/silences"):
        assert c.get(path).headers["Cache-Control"] == "no-store", path


def test_quotas_with_redis_down_is_json_503(tmp_path):
    settings = make_settings(
        database_url=f"sqlite:///{tmp_path / 'lp.db'}", redis_url="redis://127.0.0.1:1/0", simulate="off"
    )
    app = create_app(settings, start_background=False)
    try:
        message = _json_error(app.server.test_client().get("/api/v1/quotas"), 503)
        assert "offline" in message or "unavailable" in message
    finally:
        app.server.extensions["mission_control"].stop()


def test_an_unexpected_error_is_json_500_without_details(client_for):
    c = client_for()
    server = c.application

    def boom():
        raise RuntimeError("secret internals /srv/app/db.py line 12")

    server.add_url_rule("/api/v1/_boom", "boom", boom)
    resp = c.get("/api/v1/_boom")
    message = _json_error(resp, 500)
    assert "secret internals" not in resp.get_data(as_text=True) and "server log" in message


def test_oversized_and_deeply_nested_bodies_are_refused_cleanly(client_for):
    c = client_for(max_request_bytes=64 * 1024)
    big = json.dumps({"provider": "serpstack", "units": 1, "caller": "x" * 200_000})
    assert "MC_MAX_REQUEST_BYTES" in _json_error(
        c.post("/api/v1/quotas/consume", data=big, content_type="application/json", environ_base=LOOPBACK), 413
    )
    deep = "[" * 100_000 + "]" * 100_000
    assert "nested too deeply" in _json_error(
        c.post("/api/v1/quotas/consume", data=deep[:60_000], content_type="application/json", environ_base=LOOPBACK),
        400,
    )
    # Dash's own callback route is bounded by the same limit.
    assert c.post("/_dash-update-component", data=big, content_type="application/json").status_code == 413


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"Host": "evil.example"}, "DNS rebinding"),
        ({"Host": "evil.example:8050", "Origin": "http://evil.example:8050"}, "DNS rebinding"),
        ({"Host": "127.0.0.1:8050", "Origin": "https://evil.example"}, "another site"),
        ({"Host": "localhost", "Origin": "null"}, "opaque origin"),
    ],
)
def test_a_foreign_host_or_origin_cannot_write_through_loopback(client_for, headers, why):
    c = client_for()
    resp = c.post("/api/v1/alerts/silences", json=SILENCE, headers=headers, environ_base=LOOPBACK)
    assert why in _json_error(resp, 403)
    dash = c.post("/_dash-update-component", json={}, headers=headers, environ_base=LOOPBACK)
    assert dash.status_code == 403  # the page's own actions are writes too
    assert c.get("/api/v1/alerts/silences").get_json()["silences"] == []


def test_allowed_hosts_and_same_origin_writes_pass(client_for):
    c = client_for(public_url="https://mc.example.org", allowed_hosts=("ops.example.org",))
    for headers in (
        {"Host": "127.0.0.1:8050", "Origin": "http://127.0.0.1:8050"},
        {"Host": "localhost:8050"},
        {"Host": "mc.example.org", "Origin": "https://mc.example.org"},
        {"Host": "ops.example.org"},
    ):
        resp = c.post("/api/v1/alerts/silences", json=SILENCE, headers=headers, environ_base=LOOPBACK)
        assert resp.status_code == 201, (headers, resp.get_json())
    # Reads are not writes: a foreign Host may still read.
    assert c.get("/api/v1/alerts/silences", headers={"Host": "evil.example"}).status_code == 200

"""The quota HTTP API on a bare Flask app (Flask test client), plus the HTTP client against a
real server on loopback."""

from __future__ import annotations

import threading
import uuid
from types import SimpleNamespace

import flask
import pytest
from conftest import build_services
from test_quota_support import ALL_KEYS, manager
from werkzeug.serving import make_server

from api.quotas import register_quota_api
from quotas.client import HttpQuotaClient, LocalQuotaClient, connect
from quotas.errors import NoQuotaLeft, QuotaError, UnknownProvider

CONTRACT_KEYS = {
    "api_name",
    "limit",
    "used",
    "remaining",
    "reset_date",
    "percentage_used",
    "status",
    "predicted_exhaustion_date",
    "recommended_action",
}
REMOTE = {"REMOTE_ADDR": "10.1.2.3"}


@pytest.fixture
def svc(tmp_path):
    s = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", api_keys=ALL_KEYS)
    yield s
    s.dispose()


def make_app(svc, token=None, quotas="default"):
    ctx = SimpleNamespace(
        settings=SimpleNamespace(api_token=token), quotas=manager(svc) if quotas == "default" else quotas
    )
    app = flask.Flask("quota-test")
    register_quota_api(app, ctx)
    register_quota_api(app, ctx)  # idempotent
    return app, ctx


def test_get_lists_the_contract_statuses(svc):
    app, ctx = make_app(svc)
    ctx.quotas.consume("serpstack", 250)
    resp = app.test_client().get("/api/v1/quotas", environ_base=REMOTE)  # reads are open
    assert resp.status_code == 200
    body = resp.get_json()
    assert [s["api_name"] for s in body][:2] == ["serpstack", "valueserp"] and len(body) == 7
    serp = body[0]
    assert set(serp) >= CONTRACT_KEYS
    assert (serp["limit"], serp["used"], serp["remaining"], serp["percentage_used"]) == (1000, 250, 750, 25.0)
    assert serp["masked_key"] == "••••1a2b"


def test_consume_happy_path_and_refusal(svc):
    app, _ = make_app(svc)
    c = app.test_client()
    resp = c.post("/api/v1/quotas/consume", json={"provider": "hunter_io", "units": 2, "caller": "prospector"})
    assert (resp.status_code, resp.get_json()) == (200, {"granted": True, "used": 2, "remaining": 48})
    assert c.post("/api/v1/quotas/consume", json={"provider": "hunter_io", "units": 48}).status_code == 200
    resp = c.post("/api/v1/quotas/consume", json={"provider": "hunter_io"})
    assert (resp.status_code, resp.get_json()) == (429, {"granted": False, "used": 50, "remaining": 0})


def test_route_happy_path_and_429(svc):
    app, ctx = make_app(svc)
    c = app.test_client()
    resp = c.post("/api/v1/quotas/route", json={"query_type": "serp_positions", "priority": "high"})
    assert resp.status_code == 200
    assert resp.get_json()["provider"] == "serpstack" and resp.get_json()["emergency_backup"] is False
    ctx.quotas.consume("serpstack", 1000)
    resp = c.post("/api/v1/quotas/route", json={"query_type": "serp_positions"})
    assert resp.get_json()["provider"] == "valueserp" and resp.get_json()["emergency_backup"] is True
    ctx.quotas.consume("valueserp", 100)
    resp = c.post("/api/v1/quotas/route", json={"query_type": "serp_positions"})
    assert resp.status_code == 429
    assert "out of quota" in resp.get_json()["error"]
    assert ctx.quotas.recent_decisions(1)[0]["caller"] == "http:client"


@pytest.mark.parametrize(
    "path, kwargs, message",
    [
        ("consume", {"data": "{not json", "content_type": "application/json"}, "the body must be JSON"),
        ("consume", {"json": [1, 2]}, "the body must be a JSON object"),
        ("consume", {"json": {"units": 1}}, "'provider' is required"),
        ("consume", {"json": {"provider": "bingo", "units": 1}}, "unknown provider 'bingo'"),
        (
            "consume",
            {"json": {"provider": "serpstack", "units": 0}},
            "units must be a whole number from 1 to 1,000,000, not 0",
        ),
        (
            "consume",
            {"json": {"provider": "serpstack", "units": -5}},
            "units must be a whole number from 1 to 1,000,000, not -5",
        ),
        ("consume", {"json": {"provider": "serpstack", "units": "3"}}, "units must be a whole number"),
        ("consume", {"json": {"provider": "serpstack", "units": 1.5}}, "units must be a whole number"),
        ("route", {"data": "nope", "content_type": "text/plain"}, "the body must be JSON"),
        ("route", {"json": {}}, "'query_type' is required"),
        ("route", {"json": {"query_type": "weather"}}, "no provider serves query type 'weather'"),
        ("route", {"json": {"query_type": "serp_positions", "priority": "urgent"}}, "priority must be one of"),
        ("calls", {"json": {"ok": True, "response_time_ms": 5}}, "'provider' is required"),
        ("calls", {"json": {"provider": "bingo", "ok": True, "response_time_ms": 5}}, "unknown provider 'bingo'"),
        ("calls", {"json": {"provider": "serpstack", "response_time_ms": 5}}, "'ok' is required"),
        ("calls", {"json": {"provider": "serpstack", "ok": "yes", "response_time_ms": 5}}, "'ok' is required"),
        ("calls", {"json": {"provider": "serpstack", "ok": True}}, "'response_time_ms' is required"),
        ("calls", {"json": {"provider": "serpstack", "ok": True, "response_time_ms": -1}}, "response_time_ms must be"),
        ("calls", {"json": {"provider": "serpstack", "ok": True, "response_time_ms": "9"}}, "response_time_ms must be"),
    ],
)
def test_bad_requests_are_400_with_a_clear_message(svc, path, kwargs, message):
    app, ctx = make_app(svc)
    resp = app.test_client().post(f"/api/v1/quotas/{path}", **kwargs)
    assert resp.status_code == 400
    assert resp.get_json()["error"].startswith(message)
    assert ctx.quotas.statuses()[0]["used"] == 0
    assert ctx.quotas.statuses()[0]["performance"]["total_calls"] == 0


def test_call_outcomes_feed_performance_and_the_breaker(svc):
    app, _ = make_app(svc)
    c = app.test_client()
    for ok, ms in ((True, 200), (False, 3000), (False, 3000)):
        resp = c.post("/api/v1/quotas/calls", json={"provider": "serpstack", "ok": ok, "response_time_ms": ms})
        assert resp.status_code == 200 and resp.get_json()["circuit_breaker_state"] == "CLOSED"
    resp = c.post("/api/v1/quotas/calls", json={"provider": "serpstack", "ok": False, "response_time_ms": 3000})
    assert resp.get_json()["circuit_breaker_state"] == "OPEN" and resp.get_json()["consecutive_failures"] == 3
    assert c.post("/api/v1/quotas/calls", json={}, environ_base=REMOTE).status_code == 401  # a write
    serp = c.get("/api/v1/quotas").get_json()[0]
    assert serp["performance"] == {
        "total_calls": 4,
        "successful_calls": 1,
        "average_response_time_ms": 2300.0,
        "success_rate": 0.25,
        "circuit_breaker_state": "OPEN",
    }
    assert serp["circuit_breaker"]["state"] == "OPEN" and serp["circuit_breaker"]["half_open_at"]
    resp = c.post("/api/v1/quotas/route", json={"query_type": "serp_positions"})
    assert resp.get_json()["provider"] == "valueserp" and "circuit open" in resp.get_json()["reason"]


def test_bearer_token_is_required_when_set(svc):
    app, _ = make_app(svc, token="s3cret-token")
    c = app.test_client()
    body = {"provider": "serpstack", "units": 1}
    resp = c.post("/api/v1/quotas/consume", json=body)
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert c.post("/api/v1/quotas/consume", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert (
        c.post("/api/v1/quotas/consume", json=body, headers={"Authorization": "Basic s3cret-token"}).status_code == 401
    )
    good = {"Authorization": "Bearer s3cret-token"}
    resp = c.post("/api/v1/quotas/consume", json=body, headers=good, environ_base=REMOTE)
    assert (resp.status_code, resp.get_json()["used"]) == (200, 1)
    assert c.post("/api/v1/quotas/route", json={"query_type": "subdomains"}).status_code == 401


def test_without_a_token_writes_only_from_loopback(svc):
    app, ctx = make_app(svc)
    c = app.test_client()
    body = {"provider": "serpstack", "units": 1}
    resp = c.post("/api/v1/quotas/consume", json=body, environ_base=REMOTE)
    assert resp.status_code == 401 and "quota writes needs the operator role" in resp.get_json()["error"]
    assert c.post("/api/v1/quotas/route", json={"query_type": "subdomains"}, environ_base=REMOTE).status_code == 401
    assert c.post("/api/v1/quotas/consume", json=body, environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert ctx.quotas.statuses()[0]["used"] == 1


def test_without_a_quota_manager_the_api_answers_503(svc):
    app, _ = make_app(svc, quotas=None)
    c = app.test_client()
    assert c.get("/api/v1/quotas").status_code == 503
    assert c.post("/api/v1/quotas/consume", json={"provider": "serpstack"}).status_code == 503


@pytest.fixture
def live_server(svc):
    """The API on a real HTTP server bound to loopback, with a token."""
    app, ctx = make_app(svc, token="tok")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", ctx
    server.shutdown()


def test_http_client_round_trip(live_server):
    url, ctx = live_server
    client = connect(url, token="tok", caller="lp-worker")
    assert isinstance(client, HttpQuotaClient)
    assert client.route("serp_positions", "high")["provider"] == "serpstack"
    assert client.consume("clearbit", 49) == {"granted": True, "used": 49, "remaining": 1}
    assert client.consume("clearbit", 2) == {"granted": False, "used": 49, "remaining": 1}
    with pytest.raises(UnknownProvider):
        client.consume("bingo")
    with pytest.raises(ValueError):
        client.consume("clearbit", 0)
    fetched = []
    first = client.cached_call("dns_history", {"domain": "a.com"}, lambda p: fetched.append(p) or {"n": 1})
    second = client.cached_call("dns_history", {"domain": "a.com"}, lambda p: fetched.append(p) or {"n": 2})
    assert (first["cached"], second["cached"], second["result"], fetched) == (False, True, {"n": 1}, ["securitytrails"])
    used = {s["api_name"]: s["used"] for s in ctx.quotas.statuses()}
    assert (used["clearbit"], used["securitytrails"]) == (49, 1)
    ctx.quotas.consume("hunter_io", 50)
    with pytest.raises(NoQuotaLeft):
        client.route("contact_discovery")
    assert ctx.quotas.recent_decisions(1)[0]["caller"] == "http:lp-worker"
    with pytest.raises(QuotaError, match="HTTP 401"):
        HttpQuotaClient(url).route("serp_positions")
    # `call` times the fetch here and reports it; a fetch that raises is a failed call.
    assert client.call("company_enrichment", lambda p: p)["result"] == "clearbit"
    with pytest.raises(TimeoutError):
        client.call("javascript_render", _timeout)
    perf = {s["api_name"]: s["performance"] for s in ctx.quotas.statuses()}
    assert (perf["clearbit"]["total_calls"], perf["clearbit"]["successful_calls"]) == (1, 1)
    assert (perf["webscraping_ai"]["total_calls"], perf["webscraping_ai"]["successful_calls"]) == (1, 0)
    assert perf["securitytrails"]["total_calls"] == 1  # the cached_call's miss


def _timeout(provider):
    raise TimeoutError(provider)


def test_local_client_uses_the_manager(svc):
    mgr = manager(svc)
    client = connect(mgr, caller="in-process")
    assert isinstance(client, LocalQuotaClient)
    assert client.consume("builtwith", 3) == {"granted": True, "used": 3, "remaining": 197}
    assert client.route("technology_stack", "high")["provider"] == "builtwith"
    assert client.cached_call("technology_stack", {"d": 1}, lambda p: p)["result"] == "builtwith"
    assert client.statuses()[4]["used"] == 4

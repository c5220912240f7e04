"""The OpenAPI description (api/openapi.py) covers every API route the server has, and only
those; it is served at /api/v1/openapi.json. A route added without a description fails here."""

from __future__ import annotations

import re
import uuid

import pytest

from api.openapi import OPENAPI_PATH, document
from app import create_app
from tests.conftest import build_services

DESCRIBED_OUTSIDE_API = ("/healthz", "/readyz", "/metrics", "/ws/mission-control")
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}


def _openapi_path(rule: str) -> str:
    # Flask's `<converter:name>` / `<name>` is OpenAPI's `{name}`.
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def served_operations(server) -> set[tuple[str, str]]:
    """(path, method) of every API route of `server`, in OpenAPI's spelling."""
    ops = set()
    for rule in server.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule in DESCRIBED_OUTSIDE_API):
            continue
        for method in set(rule.methods or ()) - IMPLICIT_METHODS:
            ops.add((_openapi_path(rule.rule), method.lower()))
    return ops


def described_operations(doc: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item}


@pytest.fixture
def server(tmp_path):
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}")
    app = create_app(services.settings, services=services, start_background=False)
    yield app.server
    app.server.extensions["mission_control"].stop()
    services.dispose()


def test_every_api_route_is_described_and_nothing_else(server):
    served, described = served_operations(server), described_operations(document())
    assert served - described == set(), "routes without an OpenAPI description (api/openapi.py)"
    assert described - served == set(), "described operations no route serves"
    assert ("/api/v1/alerts/{fingerprint}/ack", "post") in served  # the path parameters are translated


def test_a_new_route_without_a_description_is_caught(server):
    server.add_url_rule("/api/v1/widgets/<int:widget_id>", "widgets", lambda widget_id: "", methods=["PUT"])
    assert served_operations(server) - described_operations(document()) == {("/api/v1/widgets/{widget_id}", "put")}


def test_the_document_is_served_and_valid(server):
    resp = server.test_client().get(OPENAPI_PATH)
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert resp.headers["Cache-Control"] == "no-store"
    doc = resp.get_json()
    assert doc == document() and doc["openapi"].startswith("3.1")
    # schemathesis validates the document against the OpenAPI 3.1 meta-schema when it loads it.
    import schemathesis

    schema = schemathesis.openapi.from_dict(doc)
    assert len(list(schema.get_all_operations())) == len(described_operations(doc))


def test_documented_bounds_are_the_enforced_ones():
    from alerts.actions import MAX_SILENCE_MINUTES
    from quotas.manager import MAX_UNITS

    schemas = document()["components"]["schemas"]
    units = schemas["ConsumeRequest"]["properties"]["units"]
    assert (units["type"], units["minimum"], units["maximum"]) == ("integer", 1, MAX_UNITS) == ("integer", 1, 1_000_000)
    minutes = schemas["SilenceRequest"]["properties"]["duration_minutes"]
    assert (minutes["minimum"], minutes["maximum"]) == (1, MAX_SILENCE_MINUTES) == (1, 43_200)
    params = {p["name"]: p["schema"] for p in document()["paths"]["/api/v1/alerts"]["get"]["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 5000)
    assert params["severity"]["enum"] == ["critical", "warning", "info"]

"""Every callback of every page, fed what a hostile client can put in a request (any JSON for
every input and state): never a 500. The answer is an update (200), nothing (204), or a 400
with a one-line JSON message (ui.inputs.InvalidInput); the app keeps serving afterwards."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.settings import AnalyticsSettings
from tests import analytics_data as ad
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW

HOSTILE_TEXT = st.sampled_from(
    ["", "nan", "-5", "1e12", "abc", "<a href='https://evil.example'>x</a>", "\u202egnp.exe", "x" * 5000, "__all__"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    HOSTILE_TEXT,
    st.text(max_size=40),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def app_client(tmp_path_factory):
    watch = AnalyticsSettings(tracked_domains=(ad.MINE,), competitor_domains=(ad.RIVAL,))
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'lp.db'}"
    services = build_services(url, f"memory://{uuid.uuid4().hex}", "M", analytics=watch)
    ad.load(services)
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        yield app, app.server.test_client()
    services.dispose()


def _callbacks(app) -> list[tuple[str, dict]]:
    """The server-side callbacks (clientside ones run in the browser and have no function here)."""
    return sorted((k, v) for k, v in app.callback_map.items() if "callback" in v)


def _request(output: str, spec: dict, values: list) -> dict:
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in output.strip(".").split("...")]
    if not output.startswith(".."):
        outputs = outputs[0]
    inputs, states = spec["inputs"], spec["state"]
    given_inputs = [{**i, "value": v} for i, v in zip(inputs, values[: len(inputs)])]
    given_states = [{**s, "value": v} for s, v in zip(states, values[len(inputs) :])]
    return {
        "output": output,
        "outputs": outputs,
        "inputs": given_inputs,
        "state": given_states,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"] if inputs else [],
    }


def test_every_callback_is_listed(app_client):
    app, _client = app_client
    names = " ".join(k for k, _ in _callbacks(app))
    for page_output in ("main-digests.data", "disc-held.data", "dom-held.data", "perf-held.data", "quota-"):
        assert page_output in names


@settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_callback_input_gives_a_server_error(app_client, data):
    app, client = app_client
    output, spec = data.draw(st.sampled_from(_callbacks(app)), label="callback")
    count = len(spec["inputs"]) + len(spec["state"])
    values = data.draw(st.lists(JSON_VALUES, min_size=count, max_size=count), label="values")
    response = client.post("/_dash-update-component", json=_request(output, spec, values))
    assert response.status_code in (200, 204, 400), (output, values, response.get_data(as_text=True)[:300])
    if response.status_code == 400:
        body = response.get_json()
        assert body["error"] == "invalid_input" and body["message"], body


# One hostile value at a time in each position, the others empty: every callback, every input.
HOSTILE_VALUES = [
    True,
    5,
    10**30,
    -5,
    1.5,
    "nan",
    "abc",
    "",
    "x" * 5000,
    [],
    [1, "a"],
    {},
    {"a": 1},
    {"points": [{"x": "zzz", "y": 5}]},
    {"points": [1]},
    {"row": 99, "column": 1},
    {"row": True},
]


def test_each_hostile_value_in_each_position_of_each_callback(app_client):
    app, client = app_client
    failures = []
    for output, spec in _callbacks(app):
        count = len(spec["inputs"]) + len(spec["state"])
        for position in range(count):
            for value in HOSTILE_VALUES:
                values = [None] * count
                values[position] = value
                response = client.post("/_dash-update-component", json=_request(output, spec, values))
                if response.status_code not in (200, 204, 400):
                    failures.append((output, position, repr(value)[:40], response.status_code))
    assert failures == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        "x",
        {"output": 5},
        {"output": "a.b", "outputs": "x", "inputs": []},
        {"output": "disc-held.data", "outputs": {"id": "disc-held", "property": "data"}, "inputs": "abc"},
        {"output": "disc-held.data", "outputs": {"id": "disc-held", "property": "data"}, "inputs": [5]},
        {"output": "disc-held.data", "outputs": {"id": "x", "property": "y"}, "inputs": [], "changedPropIds": [1]},
    ],
)
def test_a_request_that_is_not_a_callback_request_is_refused(app_client, body):
    _app, client = app_client
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert response.get_json()["message"].startswith("not a callback request: ")

"""The page sink: no bidi override or zero-width character in any Dash response, whichever
way the JSON encoder wrote it, without breaking the JSON around it."""

from __future__ import annotations

import json

import pytest

from ui.invisible import strip_from_json

CASES = ["sat\u202e-1\u200b", "x\\u202e", "x\\\u202e", "a\\\\\u2066b", "\ufeffbom", "plain"]


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("value", CASES)
def test_invisible_characters_are_gone_and_the_json_still_parses(value, ensure_ascii):
    body = json.dumps({"children": [value, {"props": {"title": value}}]}, ensure_ascii=ensure_ascii).encode()
    out = json.loads(strip_from_json(body))
    expected = "".join(c for c in value if c not in "\u202e\u200b\u2066\ufeff")
    assert out == {"children": [expected, {"props": {"title": expected}}]}


def test_a_dash_response_carries_no_bidi_override(tmp_path):
    """A satellite id with a right-to-left override reaches the page without it."""
    from app import create_app
    from config import load_settings

    settings = load_settings(
        {"SIMULATOR_ENABLED": "false", "DATABASE_URL": f"sqlite:///{tmp_path}/mc.db"}, dotenv_path=None
    )
    app = create_app(settings, start_background=False)
    try:
        app.server.extensions["mission_control"].snapshots.publish(
            {"mc": {"fleet": [{"satellite_id": "sat\u202egnp.exe", "status": "active"}]}}
        )
        body = app.server.test_client().get("/_dash-layout", headers={"Referer": "http://localhost/"}).get_data()
        assert b"gnp.exe" in body and "\u202e".encode() not in body and b"\\u202e" not in body
    finally:
        app.server.extensions["mission_control"].stop()

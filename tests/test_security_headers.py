"""Security headers on every response (api/headers.py) and MC_FRAME_ANCESTORS; in Chromium, every
page (the wall's kiosk mode and the embedded mode too) loads under the policy with no violation."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from flask import session

from api.headers import content_security_policy
from config import ConfigError, load_settings
from pages import PAGES
from tests.browser import CSP_VIOLATION_RECORDER, FILLED_PAGE_TEXT, csp_problems, wait_filled, wait_for
from tests.conftest import build_services, ticked_app

NOW = dt.datetime(2026, 3, 2, 12, 0, 0)


def ancestors(value: str) -> tuple[str, ...]:
    return load_settings({"MC_FRAME_ANCESTORS": value}, dotenv_path=None).frame_ancestors


def test_frame_ancestors_default_to_the_app_itself():
    assert load_settings({}, dotenv_path=None).frame_ancestors == ("'self'",)


def test_frame_ancestors_are_origins_compared_as_browsers_write_them():
    assert ancestors("'self'  HTTPS://LP.Example.org:443 http://localhost:8080/ https://lp.example.org") == (
        "'self'",
        "https://lp.example.org",
        "http://localhost:8080",
    )
    assert ancestors("'none'") == ("'none'",)
    assert ancestors("http://[::1]:9000") == ("http://[::1]:9000",)


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("*", "'*' must be 'self' or an origin"),
        ("https://*.example.org", "no wildcard"),
        ("lp.example.org", "'lp.example.org' must be 'self' or an origin"),
        ("https://lp.example.org/app", "no path"),
        ("ftp://lp.example.org", "must be 'self' or an origin"),
        ("javascript:alert(1)", "must be 'self' or an origin"),
        ("https://lp.example.org:99999", "is not an origin"),
        ("'none' 'self'", "'none' cannot be combined"),
        ("self", "must be 'self' or an origin"),
        ("https://user@lp.example.org", "must be 'self' or an origin"),
    ],
)
def test_a_bad_frame_ancestor_stops_start_up(value, needle):
    with pytest.raises(ConfigError) as err:
        ancestors(value)
    assert str(err.value).startswith("MC_FRAME_ANCESTORS") and needle in str(err.value)


def _app(tmp_path, **overrides):
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", **overrides)
    return services


@pytest.fixture
def app(tmp_path):
    services = _app(tmp_path, frame_ancestors=("'self'", "https://lp.example.org"))
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        yield app
    services.dispose()


def test_every_response_carries_the_headers(app):
    client = app.server.test_client()
    answers = {
        "page": client.get("/discovery"),
        "layout": client.get("/_dash-layout"),
        "asset": client.get("/assets/embed.js"),
        "api": client.get("/api/v1/snapshot"),
        "api error": client.get("/api/v1/nowhere"),
        "health": client.get("/healthz"),
        "refused write": client.post("/api/v1/quotas/consume", headers={"Origin": "https://evil.example"}),
    }
    for what, resp in answers.items():
        policy = resp.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'self' https://lp.example.org" in policy, what
        assert resp.headers.get("X-Content-Type-Options") == "nosniff", what
        assert resp.headers.get("Referrer-Policy") == "same-origin", what
        assert "X-Frame-Options" not in resp.headers, what
    assert answers["refused write"].status_code == 403


def test_the_policy_allows_only_the_apps_own_scripts(app):
    policy = dict(
        d.partition(" ")[::2] for d in app.server.test_client().get("/").headers["Content-Security-Policy"].split("; ")
    )
    scripts = policy["script-src"].split()
    # The app's files and Dash's inline start-up script, by hash: no 'unsafe-inline', no eval.
    assert scripts[0] == "'self'" and all(s.startswith("'sha256-") for s in scripts[1:]), scripts
    assert set(app.csp_hashes()) == set(scripts[1:])
    assert policy["connect-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["default-src"] == "'self'" and policy["base-uri"] == "'self'"


def test_the_policy_names_each_directive_once():
    policy = content_security_policy(["'sha256-x'"], ["'none'"])
    names = [d.split(" ", 1)[0] for d in policy.split("; ")]
    assert len(names) == len(set(names)) and policy.endswith("frame-ancestors 'none'")


def _set_session_cookie(app) -> str:
    app.server.secret_key = "test"

    @app.server.get("/test-sign-in")
    def sign_in():
        session["user"] = "ops"
        return "ok"

    return app.server.test_client().get("/test-sign-in").headers["Set-Cookie"]


def test_a_session_cookie_works_in_a_third_party_iframe(app):
    """The app sets no cookie today; the session cookie sign-in will use is ready for an
    iframe on another site: SameSite=None, Secure (required by None) and Partitioned (CHIPS)."""
    cookie = _set_session_cookie(app)
    assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie


def test_without_a_foreign_parent_the_session_cookie_stays_first_party(tmp_path):
    services = _app(tmp_path)
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        cookie = _set_session_cookie(app)
        assert "SameSite=Lax" in cookie and "Partitioned" not in cookie
        for path in ("/", "/_dash-layout", "/api/v1/snapshot", "/assets/wall.js"):
            assert "Set-Cookie" not in app.server.test_client().get(path).headers, path
    services.dispose()


# -- in Chromium ----------------------------------------------------------------------------
@pytest.mark.browser
def test_every_page_loads_under_the_policy_without_a_violation(app, chrome, serve):
    assert set(FILLED_PAGE_TEXT) == {p.path for p in PAGES}, "a page was added: say what it shows when filled"
    base = serve(app)
    chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_VIOLATION_RECORDER})
    visits = [(path, "") for path in FILLED_PAGE_TEXT] + [("/", "?kiosk=1"), ("/discovery", "?embed=1")]
    for path, query in visits:
        chrome.get(base + path + query)
        wait_filled(chrome, path, path + query)
        assert csp_problems(chrome) == [], f"{path}{query}"
    # The recorder works: an inline script is refused and seen.
    chrome.execute_script("const s = document.createElement('script'); s.textContent = '1'; document.body.append(s)")
    wait_for(chrome, lambda d: d.execute_script("return window.__csp.length"), message="a recorded violation")

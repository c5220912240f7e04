"""MC_URL_PREFIX: the app under a sub-path behind a reverse proxy, whether or not the proxy strips
the prefix (api/url_prefix.py), pages resolved without it, links and notices with it. The real
proxy (nginx) and a browser are in tests/test_nginx_prefix.py."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest

from alerts.notice_text import alerts_link
from config import ConfigError, load_settings
from pages import PAGES
from pages.shell.ids import ShellIds as Shell
from pages.shell.model import wall_config
from tests.conftest import build_services, ticked_app
from tests.dash_client import call
from ui.page import normal_path, page_at, public_path

NOW = dt.datetime(2026, 3, 2, 12, 0, 0)


def settings(**env: str):
    return load_settings(env, dotenv_path=None)


@pytest.mark.parametrize(
    ("value", "prefix"),
    [(None, "/"), ("/", "/"), ("/mc", "/mc/"), ("/mc/", "/mc/"), ("/tools/mc-1.0/", "/tools/mc-1.0/")],
)
def test_the_prefix_is_normalised(value, prefix):
    env = {} if value is None else {"MC_URL_PREFIX": value}
    assert settings(**env).url_prefix == prefix


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"MC_URL_PREFIX": "mc"}, "MC_URL_PREFIX='mc' must be a path such as /mc/"),
        ({"MC_URL_PREFIX": "/a/../b/"}, "must be a path"),
        ({"MC_URL_PREFIX": "/mc/?x=1"}, "must be a path"),
        ({"MC_URL_PREFIX": "/m c/"}, "must be a path"),
        ({"MC_URL_PREFIX": '/"><script>/'}, "must be a path"),
        ({"DASH_URL_BASE_PATHNAME": "/a/", "MC_URL_PREFIX": "/b/"}, "contradicts MC_URL_PREFIX"),
        ({"DASH_ROUTES_PATHNAME_PREFIX": "/mc/"}, "DASH_ROUTES_PATHNAME_PREFIX is not supported: set MC_URL_PREFIX"),
        ({"DASH_REQUESTS_PATHNAME_PREFIX": "/mc/"}, "DASH_REQUESTS_PATHNAME_PREFIX is not supported"),
        ({"MC_PUBLIC_URL": "https://lp.example.org/other/", "MC_URL_PREFIX": "/mc/"}, "MC_PUBLIC_URL's path"),
        ({"MC_PUBLIC_URL": "https://lp.example.org/mc/"}, "must be empty or MC_URL_PREFIX ('/')"),
    ],
)
def test_a_bad_prefix_stops_start_up_naming_the_variable(env, needle):
    with pytest.raises(ConfigError) as err:
        settings(**env)
    assert needle in str(err.value)


def test_dash_url_base_pathname_is_an_alias_of_the_prefix():
    assert settings(DASH_URL_BASE_PATHNAME="/mc/").url_prefix == "/mc/"
    assert settings(DASH_URL_BASE_PATHNAME="/mc/", MC_URL_PREFIX="/mc").url_prefix == "/mc/"


def test_page_paths_are_resolved_without_the_prefix():
    assert normal_path("/mc/discovery/?x=1", "/mc/") == "/discovery"
    assert normal_path("/mc", "/mc/") == normal_path("/mc/", "/mc/") == "/"
    # Only a whole leading segment is the prefix.
    assert normal_path("/mcx/discovery", "/mc/") == "/mcx/discovery"
    assert page_at("/mc/quotas", PAGES, "/mc/").path == "/quotas"
    assert page_at("/quotas", PAGES, "/mc/").path == "/quotas"
    assert page_at("/mc/nowhere", PAGES, "/mc/") is None
    assert [public_path(p, "/mc/") for p in ("/", "/alerts")] == ["/mc/", "/mc/alerts"]
    assert [public_path(p) for p in ("/", "/alerts")] == ["/", "/alerts"]


def test_notices_and_the_wall_link_under_the_prefix():
    s = settings(MC_PUBLIC_URL="https://lp.example.org", MC_URL_PREFIX="/mc/")
    assert s.dashboard_url == "https://lp.example.org/mc"
    assert alerts_link({"dashboard_url": s.dashboard_url}) == "https://lp.example.org/mc/alerts"
    # MC_PUBLIC_URL may name the prefix itself.
    assert settings(MC_PUBLIC_URL="https://lp.example.org/mc/", MC_URL_PREFIX="/mc/").dashboard_url == s.dashboard_url
    assert settings(PORT="9000", MC_URL_PREFIX="/mc/").dashboard_url == "http://127.0.0.1:9000/mc"
    assert settings().dashboard_url == "http://127.0.0.1:8050"
    pages = wall_config(s, PAGES)["pages"]
    assert pages["mission"] == "/mc/" and pages["discovery"] == "/mc/discovery"


@pytest.fixture
def prefixed_app(tmp_path):
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", url_prefix="/mc/")
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        yield app
    services.dispose()


# The proxy passes the path through (/mc/x) or strips the prefix (/x): both are the same route.
@pytest.mark.parametrize("sent", ["/mc", ""], ids=["passed-through", "stripped"])
def test_every_route_answers_under_the_prefix(prefixed_app, sent):
    client = prefixed_app.server.test_client()
    index = client.get(sent + "/discovery")
    assert index.status_code == 200
    html = index.get_data(as_text=True)
    # Every script and stylesheet the page asks for is under the public prefix.
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/mc/") for a in assets), assets
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["requests_pathname_prefix"] == "/mc/"
    for path in assets:
        assert client.get(path[len("/mc") :] if not sent else path).status_code == 200, path
    assert client.get(sent + "/healthz").status_code == 200
    snapshot = client.get(sent + "/api/v1/snapshot")
    assert snapshot.status_code == 200 and "crawler_mission_status" in snapshot.get_json()
    assert client.get(sent + "/api/v1/nowhere").get_json()["error"]
    layout = client.get(sent + "/_dash-layout", headers={"Referer": "https://lp.example.org/mc/quotas?embed=1"})
    # The first paint found the page of the Referer's path under the prefix.
    assert layout.status_code == 200 and "FREE-TIER USAGE" in layout.get_data(as_text=True)


def _navigate(app, pathname: str) -> tuple[str, str]:
    """The shell's route callback for a browser at `pathname`: (page path held, page as JSON)."""
    status, _, body = call(
        app.server.test_client(),
        app,
        f"{Shell.PAGE}.children",
        [{"id": Shell.URL, "property": "pathname", "value": pathname}],
        [{"id": Shell.RENDERED, "property": "data", "value": None}],
    )
    assert status == 200
    return body["response"][Shell.RENDERED]["data"], json.dumps(body["response"][Shell.PAGE]["children"])


def test_navigation_resolves_public_paths(prefixed_app):
    held, page = _navigate(prefixed_app, "/mc/quotas")
    assert held == "/quotas" and "FREE-TIER USAGE" in page
    held, page = _navigate(prefixed_app, "/mc/nowhere")
    assert held == "/nowhere" and "No page at /mc/nowhere" in page


def test_nav_links_carry_the_prefix(prefixed_app):
    layout = prefixed_app.server.test_client().get("/mc/_dash-layout").get_json()
    hrefs = set(_values_of("href", layout))
    assert {"/mc/", "/mc/discovery", "/mc/quotas", "/mc/domains", "/mc/performance", "/mc/alerts"} <= hrefs
    assert not {h for h in hrefs if h.startswith("/") and not h.startswith("/mc/")}, hrefs


def _values_of(key: str, tree):
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == key and isinstance(v, str):
                yield v
            yield from _values_of(key, v)
    elif isinstance(tree, list):
        for item in tree:
            yield from _values_of(key, item)


def test_dash_url_base_pathname_in_the_environment_serves_pages(tmp_path, monkeypatch):
    """The variable Dash reads by itself no longer gives "No page at /mc/…": it is read as the
    prefix, and Dash does not see it."""
    monkeypatch.setenv("DASH_URL_BASE_PATHNAME", "/mc/")
    s = load_settings({"DASH_URL_BASE_PATHNAME": "/mc/"}, dotenv_path=None)
    services = build_services(
        f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}", url_prefix=s.url_prefix
    )
    try:
        with ticked_app(services, NOW) as (app, _ctx, _loop):
            client = app.server.test_client()
            layout = client.get("/mc/_dash-layout", headers={"Referer": "http://127.0.0.1/mc/discovery"})
            text = layout.get_data(as_text=True)
            assert "No page at" not in text and "DISCOVERY RADAR" in text
    finally:
        services.dispose()

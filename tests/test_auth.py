"""Sign-in and roles on PostgreSQL + Redis, over the app's real request handling: a viewer
cannot acknowledge (403 with the reason) while an operator can; Link Profiler's JWTs sign in
only when signed with its secret and unexpired; a revoked kiosk token stops on the next
request; a form or Dash callback post without its CSRF token is refused; the proxy header is
ignored from an untrusted peer; passwords are stored as argon2 hashes; failed sign-ins lock out."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import sqlalchemy as sa

from app import create_app
from auth import __main__ as auth_cli
from auth import users as auth_users
from auth.settings import AuthSettings, parse_networks
from auth.tables import kiosk_tokens, users
from common.identity import Role
from pages.alerts.ids import AlertIds
from tests.conftest import build_services
from tests.test_alert_support import FAST, at, fleet_doc, make_engine

LP_SECRET = "link-profiler-secret-0123456789abcdef"
PROXY = "10.0.0.5"
STRANGER = "10.9.9.9"
PASSWORD = "correct horse battery"


def auth_settings(**changes) -> AuthSettings:
    base = dict(
        required=True,
        lp_jwt_secret=LP_SECRET,
        proxy_header="X-Forwarded-User",
        proxy_role_header="X-Forwarded-Role",
        trusted_proxies=parse_networks(PROXY),
        max_failures=3,
    )
    return AuthSettings(**{**base, **changes})


@pytest.fixture
def world(pg_url, redis_url):
    """An app on PostgreSQL + Redis with sign-in required, users of each role, Link Profiler's
    `users` table (as its deployment has it) and one firing alert."""
    services = build_services(pg_url, redis_url, "M", auth=auth_settings())
    with services.engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE users (id VARCHAR PRIMARY KEY, username VARCHAR UNIQUE NOT NULL, email VARCHAR,"
                " hashed_password VARCHAR NOT NULL, is_active BOOLEAN, is_admin BOOLEAN, created_at TIMESTAMP)"
            )
        )
        for name, active, admin in (("lp-admin", True, True), ("lp-user", True, False), ("lp-gone", False, True)):
            conn.execute(
                sa.text("INSERT INTO users VALUES (:n, :n, :e, 'x', :a, :ad, now())"),
                {"n": name, "e": f"{name}@example.org", "a": active, "ad": admin},
            )
    for name, role in (("vera", Role.VIEWER), ("otto", Role.OPERATOR), ("ada", Role.ADMIN)):
        auth_users.add_user(services.mc_engine, name, PASSWORD, role)
    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    make_engine(ctx, FAST)
    ctx.alerts.clock = lambda: at(1)
    doc = fleet_doc(dead=("sat-a",))
    doc["alerts"] = ctx.alerts.evaluate(doc, at(1))
    ctx.snapshots.publish(doc)
    yield app, ctx, doc["alerts"][0]["fingerprint"]
    ctx.stop()
    services.dispose()


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, name: str, password: str = PASSWORD, with_token: bool = True):
    page = client.get("/signin")
    assert page.status_code == 200
    form = {"name": name, "password": password}
    if with_token:
        form["csrf_token"] = form_token(page.get_data(as_text=True))
    return client.post("/signin", data=form)


def csrf_header(client) -> dict:
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None, "signed in: the readable CSRF cookie is set"
    return {"X-CSRFToken": cookie.value}


def ack(client, fp: str, headers=None, comment: str = "on it"):
    return client.post(f"/api/v1/alerts/{fp}/ack", json={"comment": comment}, headers=headers or {})


def test_a_viewer_cannot_acknowledge_and_an_operator_can(world):
    app, ctx, fp = world
    viewer = app.server.test_client()
    assert sign_in(viewer, "vera").status_code == 303
    refused = ack(viewer, fp, csrf_header(viewer))
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "alert changes needs the operator role; vera (session) is a viewer"
    assert ctx.alerts.store.history(event="acknowledged") == []

    operator = app.server.test_client()
    assert sign_in(operator, "otto").status_code == 303
    done = ack(operator, fp, csrf_header(operator))
    assert done.status_code == 200 and done.get_json()["acknowledged_by"] == "otto"
    [row] = ctx.alerts.store.history(event="acknowledged")
    assert row["actor"] == "otto"


def test_anonymous_requests_need_sign_in_but_health_stays_open(world):
    app, _ctx, fp = world
    client = app.server.test_client()
    page = client.get("/alerts")
    assert page.status_code == 303 and page.headers["Location"] == "/signin?next=/alerts"
    api = client.get("/api/v1/alerts/silences")
    assert api.status_code == 401 and "sign in first" in api.get_json()["error"]
    # Even from loopback: with sign-in required there is no demo operator.
    assert ack(client, fp).status_code == 401
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_sign_in_form_refuses_a_post_without_its_csrf_token_and_wrong_passwords(world):
    app, _ctx, _fp = world
    client = app.server.test_client()
    resp = sign_in(client, "otto", with_token=False)
    assert resp.status_code == 403 and "The form had expired" in resp.get_data(as_text=True)
    assert client.get("/api/v1/alerts/silences").status_code == 401  # not signed in
    wrong = sign_in(client, "otto", "not the password")
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.get_data(as_text=True)
    hostile = sign_in(client, "<script>alert(1)</script>", "x")
    assert "<script>alert(1)" not in hostile.get_data(as_text=True)  # the name comes back escaped
    assert "&lt;script&gt;" in hostile.get_data(as_text=True)


def test_a_session_write_without_its_csrf_token_is_refused_api_and_dash(world):
    app, ctx, fp = world
    client = app.server.test_client()
    sign_in(client, "otto")
    refused = ack(client, fp)
    assert refused.status_code == 403 and "CSRF" in refused.get_json()["error"]
    wrong = ack(client, fp, {"X-CSRFToken": "x" * 43})
    assert wrong.status_code == 403

    key = next(k for k in app.callback_map if "ac-status.children" in k)
    body = {
        "output": key,
        "outputs": {"id": AlertIds.STATUS, "property": "children"},
        "inputs": [
            [{"id": {"type": AlertIds.ACKNOWLEDGE, "index": fp}, "property": "n_clicks", "value": 1}],
            [],
            [],
            [],
        ],
        "state": [
            {"id": AlertIds.COMMENT, "property": "value", "value": "rebooting"},
            {"id": AlertIds.DURATION, "property": "value", "value": 60},
        ],
        "changedPropIds": [
            json.dumps({"index": fp, "type": AlertIds.ACKNOWLEDGE}, separators=(",", ":")) + ".n_clicks"
        ],
    }
    blocked = client.post("/_dash-update-component", json=body)
    assert blocked.status_code == 403 and "CSRF" in blocked.get_json()["error"]
    assert ctx.alerts.store.history(event="acknowledged") == []
    # The header Dash's renderer copies from the _csrf_token cookie lets it through.
    done = client.post("/_dash-update-component", json=body, headers=csrf_header(client))
    assert done.status_code == 200
    assert done.get_json()["response"][AlertIds.STATUS]["children"] == "Acknowledged"
    [row] = ctx.alerts.store.history(event="acknowledged")
    assert (row["actor"], row["comment"]) == ("otto", "rebooting")


def lp_token(name: str, secret: str = LP_SECRET, minutes: int = 30) -> str:
    exp = datetime.now(UTC) + timedelta(minutes=minutes)
    return jwt.encode({"sub": name, "exp": exp}, secret, algorithm="HS256")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_link_profiler_jwts_sign_in_only_with_its_secret(world):
    app, _ctx, fp = world
    client = app.server.test_client()
    admin = client.get("/api/v1/kiosk-tokens", headers=bearer(lp_token("lp-admin")))
    assert admin.status_code == 200 and admin.get_json() == {"tokens": []}  # is_admin -> admin
    user = client.get("/api/v1/kiosk-tokens", headers=bearer(lp_token("lp-user")))
    assert user.status_code == 403
    assert user.get_json()["error"] == "listing kiosk tokens needs the admin role; lp:lp-user (lp_jwt) is a viewer"
    assert client.get("/api/v1/alerts/silences", headers=bearer(lp_token("lp-user"))).status_code == 200
    for token, why in (
        (lp_token("lp-admin", secret="another-secret-0123456789abcdefgh"), "another secret"),
        (lp_token("lp-admin", minutes=-5), "expired"),
        (lp_token("lp-gone"), "inactive in Link Profiler"),
        (lp_token("nobody"), "no such Link Profiler user"),
        ("not.a.jwt", "garbage"),
    ):
        resp = client.get("/api/v1/alerts/silences", headers=bearer(token))
        assert resp.status_code == 401, why
        assert "neither MC_API_TOKEN nor a valid, unexpired Link Profiler token" in resp.get_json()["error"]
    # A bearer request carries no ambient credential: no CSRF token needed, and it names its user.
    done = ack(client, fp, bearer(lp_token("lp-admin")))
    assert done.status_code == 200 and done.get_json()["acknowledged_by"] == "lp:lp-admin"


def test_a_revoked_kiosk_token_stops_on_the_next_request(world):
    app, ctx, fp = world
    admin = app.server.test_client()
    sign_in(admin, "ada")
    made = admin.post("/api/v1/kiosk-tokens", json={"label": "ops wall"}, headers=csrf_header(admin))
    assert made.status_code == 201
    token, token_id = made.get_json()["token"], made.get_json()["id"]
    assert made.get_json()["url"] == f"/?kiosk={token}"
    with ctx.services.mc_engine.connect() as conn:
        stored = conn.execute(sa.select(kiosk_tokens)).one()
    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest() and token not in str(tuple(stored))
    assert (stored.label, stored.created_by) == ("ops wall", "ada")

    wall = app.server.test_client()
    assert wall.get(f"/alerts?kiosk={token}").status_code == 200
    # Dash's own requests carry the wall's URL as their (same-origin) Referer.
    page = f"http://localhost/alerts?kiosk={token}"
    assert wall.get("/_dash-layout", headers={"Referer": page}).status_code == 200
    assert wall.get("/api/v1/alerts/silences", headers={"Referer": page}).status_code == 200
    assert (
        wall.get("/api/v1/alerts/silences", headers={"Referer": "http://evil.example/?kiosk=" + token}).status_code
        == 401
    )
    read_only = ack(wall, fp, {"Referer": page})
    assert read_only.status_code == 403 and "kiosk:ops wall (kiosk) is a viewer" in read_only.get_json()["error"]

    assert admin.delete(f"/api/v1/kiosk-tokens/{token_id}").status_code == 403  # no CSRF token
    assert admin.delete(f"/api/v1/kiosk-tokens/{token_id}", headers=csrf_header(admin)).status_code == 200
    gone = wall.get("/api/v1/alerts/silences", headers={"Referer": page})
    assert gone.status_code == 401 and "revoked" in gone.get_json()["error"]
    assert wall.get(f"/alerts?kiosk={token}").status_code == 401
    assert admin.delete(f"/api/v1/kiosk-tokens/{token_id}", headers=csrf_header(admin)).status_code == 404
    listed = admin.get("/api/v1/kiosk-tokens").get_json()["tokens"]
    assert [(t["label"], t["revoked_at"] is not None, t["last_used_at"] is not None) for t in listed] == [
        ("ops wall", True, True)
    ]


def test_the_proxy_header_counts_only_from_a_trusted_proxy(world):
    app, _ctx, _fp = world
    client = app.server.test_client()
    headers = {"X-Forwarded-User": "pat", "X-Forwarded-Role": "admin"}
    trusted = client.get("/api/v1/kiosk-tokens", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    assert trusted.status_code == 200
    untrusted = client.get("/api/v1/kiosk-tokens", headers=headers, environ_base={"REMOTE_ADDR": STRANGER})
    assert untrusted.status_code == 401
    loopback = client.get("/api/v1/kiosk-tokens", headers=headers)  # this host is not a listed proxy
    assert loopback.status_code == 401
    no_role = client.get(
        "/api/v1/kiosk-tokens", headers={"X-Forwarded-User": "pat"}, environ_base={"REMOTE_ADDR": PROXY}
    )
    assert no_role.status_code == 403 and "pat (proxy) is a viewer" in no_role.get_json()["error"]


def test_passwords_are_stored_as_argon2_hashes_and_the_command_reads_stdin(world):
    app, ctx, _fp = world
    engine = ctx.services.mc_engine
    args = auth_cli._parser().parse_args(["users", "add", "nina", "--role", "operator"])
    out = io.StringIO()
    assert auth_cli.run(args, engine, ctx.settings, out=out, stdin=io.StringIO("nina's long password\n")) == 0
    assert out.getvalue() == "added nina (operator)\n"
    with engine.connect() as conn:
        rows = {r.name: r for r in conn.execute(sa.select(users))}
    assert set(rows) == {"vera", "otto", "ada", "nina"}
    for row in rows.values():
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash and "nina's long password" not in row.password_hash
    client = app.server.test_client()
    assert sign_in(client, "nina", "nina's long password").status_code == 303

    for argv, expected in (
        (["users", "set-role", "nina", "admin"], "nina is now admin\n"),
        (["users", "disable", "nina"], "nina disabled\n"),
    ):
        out = io.StringIO()
        assert auth_cli.run(auth_cli._parser().parse_args(argv), engine, ctx.settings, out=out) == 0
        assert out.getvalue() == expected
    assert sign_in(app.server.test_client(), "nina", "nina's long password").status_code == 401  # disabled
    out = io.StringIO()
    auth_cli.run(auth_cli._parser().parse_args(["users", "list"]), engine, ctx.settings, out=out)
    assert [line.split("\t")[:3] for line in out.getvalue().splitlines()] == [
        ["ada", "admin", "active"],
        ["nina", "admin", "disabled"],
        ["otto", "operator", "active"],
        ["vera", "viewer", "active"],
    ]
    with pytest.raises(ValueError, match="at least 8 characters"):
        auth_cli.run(
            auth_cli._parser().parse_args(["users", "passwd", "otto"]),
            engine,
            ctx.settings,
            stdin=io.StringIO("short\n"),
        )


def test_failed_sign_ins_lock_the_name_out_even_with_the_right_password(world):
    app, ctx, _fp = world
    client = app.server.test_client()
    for _ in range(3):
        assert sign_in(client, "otto", "guess").status_code == 401
    locked = sign_in(client, "otto")
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.get_data(as_text=True)
    keys = sorted(k if isinstance(k, str) else k.decode() for k in ctx.services.redis.scan_iter("mc:auth:failures:*"))
    assert [k.split(":")[3] for k in keys] == ["addr", "user"]
    assert sign_in(app.server.test_client(), "vera").status_code == 303  # another name is unaffected


def test_a_users_file_signs_in_and_a_bad_one_is_ignored(world, tmp_path):
    from auth.passwords import hash_password

    app, _ctx, _fp = world
    path = tmp_path / "users"
    path.write_text(f"# ops\nfile-fred:operator:{hash_password('fred password')}\n")
    state = app.server.extensions["mc_auth"]
    state.users.users_file = str(path)
    client = app.server.test_client()
    assert sign_in(client, "file-fred", "fred password").status_code == 303
    assert "needs the admin role; file-fred (session)" in client.get("/api/v1/kiosk-tokens").get_json()["error"]


def test_cookies_work_inside_a_foreign_iframe_and_the_demo_needs_no_sign_in(pg_url, redis_url):
    import dataclasses

    from pages.shell.layout import user_box

    services = build_services(pg_url, redis_url, "M", frame_ancestors=("https://lp.example.org",))
    auth_users.add_user(services.mc_engine, "otto", PASSWORD, Role.OPERATOR)
    app = create_app(services.settings, services=services, start_background=False)
    ctx = app.server.extensions["mission_control"]
    try:
        fresh = app.server.test_client()
        page = fresh.get("/signin")
        resp = fresh.post(
            "/signin",
            data={"name": "otto", "password": PASSWORD, "csrf_token": form_token(page.get_data(as_text=True))},
        )
        cookies = {c.split("=", 1)[0]: c for c in resp.headers.getlist("Set-Cookie")}
        for name in ("mc_session", "_csrf_token"):
            assert "SameSite=None" in cookies[name] and "Secure" in cookies[name] and "Partitioned" in cookies[name]
        assert "HttpOnly" in cookies["mc_session"] and "HttpOnly" not in cookies["_csrf_token"]

        # The embedded demo: nothing configured, so loopback is an operator and the header offers sign-in.
        with app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            box = user_box(ctx)
        assert [getattr(c, "children", None) for c in box.children] == ["this host (demo)", "operator", "Sign in"]
        with app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
            box = user_box(ctx)
        assert [getattr(c, "children", None) for c in box.children] == ["anonymous", "viewer", "Sign in"]
        ctx.settings = dataclasses.replace(ctx.settings, api_token="t0ken-t0ken")
        assert ack(app.server.test_client(), "anything").status_code == 401  # a token ends the demo operator
    finally:
        ctx.stop()
        services.dispose()


def test_the_command_line_adds_a_user_from_stdin(pg_url, redis_url):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": redis_url}
    done = subprocess.run(
        [sys.executable, "-m", "auth", "users", "add", "sam", "--role", "admin"],
        input="sam's password here\n",
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "added sam (admin)\n"
    again = subprocess.run(
        [sys.executable, "-m", "auth", "users", "add", "sam"],
        input="another password\n",
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=120,
    )
    assert (again.returncode, again.stderr) == (1, "error: a user named 'sam' already exists\n")
    from data.connections import make_engine

    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == "sam")).one()
    finally:
        engine.dispose()
    assert row.role == "admin" and row.password_hash.startswith("$argon2id$")


def test_auth_settings_are_read_and_checked():
    from config import ConfigError, load_settings

    def load(**env):
        return load_settings(env, dotenv_path=None).auth

    assert load().required is False and load().lp_jwt_secret is None
    assert load(LP_AUTH_SECRET_KEY="shared-with-link-profiler").lp_jwt_secret == "shared-with-link-profiler"
    assert load(LP_AUTH_SECRET_KEY="PLACEHOLDER_MUST_SET_LP_AUTH_SECRET_KEY").lp_jwt_secret is None
    assert load(MC_LP_JWT_SECRET="mine", LP_AUTH_SECRET_KEY="theirs").lp_jwt_secret == "mine"
    got = load(
        MC_AUTH_REQUIRED="true",
        MC_API_TOKEN_ROLE="admin",
        MC_AUTH_PROXY_HEADER="X-Forwarded-User",
        MC_AUTH_TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/16",
    )
    assert (got.required, got.api_token_role, got.proxy_enabled) == (True, Role.ADMIN, True)
    assert [str(n) for n in got.trusted_proxies] == ["10.0.0.5/32", "10.1.0.0/16"]
    for env, words in (
        ({"MC_AUTH_PROXY_HEADER": "X-Forwarded-User"}, "needs MC_AUTH_TRUSTED_PROXIES"),
        ({"MC_AUTH_TRUSTED_PROXIES": "10.0.0.300"}, "MC_AUTH_TRUSTED_PROXIES: '10.0.0.300' is not an IP"),
        ({"MC_API_TOKEN_ROLE": "root"}, "MC_API_TOKEN_ROLE: unknown role 'root'"),
        ({"MC_SECRET_KEY": "short"}, "MC_SECRET_KEY must be at least 32 characters"),
        ({"MC_LP_JWT_ALGORITHM": "none"}, "must be HS256, HS384 or HS512"),
    ):
        with pytest.raises(ConfigError, match=re.escape(words)):
            load(**env)


def test_an_outdated_hash_is_upgraded_on_the_next_sign_in(tmp_path):
    from argon2 import PasswordHasher

    from auth.users import UserDirectory
    from data.bootstrap import create_mc_tables
    from data.connections import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'mc.db'}")
    create_mc_tables(engine)
    auth_users.add_user(engine, "old-timer", PASSWORD, Role.VIEWER)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(PASSWORD)
    with engine.begin() as conn:
        conn.execute(users.update().values(password_hash=weak))
    directory = UserDirectory(engine)
    assert directory.authenticate("old-timer", "wrong password") is None
    assert directory.authenticate("old-timer", PASSWORD).name == "old-timer"
    with engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored != weak and stored.startswith("$argon2id$") and "t=1," not in stored
    assert directory.authenticate("old-timer", PASSWORD) is not None
    engine.dispose()

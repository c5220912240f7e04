"""Sign-in on the web: the session cookie, the gate every request passes, the /signin and
/signout pages, and the admin API for kiosk tokens.

- Session: Flask's signed cookie `mc_session` (HttpOnly; SameSite/Secure/Partitioned as
  api/headers.py sets them for the framing in use), lasting MC_AUTH_SESSION_HOURS. Signed with
  MC_SECRET_KEY, or, when that is unset, with a key generated once and kept in `mc_meta`
  (`auth_secret_key`), so every worker and restart shares it with no setting to forget; set
  MC_SECRET_KEY to rotate it (every session ends) or to keep it out of the database.
- Gate (before every request but /healthz, /readyz, /metrics, the sign-in pages and static
  files): a wrong credential is a 401 naming it; a cookie-authenticated write without its CSRF
  token a 403 (auth/csrf.py); with MC_AUTH_REQUIRED an anonymous request is a 401 (API, Dash's
  own requests) or a redirect to /signin (a page).
"""

from __future__ import annotations

import html
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit

import sqlalchemy as sa
from flask import Flask, jsonify, redirect, request, session
from flask.sessions import SecureCookieSessionInterface

from auth import csrf, kiosk, throttle
from auth.request import SESSION_USER, STATE_KEY, BadCredential, current_identity, require
from auth.users import UserDirectory, now
from common.identity import ANONYMOUS, Role
from data.mc_tables import mc_meta

log = logging.getLogger(__name__)

SECRET_META_KEY = "auth_secret_key"
SESSION_COOKIE = "mc_session"
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/signin", "/signout", "/_favicon.ico"})
OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/")
MACHINE_PREFIXES = ("/api/", "/_dash", "/ws/", "/_reload-hash")


@dataclass
class AuthState:
    """What the request-time code needs of the app: its settings, storage and user directory."""

    settings: object
    services: object
    users: UserDirectory


def stored_secret(engine: sa.Engine) -> str:
    """The session key kept in mc_meta, created on first use (the first writer wins a race)."""
    select = sa.select(mc_meta.c.value).where(mc_meta.c.key == SECRET_META_KEY)
    with engine.connect() as conn:
        found = conn.execute(select).scalar()
    if found:
        return found
    try:
        with engine.begin() as conn:
            conn.execute(
                mc_meta.insert().values(key=SECRET_META_KEY, value=secrets.token_urlsafe(48), updated_at=now())
            )
    except sa.exc.IntegrityError:
        pass  # another process stored one first: use theirs
    with engine.connect() as conn:
        return conn.execute(select).scalar_one()


class _KeyedSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the key fetched on first use: the database may be
    down when the app starts, and sessions must not then be signed with a throwaway key."""

    def __init__(self, load):
        self._load = load

    def get_signing_serializer(self, app):
        if not app.secret_key:
            try:
                app.secret_key = self._load()
            except Exception as exc:  # the database is down: no sessions until it is back
                log.warning("no session key yet (%s); sign-in waits for the database", type(exc).__name__)
                return None
        return super().get_signing_serializer(app)


def _public(path: str) -> str:
    return (request.script_root or "") + path


def _refuse(status: int, message: str):
    if request.path.startswith(MACHINE_PREFIXES):
        resp = jsonify(error=message)
    else:
        resp = _page("Not allowed", f"<p class='msg'>{html.escape(message)}</p>")
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="mission-control"'
    return resp


def _page(title: str, body: str):
    from flask import make_response

    doc = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)} · Mission Control</title>
<style>body{{background:#0b0f17;color:#d8e1ef;font:15px system-ui,sans-serif;display:flex;justify-content:center;padding-top:12vh}}
main{{width:22rem}}h1{{font-size:1.1rem;letter-spacing:.12em;color:#7fb2ff}}label{{display:block;margin:.8rem 0 .2rem}}
input{{width:100%;padding:.45rem;background:#111827;color:#e5edf7;border:1px solid #2b3a55;border-radius:4px;box-sizing:border-box}}
button{{margin-top:1rem;padding:.5rem 1rem;background:#1f6feb;color:#fff;border:0;border-radius:4px;cursor:pointer}}
.msg{{color:#ffb4a8}}a{{color:#7fb2ff}}</style></head><body><main><h1>MISSION CONTROL</h1>{body}</main></body></html>"""
    resp = make_response(doc)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    resp.headers["Cache-Control"] = "no-store"
    return resp


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of this app only (never another site)."""
    home = _public("/")
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return home
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith(request.script_root or "/"):
        return home
    return value


def _signin_form(message: str = "", name: str = "", status: int = 200):
    nxt = safe_next(request.values.get("next"))
    body = (
        (f"<p class='msg' role='alert'>{html.escape(message)}</p>" if message else "")
        + f"""<form method="post" action="{html.escape(_public("/signin"))}">
<input type="hidden" name="{csrf.FIELD}" value="{html.escape(csrf.token())}">
<input type="hidden" name="next" value="{html.escape(nxt)}">
<label for="mc-signin-name">User name</label><input id="mc-signin-name" name="name" autocomplete="username" value="{html.escape(name)}" required autofocus>
<label for="mc-signin-password">Password</label><input id="mc-signin-password" name="password" type="password" autocomplete="current-password" required>
<button id="mc-signin-submit" type="submit">Sign in</button></form>"""
    )
    resp = _page("Sign in", body)
    resp.status_code = status
    return resp


def install(server: Flask, ctx) -> None:
    """Add sessions, the gate, /signin, /signout and the kiosk-token API to `server`."""
    settings = ctx.settings
    auth = settings.auth
    state = AuthState(settings, ctx.services, UserDirectory(ctx.services.mc_engine, auth.users_file))
    server.extensions[STATE_KEY] = state
    server.secret_key = auth.secret_key
    server.session_interface = _KeyedSessions(lambda: stored_secret(ctx.services.mc_engine))
    if not server.secret_key:
        # Fetched now, at start-up, so that a viewer's request never runs SQL for it; when the
        # database is down now, the first request that needs a session fetches it.
        server.session_interface.get_signing_serializer(server)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=auth.session_hours),
    )

    @server.before_request
    def mc_auth_gate():
        settings = ctx.settings  # read per request: a test may replace it
        path = request.path
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return None
        try:
            who = current_identity(settings)
        except BadCredential as exc:
            return _refuse(401, exc.description or "bad credential")
        reason = csrf.refusal(request.method, who.via)
        if reason is not None:
            return _refuse(403, reason)
        if settings.auth.required and who is ANONYMOUS:
            if request.method == "GET" and not path.startswith(MACHINE_PREFIXES):
                target = request.full_path if request.query_string else request.path
                return redirect(_public("/signin") + "?next=" + quote(_public(target), safe="/"), 303)
            return _refuse(401, "sign in first: this dashboard needs a signed-in user (MC_AUTH_REQUIRED)")
        if who.via in csrf.AMBIENT:
            csrf.token()  # so the readable cookie below exists for Dash to copy
        return None

    @server.after_request
    def mc_csrf_cookie(response):
        if request.path.startswith(OPEN_PREFIXES):
            return response  # static files: never read the session (no `Vary: Cookie` on them)
        value = session.get(csrf.SESSION_KEY) if session else None
        if value and request.cookies.get(csrf.COOKIE) != value:
            response.set_cookie(
                csrf.COOKIE,
                value,
                path=_public("/"),
                secure=bool(server.config.get("SESSION_COOKIE_SECURE")),
                samesite=server.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
                partitioned=bool(server.config.get("SESSION_COOKIE_PARTITIONED")),
                httponly=False,  # read by Dash's renderer into X-CSRFToken
            )
        return response

    @server.route("/signin", methods=["GET", "POST"])
    def signin():
        if request.method == "GET":
            return _signin_form()
        if not csrf.valid():
            return _signin_form("The form had expired; try again.", status=403)
        name = (request.form.get("name") or "").strip()[:200]
        password = request.form.get("password") or ""
        address = request.remote_addr
        wait = throttle.locked_for(ctx.services.redis, auth, name, address)
        if wait:
            minutes = max(1, round(wait / 60))
            return _signin_form(f"Too many failed sign-ins; try again in {minutes} min.", name, 429)
        user = state.users.authenticate(name, password) if name and password else None
        if user is None:
            throttle.record_failure(ctx.services.redis, auth, name, address)
            log.info("failed sign-in for %r from %s", name, address)
            return _signin_form("Wrong user name or password, or the account is disabled.", name, 401)
        throttle.clear(ctx.services.redis, name, address)
        target = safe_next(request.form.get("next"))
        session.clear()  # a new session: nothing chosen before signing in carries over
        session.permanent = True
        session[SESSION_USER] = user.name
        csrf.token()
        log.info("%s signed in from %s", user.name, address)
        return redirect(target, 303)

    @server.route("/signout", methods=["GET", "POST"])
    def signout():
        if request.method == "GET":
            body = f"""<form method="post" action="{html.escape(_public("/signout"))}">
<input type="hidden" name="{csrf.FIELD}" value="{html.escape(csrf.token())}">
<p>Sign out of Mission Control?</p><button type="submit">Sign out</button></form>"""
            return _page("Sign out", body)
        if session.get(SESSION_USER) and not csrf.valid():
            return _refuse(403, "missing or wrong CSRF token: reload the page and try again")
        session.clear()
        return redirect(_public("/"), 303)

    register_kiosk_api(server, ctx)


def register_kiosk_api(server: Flask, ctx) -> None:
    """POST/GET /api/v1/kiosk-tokens and DELETE /api/v1/kiosk-tokens/<id>, admin only."""
    settings, engine = ctx.settings, ctx.services.mc_engine

    @server.post("/api/v1/kiosk-tokens")
    def create_kiosk_token():
        who = require(settings, Role.ADMIN, "creating kiosk tokens")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(error='the body must be a JSON object such as {"label": "ops wall"}'), 400
        label = body.get("label")
        try:
            token_id, token = kiosk.create(engine, label if isinstance(label, str) else "", who.name)
        except ValueError as exc:
            return jsonify(error=str(exc)), 400
        log.info("%s created kiosk token %d (%s)", who.name, token_id, label)
        return jsonify(id=token_id, label=label.strip(), token=token, url=_public("/") + "?kiosk=" + token), 201

    @server.get("/api/v1/kiosk-tokens")
    def list_kiosk_tokens():
        require(settings, Role.ADMIN, "listing kiosk tokens")
        rows = kiosk.listing(engine)
        for row in rows:
            for k in ("created_at", "last_used_at", "revoked_at"):
                row[k] = row[k].isoformat() + "Z" if row[k] else None
        return jsonify(tokens=rows)

    @server.delete("/api/v1/kiosk-tokens/<int:token_id>")
    def revoke_kiosk_token(token_id: int):
        who = require(settings, Role.ADMIN, "revoking kiosk tokens")
        if not kiosk.revoke(engine, token_id):
            return jsonify(error=f"no live kiosk token {token_id}"), 404
        log.info("%s revoked kiosk token %d", who.name, token_id)
        return jsonify(revoked=token_id)

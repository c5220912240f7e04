"""The alert API.

    GET  /api/v1/alerts                       firing alerts (from the snapshot; ?severity= &type=)
    GET  /api/v1/alerts?state=pending         pending alerts
    GET  /api/v1/alerts?state=history         history events (?severity= &type= &event= &since= &until=
                                              &q= &limit=1..5000, default 200; &format=csv for CSV)
    GET  /api/v1/alerts/silences              active silences
    POST /api/v1/alerts/<fingerprint>/ack     {"comment": "...", "by"?: "..."} -> 200 | 404 not active
    POST /api/v1/alerts/silences              {"fingerprint" | "type", "duration_minutes", "comment"?, "by"?} -> 201
    POST /api/v1/alerts/silences/<id>/end     -> 200 | 404

Writes need the operator role (auth.request.require: a signed-in operator, the service token
MC_API_TOKEN, or the loopback demo); a viewer gets a 403 saying so, an anonymous caller a 401.
The acknowledgement or silence names the caller (`by` is kept only beside the service token's
name, e.g. `service:alice`, since a shared token cannot say who used it). Bad input is a 400
with a message saying what is wrong.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import wraps

from flask import Blueprint, Flask, Response, jsonify, request

from alerts.actions import BadRequest, acknowledge_alert, end_alert_silence, silence_alerts
from alerts.conditions import ALERT_TYPES
from api.http import error, json_body, query_choice, query_time, require_role
from alerts.export import history_csv, history_record
from alerts.store import HISTORY_EVENTS
from common.identity import Role
from common.timestamps import to_datetime
from data.frames import iso

log = logging.getLogger(__name__)

BLUEPRINT = "mc_alert_api"
SEVERITIES = ("critical", "warning", "info")


def _choice(name: str, allowed) -> str | None:
    return query_choice(name, allowed, BadRequest)


def _time(name: str) -> datetime | None:
    return query_time(name, BadRequest)


def _limit() -> int:
    value = request.args.get("limit") or "200"  # empty = not given, like every other parameter
    try:
        limit = int(value)
    except ValueError:
        raise BadRequest(f"'limit' must be a whole number from 1 to 5000, not {value[:100]!r}") from None
    if not 1 <= limit <= 5000:
        raise BadRequest(f"'limit' must be from 1 to 5000, not {limit}")
    return limit


def _body() -> dict:
    try:
        return json_body()
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _text(body: dict, name: str, limit: int, default: str = "") -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string")
    if len(value) > limit:
        raise BadRequest(f"'{name}' is longer than {limit} characters")
    return value.strip()


def _actor(body: dict, who) -> str:
    """Who an alert change is recorded as: the caller; a service token's caller may add a name."""
    given = _text(body, "by", 120)
    if "\x00" in given:  # checked whoever calls, so a bad body is a 400 whatever the credential
        raise BadRequest("'by' must not contain NUL characters")
    return f"{who.name}:{given}" if given and who.via == "service_token" else who.name


def register_alert_api(server: Flask, ctx) -> None:
    """Add the alert routes to `server` (once per app; a second call does nothing).

    `ctx` needs `.settings`, `.snapshots` and `.alerts` (an AlertEngine, or None: 503).
    """
    if BLUEPRINT in server.blueprints:
        return
    bp = Blueprint(BLUEPRINT, __name__)

    def guarded(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if ctx.alerts is None:
                return error(503, "the alert engine is not running")
            try:
                return view(*args, **kwargs)
            except BadRequest as exc:
                return error(400, str(exc))

        return wrapper

    def writes(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            who, refusal = require_role(ctx.settings, Role.OPERATOR, "alert changes")
            if refusal is not None:
                return refusal
            return view(*args, who=who, **kwargs)

        return wrapper

    @bp.get("/api/v1/alerts")
    @guarded
    def list_alerts():
        # Every parameter is checked whatever the state, so a mistyped one is a 400 rather than
        # silently ignored (e.g. `until=yesterday` on the firing list).
        state = _choice("state", ("firing", "pending", "history")) or "firing"
        severity = _choice("severity", SEVERITIES)
        kind = _choice("type", ALERT_TYPES)
        event = _choice("event", HISTORY_EVENTS)
        since, until = _time("since"), _time("until")
        limit = _limit()
        fmt = _choice("format", ("json", "csv")) or "json"
        if state == "history":
            rows = ctx.alerts.store.history(
                since=since,
                until=until,
                severity=severity,
                alert_type=kind,
                event=event,
                text=request.args.get("q") or None,
                limit=limit,
            )
            if fmt == "csv":
                return Response(
                    history_csv(rows),
                    mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=alert-history.csv"},
                )
            return jsonify(state="history", events=[history_record(r) for r in rows])
        try:
            _version, doc = ctx.snapshots.load()
        except Exception:
            return error(503, "the snapshot store (Redis) is offline")
        if doc is None:
            return error(503, "no snapshot yet: the producer has not published one")
        alerts = (
            doc.get("alerts", []) if state == "firing" else doc.get("mc", {}).get("alert_center", {}).get("pending", [])
        )
        alerts = [
            a
            for a in alerts
            if (severity is None or a.get("severity") == severity)
            and (kind is None or a.get("type") == kind)
            and (since is None or (to_datetime(a.get("timestamp")) or since) >= since)
            and (until is None or (to_datetime(a.get("timestamp")) or until) < until)
        ]
        return jsonify(state=state, timestamp=doc.get("timestamp"), alerts=alerts[:limit])

    @bp.get("/api/v1/alerts/silences")
    @guarded
    def list_silences():
        now = ctx.alerts.clock()
        return jsonify(
            silences=[
                {
                    **s,
                    "created_at": iso(s["created_at"]),
                    "expires_at": iso(s["expires_at"]),
                    "ended_at": iso(s["ended_at"]),
                }
                for s in ctx.alerts.store.silences(now)
            ]
        )

    @bp.post("/api/v1/alerts/<fingerprint>/ack")
    @guarded
    @writes
    def acknowledge(fingerprint: str, who):
        body = _body()
        row = acknowledge_alert(ctx.alerts, fingerprint, _actor(body, who), _text(body, "comment", 1000))
        if row is None:
            return error(404, f"no pending or firing alert has fingerprint {fingerprint[:64]!r}")
        return jsonify(
            fingerprint=row["fingerprint"],
            acknowledged_at=iso(row["acknowledged_at"]),
            acknowledged_by=row["acknowledged_by"],
            comment=row["ack_comment"],
        )

    @bp.post("/api/v1/alerts/silences")
    @guarded
    @writes
    def add_silence(who):
        body = _body()
        fingerprint = _text(body, "fingerprint", 64) or None
        kind = _text(body, "type", 100) or None
        row = silence_alerts(
            ctx.alerts,
            fingerprint=fingerprint,
            alert_type=kind,
            minutes=body.get("duration_minutes"),
            actor=_actor(body, who),
            comment=_text(body, "comment", 1000),
        )
        resp = jsonify(
            id=row["id"],
            fingerprint=fingerprint,
            type=kind,
            expires_at=iso(row["expires_at"]),
            created_by=row["created_by"],
            comment=row["comment"],
        )
        resp.status_code = 201
        return resp

    @bp.post("/api/v1/alerts/silences/<silence_id>/end")
    @guarded
    @writes
    def end_silence(silence_id: str, who):
        if not end_alert_silence(ctx.alerts, silence_id):
            return error(404, f"no active silence has id {silence_id[:36]!r}")
        log.info("%s ended silence %s", who.name, silence_id[:36])
        return jsonify(id=silence_id, ended=True)

    server.register_blueprint(bp)

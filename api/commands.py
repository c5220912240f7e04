"""The operator commands and the audit log over HTTP.

    GET  /api/v1/commands                                  every command, and whether the caller may run it (why not)
    POST /api/v1/commands/dispatch/pause | /dispatch/resume Link Profiler's pause / resume processing
    POST /api/v1/commands/jobs/<job_id>/cancel             Link Profiler's cancel_job
    POST /api/v1/commands/satellites/<id|all>/<pause|resume|restart|shutdown>   control channels
    GET  /api/v1/commands/dead-letters?offset=&limit=      a page of the dead-letter queue (reason, age)
    POST /api/v1/commands/dead-letters/<entry|all>/<retry|purge>
    GET  /api/v1/audit?user=&action=&result=&since=&until=&q=&offset=&limit=
    GET  /api/v1/audit.csv?(same filters)

A command's body is optional JSON: `reason` (why, stored in the audit record), `wait` (default
true: observe the outcome for up to MC_COMMAND_OBSERVE_S), `position` (a dead letter's position,
a hint). Commands need the operator role (`auth.request.require`): a refusal is a 401/403 with
the reason and is audited like every other outcome. Answers: 200 carried out (`observed` says
what was seen), 409 not available here (e.g. "MC_LP_API_URL is not set"), 424 Link Profiler
refused or could not be reached (`error` is its reason, `lp_status` its status).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from api.http import error, json_body, query_choice, query_time
from auth.request import current_identity, require
from commands import audit
from commands.catalog import COMMANDS
from commands.runner import FAILED, REFUSED, AuditUnavailable, Outcome
from commands.tables import RESULTS
from common.identity import Role
from data.frames import iso

BLUEPRINT = "mc_command_api"
SATELLITE_VERBS = ("pause", "resume", "restart", "shutdown")
DEAD_LETTER_VERBS = ("retry", "purge")
MAX_REASON = 1000
MAX_LIMIT = 500


class BadRequest(ValueError):
    """Bad input: a 400 with this message."""


def _body() -> dict:
    if not request.get_data(cache=True):
        return {}
    try:
        return json_body()
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _reason(body: dict) -> str | None:
    value = body.get("reason")
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest("'reason' must be a string")
    if len(value) > MAX_REASON or "\x00" in value:
        raise BadRequest(f"'reason' must be at most {MAX_REASON} characters, without NUL")
    return value.strip() or None


def _wait(body: dict) -> bool:
    value = body.get("wait", True)
    if not isinstance(value, bool):
        raise BadRequest("'wait' must be true or false")
    return value


def _position(body: dict) -> int | None:
    value = body.get("position")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequest("'position' must be a whole number from 0")
    return value


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name) or str(default)
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number from {low} to {high}, not {value[:100]!r}") from None
    if not low <= number <= high:
        raise BadRequest(f"'{name}' must be from {low} to {high}, not {number}")
    return number


def _time_arg(name: str) -> datetime | None:
    return query_time(name, BadRequest)


def _choice_arg(name: str, allowed) -> str | None:
    return query_choice(name, allowed, BadRequest)


def audit_filter() -> audit.AuditFilter:
    """The audit log's filters from the query string (each checked)."""
    user = request.args.get("user") or None
    text = request.args.get("q") or None
    for name, value in (("user", user), ("q", text)):
        if value is not None and (len(value) > 200 or "\x00" in value):
            raise BadRequest(f"'{name}' must be at most 200 characters, without NUL")
    return audit.AuditFilter(
        user=user,
        action=_choice_arg("action", tuple(COMMANDS)),
        result=_choice_arg("result", RESULTS),
        since=_time_arg("since"),
        until=_time_arg("until"),
        text=text,
    )


def audit_record(row: dict) -> dict:
    """A record as the API shows it (times ISO 8601)."""
    return {**row, "at": iso(row["at"])}


def _answer(outcome: Outcome):
    body = outcome.as_dict()
    if outcome.result == REFUSED:
        return error(409, outcome.detail, **body)
    if outcome.result == FAILED:
        return error(424, outcome.detail, **body)
    return jsonify(body)


def register_command_api(server: Flask, ctx) -> None:
    """Add the command and audit routes to `server` (once per app). `ctx.commands` is the
    CommandRunner (None: every route answers 503)."""
    if BLUEPRINT in server.blueprints:
        return
    bp = Blueprint(BLUEPRINT, __name__)
    settings = ctx.settings

    def run(name: str, target: str | None):
        runner = ctx.commands
        if runner is None:
            return error(503, "operator commands are not set up in this process")
        try:
            body = _body()
            reason, wait, position = _reason(body), _wait(body), _position(body)
        except BadRequest as exc:
            return error(400, str(exc))
        params = {} if position is None else {"position": position}
        try:
            who = require(settings, Role.OPERATOR, f"{COMMANDS[name].label.lower()} ({name})")
        except HTTPException as exc:
            # The role gate refused: on record like every other outcome, then the 401/403.
            runner.record_refusal(current_identity(settings), name, target, params, reason, exc.description or str(exc))
            raise
        try:
            outcome = runner.run(who, name, target, params, reason, wait=wait)
        except AuditUnavailable as exc:
            return error(503, str(exc)[:300])
        return _answer(outcome)

    @bp.get("/api/v1/commands")
    def list_commands():
        runner = ctx.commands
        if runner is None:
            return error(503, "operator commands are not set up in this process")
        who = current_identity(settings)
        return jsonify(
            identity={"name": who.name, "role": who.role.label, "via": who.via},
            lp_api=runner.describe_lp(),
            commands=[
                {
                    "name": c.name,
                    "label": c.label,
                    "target": c.target_kind,
                    "via": c.via,
                    "available": runner.refusal(c.name, who) is None,
                    "reason": runner.refusal(c.name, who),
                }
                for c in COMMANDS.values()
            ],
        )

    @bp.post("/api/v1/commands/dispatch/<verb>")
    def dispatch(verb: str):
        if verb not in ("pause", "resume"):
            return error(404, f"no dispatch command {verb[:40]!r}; use pause or resume")
        return run(f"dispatch_{verb}", None)

    @bp.post("/api/v1/commands/jobs/<job_id>/cancel")
    def cancel_job(job_id: str):
        return run("job_cancel", job_id)

    @bp.post("/api/v1/commands/satellites/<satellite>/<verb>")
    def satellite(satellite: str, verb: str):
        if verb not in SATELLITE_VERBS:
            return error(404, f"no satellite command {verb[:40]!r}; use {', '.join(SATELLITE_VERBS)}")
        return run(f"satellite_{verb}", satellite)

    @bp.get("/api/v1/commands/dead-letters")
    def dead_letter_page():
        require(settings, Role.VIEWER, "read the dead-letter queue")
        runner = ctx.commands
        if runner is None:
            return error(503, "operator commands are not set up in this process")
        try:
            offset, limit = _int_arg("offset", 0, 0, 10_000_000), _int_arg("limit", 50, 1, MAX_LIMIT)
        except BadRequest as exc:
            return error(400, str(exc))
        found = runner.dead_letter_page(offset, limit)
        return jsonify(
            key=settings.redis_keys.dead_letter,
            type=found.key_type,
            total=found.total,
            offset=offset,
            problem=found.problem,
            entries=[e.as_dict() for e in found.entries],
        )

    @bp.post("/api/v1/commands/dead-letters/<entry>/<verb>")
    def dead_letter(entry: str, verb: str):
        if verb not in DEAD_LETTER_VERBS:
            return error(404, f"no dead-letter command {verb[:40]!r}; use retry or purge")
        return run(f"dead_letters_{verb}", entry)

    def _audit_rows(limit: int, offset: int) -> tuple[list[dict], int]:
        require(settings, Role.VIEWER, "read the audit log")
        return audit.page(ctx.services.mc_engine, audit_filter(), offset, limit)

    @bp.get("/api/v1/audit")
    def audit_log():
        try:
            offset, limit = _int_arg("offset", 0, 0, 10_000_000), _int_arg("limit", 50, 1, MAX_LIMIT)
            rows, total = _audit_rows(limit, offset)
        except BadRequest as exc:
            return error(400, str(exc))
        return jsonify(total=total, offset=offset, records=[audit_record(r) for r in rows])

    @bp.get("/api/v1/audit.csv")
    def audit_csv():
        try:
            rows, _total = _audit_rows(audit.CSV_LIMIT, 0)
        except BadRequest as exc:
            return error(400, str(exc))
        return Response(
            audit.as_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=mc-audit.csv"},
        )

    server.register_blueprint(bp)

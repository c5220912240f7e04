"""A callback request that is not the shape Dash's renderer sends is refused with a 400 and a
one-line JSON message before Dash reads it (Dash would fail inside its dispatcher with a 500).
What the values inside are is checked by each callback through ui.inputs."""

from __future__ import annotations

from typing import Any

DASH_UPDATE = "/_dash-update-component"


def _is_ref(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), (str, dict)) and isinstance(item.get("property"), str)


def _is_entry(item: Any) -> bool:
    # A pattern-matching (ALL / ALLSMALLER) input is a list of references.
    return _is_ref(item) or (isinstance(item, list) and all(_is_ref(i) for i in item))


def shape_problem(body: Any) -> str | None:
    """Why `body` is not a callback request, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    if not isinstance(body.get("output"), str):
        return "'output' must be text"
    outputs = body.get("outputs")
    if not (_is_ref(outputs) or (isinstance(outputs, list) and all(_is_entry(o) for o in outputs))):
        return "'outputs' must be output references"
    for part in ("inputs", "state"):
        entries = body.get(part, [])
        if not isinstance(entries, list) or not all(_is_entry(e) for e in entries):
            return f"'{part}' must be a list of input references"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "'changedPropIds' must be a list of text"
    return None


def install(server, prefix: str = "") -> None:
    """Refuse malformed callback requests to `server` (Dash routes under `prefix`)."""
    from flask import jsonify, request

    path = prefix.rstrip("/") + DASH_UPDATE

    @server.before_request
    def refuse_malformed_callback():
        if request.path != path or request.method != "POST":
            return None
        problem = shape_problem(request.get_json(silent=True))
        if problem is None:
            return None
        return jsonify({"error": "invalid_input", "message": f"not a callback request: {problem}"}), 400

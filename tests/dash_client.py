"""Call a Dash callback over HTTP through Flask's test client, as the browser does."""

from __future__ import annotations

import json


def callback_key(app, output_fragment: str) -> str:
    for key in app.callback_map:
        if output_fragment in key:
            return key
    raise KeyError(output_fragment)


def call(client, app, output_fragment: str, inputs: list[dict], state: list[dict] | None = None):
    """POST one callback request; returns (status, response bytes, parsed JSON or None)."""
    key = callback_key(app, output_fragment)
    spec = app.callback_map[key]
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": state or [],
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs],
    }
    del spec
    resp = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    data = resp.get_data()
    return resp.status_code, data, (json.loads(data) if resp.status_code == 200 and data else None)


def apply_patch(base, update):
    """Apply a serialised dash.Patch (Assign operations) to `base`, as the renderer would."""
    if not (isinstance(update, dict) and update.get("__dash_patch_update")):
        return update
    import copy

    result = copy.deepcopy(base)
    for op in update["operations"]:
        assert op["operation"] == "Assign", op
        *path, last = op["location"]
        target = result
        for step in path:
            target = target[step]
        target[last] = op["params"]["value"]
    return result

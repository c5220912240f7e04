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
    """Apply a serialised dash.Patch (the Assign, Delete and Extend operations ui.delta sends) to
    `base`, as the renderer does."""
    if not (isinstance(update, dict) and update.get("__dash_patch_update")):
        return update
    import copy

    result = copy.deepcopy(base)
    for op in update["operations"]:
        assert op["operation"] in ("Assign", "Delete", "Extend"), op
        location = op["location"]
        if op["operation"] == "Extend":
            target = result
            for step in location:
                target = target[step]
            target.extend(op["params"]["value"])
            continue
        *path, last = location
        target = result
        for step in path:
            target = target[step]
        if op["operation"] == "Delete":
            del target[last]
        else:
            target[last] = op["params"]["value"]
    return result


class Viewer:
    """One browser tab of `path`, as the server sees it after each version notice.

    It holds what the tab holds (the props of the first paint, then every value the server sent
    back; a Patch is applied as the renderer would) and, on `notice(version)`, posts each
    callback the shell's VERSION store triggers whose components are on the page: the page's
    live callback and the shell's `snapshot_time`. Returns the bytes of those answers.
    """

    def __init__(self, client, path: str, trigger: str = "mc-version.data"):
        self.client, self.trigger = client, trigger
        layout = client.get("/_dash-layout", headers={"Referer": f"http://localhost{path}"}).get_json()
        self.props: dict = {}
        _index(layout, self.props)
        deps = client.get("/_dash-dependencies").get_json()
        self.callbacks = [
            d
            for d in deps
            if not d.get("clientside_function")
            and any(f"{i['id']}.{i['property']}" == trigger for i in d["inputs"])
            and all(i["id"] in self.props for i in d["inputs"] + d["state"])
            and all(_spec(o)["id"] in self.props for o in _outputs(d["output"]))
        ]

    def _value(self, spec: dict, version):
        if f"{spec['id']}.{spec['property']}" == self.trigger:
            return {"v": version}
        return self.props[spec["id"]].get(spec["property"])

    def notice(self, version) -> int:
        """The tab is told of `version`: its callback requests; the bytes of their answers."""
        total = 0
        self.last: dict[str, int] = {}
        for d in self.callbacks:
            outputs = [_spec(o) for o in _outputs(d["output"])]
            body = {
                "output": d["output"],
                "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [{**_spec_of(i), "value": self._value(i, version)} for i in d["inputs"]],
                "state": [{**_spec_of(s), "value": self._value(s, version)} for s in d["state"]],
                "changedPropIds": [self.trigger],
            }
            resp = self.client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
            assert resp.status_code in (200, 204), resp.get_data()[:300]
            data = resp.get_data()
            total += len(data)
            self.last[d["output"]] = len(data)
            if resp.status_code == 200:
                for component, values in json.loads(data)["response"].items():
                    for prop, value in values.items():
                        held = self.props.setdefault(component, {})
                        held[prop] = apply_patch(held.get(prop), value)
        return total


def _outputs(output: str) -> list[str]:
    return output.strip(".").split("...")


def _spec(output: str) -> dict:
    component, prop = output.rsplit(".", 1)
    return {"id": component, "property": prop}


def _spec_of(dep: dict) -> dict:
    return {"id": dep["id"], "property": dep["property"]}


def _index(tree, out: dict) -> None:
    """Every component's props in a serialised layout, by id."""
    if isinstance(tree, dict):
        props = tree.get("props") if "type" in tree else None
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                out[props["id"]] = props
            for value in props.values():
                _index(value, out)
        else:
            for value in tree.values():
                _index(value, out)
    elif isinstance(tree, list):
        for value in tree:
            _index(value, out)

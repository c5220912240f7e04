"""The smallest update: what changed between the version a viewer holds and the latest one.

A panel renders to a `Render`: the full value (component, text or figure dict), its
`structure` (what, when it changes, forces a full re-send) and `parts`: the places inside the
full value whose contents change often (a ring's percentage, a bar's length). Builders declare
a part by what it is, never by its position: `node(component_id, *prop_path)` for a component
(found by its id in the tree) and `figures.parts.trace_part(trace_name, *path)` for a figure.
`with_parts` turns those into the positional paths a `dash.Patch` needs, and raises when a part
is no longer in the tree, so a change of shape fails a test instead of patching the wrong node. The viewer's browser
keeps only the snapshot version it shows; the server renders that version and the latest (both
cached per process) and sends, per panel, nothing, a `dash.Patch` of the parts that differ, or
the full value when the structure changed or the old version is no longer known.
"""

from __future__ import annotations

import contextlib
import copy
import json
from dataclasses import dataclass, field
from typing import Any

from dash import Patch, no_update
from dash._utils import to_json
from dash.development.base_component import Component

from figures.inert import inert_figure
from figures.parts import TracePart, trace_index

Path = tuple


class NodePart(tuple):
    """`path` inside the props of the component whose id is `component_id`."""

    __slots__ = ()

    def __new__(cls, component_id: str, path: tuple):
        return super().__new__(cls, (component_id, path))

    @property
    def component_id(self) -> str:
        return self[0]

    @property
    def path(self) -> tuple:
        return self[1]


def node(component_id: str, *path: Any) -> NodePart:
    """A part inside the component `component_id`: `node(id, "style")`, `node(id, "children")`."""
    return NodePart(str(component_id), tuple(path))


class PartNotFound(LookupError):
    """A declared part is not in the rendered tree (the builder changed shape under it)."""


def _component_path(root: Any, component_id: str) -> Path | None:
    """Positional path (as a Patch sees the serialised tree) to the component with `component_id`."""
    stack: list[tuple[Any, Path]] = [(root, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, Component):
            if getattr(value, "id", None) == component_id:
                return path
            children = getattr(value, "children", None)
            if children is not None:
                stack.append((children, (*path, "props", "children")))
        elif isinstance(value, (list, tuple)):
            stack.extend((child, (*path, i)) for i, child in enumerate(value))
    return None


def resolve(full: Any, part: Any) -> Path:
    """The positional path of `part` (a NodePart, a TracePart or already a path) in `full`."""
    if isinstance(part, NodePart):
        found = _component_path(full, part.component_id)
        if found is None:
            raise PartNotFound(f"no component with id {part.component_id!r} in the rendered tree")
        return (*found, "props", *part.path)
    if isinstance(part, TracePart):
        try:
            return ("data", trace_index(full, part.trace), *part.path)
        except KeyError as exc:
            raise PartNotFound(str(exc)) from None
    return tuple(part)


@dataclass
class Render:
    """What one panel shows at one snapshot version."""

    full: Any
    structure: Any = None  # default: the full value itself
    parts: dict[Path, Any] = field(default_factory=dict)
    # A list panel (cards, tiles): `full` and `structure` are lists, item by item, and each
    # part's path starts with its item's index. Items are then diffed one by one.
    items: bool = False
    _key: str | None = field(default=None, init=False, repr=False, compare=False)
    _plain: tuple[Any, int] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, value: Any) -> Render:
        """A Render of the whole value (sent whole when it changes); figures become plain dicts."""
        return cls(full=to_plain(value))

    def structure_key(self) -> str:
        # Renders are shared by every viewer of a version: serialise the structure once.
        if self._key is None:
            self._key = json.dumps(
                self.full if self.structure is None else self.structure, sort_keys=True, default=_plain
            )
        return self._key

    def plain(self) -> tuple[Any, int]:
        """`full` as the browser holds it (plain JSON: components serialised) and its size in
        bytes; computed once per Render, which every viewer of its version shares."""
        if self._plain is None:
            text = to_json(self.full)
            self._plain = (json.loads(text), len(text))
        return self._plain


def _plain(value):
    if hasattr(value, "to_plotly_json"):
        return value.to_plotly_json()
    return str(value)


def to_plain(value: Any) -> Any:
    """Figures to dicts so comparisons and Patches see plain JSON, with every string Plotly
    will draw made inert (figures.inert): this is where every figure leaves for the browser."""
    if hasattr(value, "to_plotly_json") and value.__class__.__module__.startswith("plotly"):
        return inert_figure(json.loads(value.to_json()))
    return value


def with_parts(full: Any, parts: dict[Any, Any], items: bool = False) -> Render:
    """A Render whose structure is `full` with the `parts` blanked out (so part changes alone
    never force a full re-send). Parts are declared with `node` / `trace_part`; a declared part
    missing from `full` raises PartNotFound. A positional path that does not exist falls back
    to a whole-value Render."""
    full = to_plain(full)
    resolved = {}
    for part, value in parts.items():
        path = resolve(full, part)
        # A figure part is sent as the figure holds it (made inert), not as declared; a part the
        # figure leaves out (a gauge without a delta) makes the whole figure the update, below.
        if isinstance(part, TracePart):
            with contextlib.suppress(KeyError, IndexError, TypeError):
                value = _value_at(full, path)
        resolved[path] = value
    parts = resolved
    if items:
        return Render(full=full, structure=_item_structure(full, parts), parts=parts, items=True)
    # Components are compared (and patched) in their serialised form.
    structure = copy.deepcopy(full) if isinstance(full, dict) else json.loads(json.dumps(full, default=_plain))
    for path in parts:
        target = structure
        try:
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = None
        except (KeyError, IndexError, TypeError):
            return Render(full=full)
    return Render(full=full, structure=structure, parts=parts)


def _value_at(tree: Any, path: Path) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def _item_structure(full: list, parts: dict[Path, Any]) -> list:
    """Per item, its serialised form with its parts blanked: an item whose only changes are
    in its parts is patched, any other change replaces it."""
    structure = []
    for i, item in enumerate(full):
        plain = json.loads(json.dumps(item, default=_plain))
        for path, _value in parts.items():
            if path[0] != i:
                continue
            target = plain
            for step in path[1:-1]:
                target = target[step]
            target[path[-1]] = None
        structure.append(plain)
    return structure


def update_for(new: Render, old: Render | None) -> Any:
    """What to send to turn `old` (what the viewer shows; None = unknown) into `new`."""
    if old is None:
        return new.full
    if new.items and old.items:
        return _update_items(new, old)
    if old.structure_key() != new.structure_key():
        return _smaller_of(new, old)
    changed = [path for path, value in new.parts.items() if old.parts.get(path) != value]
    if not changed:
        return no_update
    patch = Patch()
    for path in changed:
        _assign(patch, path, new.parts[path])
    return patch


def _smaller_of(new: Render, old: Render) -> Any:
    """The structure changed: the operations that turn the old value into the new one, found
    by comparing the two trees, when they are smaller than the whole new value (a card that
    changed one class, a figure whose labels moved); else the whole value."""
    (old_plain, _), (new_plain, size) = old.plain(), new.plain()
    ops = _diff(old_plain, new_plain, ())
    if not ops:
        return no_update
    if any(op == "set" and not at for op, at, _ in ops):
        return new.full
    patch = Patch()
    _apply(patch, ops)
    return patch if len(to_json(patch)) < size else new.full


# What one operation costs in a response besides its path and value:
# {"operation":"Assign","location":[],"params":{"value":}}, (and a little for "Delete" / "Extend").
OP_BYTES = 52


def _cost(ops: list) -> int:
    return sum(OP_BYTES + len(json.dumps(at)) + len(json.dumps(value)) for _, at, value in ops)


def _diff(old: Any, new: Any, at: Path) -> list:
    """The ("set" | "del" | "extend", path, value) operations that turn the plain JSON `old`
    into `new`: dicts key by key, lists index by index (then the tail extended or deleted, from
    the end), anything else (or a component of another type) set whole. At every level the
    subtree is set whole instead when that is smaller (a shifted array, a rewritten card)."""
    if old == new:
        return []
    ops: list = []
    same_kind = isinstance(old, dict) and isinstance(new, dict)
    if same_kind and (old.get("type"), old.get("namespace")) == (new.get("type"), new.get("namespace")):
        for k, v in new.items():
            ops.extend(_diff(old[k], v, (*at, k)) if k in old else [("set", (*at, k), v)])
        ops.extend(("del", (*at, k), None) for k in old if k not in new)
    elif isinstance(old, list) and isinstance(new, list):
        common = min(len(old), len(new))
        for i in range(common):
            ops.extend(_diff(old[i], new[i], (*at, i)))
        if len(new) > common:
            ops.append(("extend", at, new[common:]))
        ops.extend(("del", (*at, j), None) for j in range(len(old) - 1, common - 1, -1))
    else:
        return [("set", at, new)]
    whole = [("set", at, new)]
    return whole if at and len(ops) > 1 and _cost(whole) <= _cost(ops) else ops


def _apply(patch: Patch, ops: list) -> None:
    for op, at, value in ops:
        if op == "set":
            _assign(patch, at, value)
            continue
        target = patch
        for step in at[:-1] if op == "del" else at:
            target = target[step]
        if op == "del":
            del target[at[-1]]
        else:
            target.extend(value)


def _assign(patch: Patch, path: Path, value: Any) -> None:
    target = patch
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _update_items(new: Render, old: Render) -> Any:
    """Item by item: an item whose structure changed gets the operations that turn it into the
    new one (or is replaced whole when they are larger), an unchanged one gets its changed
    parts, new items are appended and missing ones deleted from the end."""
    patch, touched = Patch(), False
    n_old, n_new = len(old.structure), len(new.structure)
    for i in range(min(n_old, n_new)):
        if old.structure[i] != new.structure[i]:
            _replace_item(patch, i, old, new)
            touched = True
            continue
        for path, value in new.parts.items():
            if path[0] == i and old.parts.get(path) != value:
                _assign(patch, path, value)
                touched = True
    if n_new > n_old:
        patch.extend(new.full[n_old:])
        touched = True
    for j in range(n_old - 1, n_new - 1, -1):
        del patch[j]
        touched = True
    return patch if touched else no_update


def _replace_item(patch: Patch, i: int, old: Render, new: Render) -> None:
    ops = _diff(old.plain()[0][i], new.plain()[0][i], (i,))
    if ops == [("set", (i,), new.plain()[0][i])]:
        patch[i] = new.full[i]
    else:
        _apply(patch, ops)

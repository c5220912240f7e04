"""The smallest update: what changed between the version a viewer holds and the latest one.

A panel renders to a `Render`: the full value (component, text or figure dict), its
`structure` (what, when it changes, forces a full re-send) and `parts` — paths inside the full
value whose contents change often (a ring's percentage, a bar's length). The viewer's browser
keeps only the snapshot version it shows; the server renders that version and the latest (both
cached per process) and sends, per panel, nothing, a `dash.Patch` of the parts that differ, or
the full value when the structure changed or the old version is no longer known.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from dash import Patch, no_update

Path = tuple


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

    def structure_key(self) -> str:
        # Renders are shared by every viewer of a version: serialise the structure once.
        if self._key is None:
            self._key = json.dumps(
                self.full if self.structure is None else self.structure, sort_keys=True, default=_plain
            )
        return self._key


def _plain(value):
    if hasattr(value, "to_plotly_json"):
        return value.to_plotly_json()
    return str(value)


def to_plain(value: Any) -> Any:
    """Figures to dicts so comparisons and Patches see plain JSON."""
    if hasattr(value, "to_plotly_json") and value.__class__.__module__.startswith("plotly"):
        return json.loads(value.to_json())
    return value


def with_parts(full: Any, parts: dict[Path, Any]) -> Render:
    """A Render whose structure is `full` with the `parts` blanked out (so part changes alone
    never force a full re-send). Falls back to a whole-value Render if a path does not exist."""
    full = to_plain(full)
    structure = copy.deepcopy(full)
    for path in parts:
        target = structure
        try:
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = None
        except (KeyError, IndexError, TypeError):
            return Render(full=full)
    return Render(full=full, structure=structure, parts=parts)


def _assign(patch: Patch, path: Path, value: Any) -> None:
    target = patch
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def update_for(new: Render, old: Render | None) -> Any:
    """What to send to turn `old` (what the viewer shows; None = unknown) into `new`."""
    if old is None:
        return new.full
    if new.items and old.items:
        return _update_items(new, old)
    if old.structure_key() != new.structure_key():
        return new.full
    changed = [path for path, value in new.parts.items() if old.parts.get(path) != value]
    if not changed:
        return no_update
    patch = Patch()
    for path in changed:
        _assign(patch, path, new.parts[path])
    return patch


def _update_items(new: Render, old: Render) -> Any:
    """Item by item: a changed item is replaced whole, an unchanged one gets its changed
    parts, new items are appended and missing ones deleted from the end."""
    patch, touched = Patch(), False
    n_old, n_new = len(old.structure), len(new.structure)
    for i in range(min(n_old, n_new)):
        if old.structure[i] != new.structure[i]:
            patch[i] = new.full[i]
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

"""The page unit: what the app needs to know of a page. Every page is a package under pages/
with the same five parts (see the README's architecture section):

    ids.py        its component ids (a StrEnum)
    model.py      snapshot or on-demand query -> plain data (the only part that reads)
    render.py     plain data -> {output id: Render} (pure: components and figures)
    layout.py     layout(ctx): the components, first-painted from model + render
    callbacks.py  register(app, ctx): thin glue (key -> ui.live.smallest_update)

and its `__init__.py` declares `PAGE = Page(path, title, layout, register)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import dash

    from runtime.context import AppContext


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    layout: Callable[[AppContext], Any]
    register: Callable[[dash.Dash, AppContext], None]


def normal_path(pathname: str | None) -> str:
    """`/discovery/?x=1` → `/discovery`; empty → `/`."""
    return (pathname or "/").split("?", 1)[0].rstrip("/") or "/"


def page_at(pathname: str | None, pages: tuple[Page, ...] | list[Page]) -> Page | None:
    """The page of `pages` served at `pathname`, or None."""
    path = normal_path(pathname)
    return next((p for p in pages if p.path == path), None)

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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import dash

    from runtime.context import AppContext


@dataclass(frozen=True)
class EmbedControl:
    """A control a parent window may set when the page is embedded (`?embed=1`, assets/embed.js).

    `values` maps the message's value to the control's (`mc:window` days → the control's
    value); None takes any value among the control's options. `unset` is the control's value
    for a message value of null ("no filter")."""

    component: str
    values: Mapping[int, int] | None = None
    unset: str | None = None


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    layout: Callable[[AppContext], Any]
    register: Callable[[dash.Dash, AppContext], None]
    # The controls a parent window may set when the page is embedded, by message name
    # ("window", "domain"): see EmbedControl.
    embed_controls: Mapping[str, EmbedControl] = field(default_factory=dict, hash=False, compare=False)


def normal_path(pathname: str | None, prefix: str = "/") -> str:
    """The page path of a public path: `/discovery/?x=1` → `/discovery`; empty → `/`; under
    `prefix` (MC_URL_PREFIX) `/mc/discovery` → `/discovery` and `/mc` → `/`."""
    path = (pathname or "/").split("?", 1)[0]
    base = prefix.rstrip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :]
    return path.rstrip("/") or "/"


def public_path(path: str, prefix: str = "/") -> str:
    """The address a browser uses for page `path` under `prefix`: `/discovery` → `/mc/discovery`."""
    return prefix.rstrip("/") + path if path != "/" else prefix


def page_at(pathname: str | None, pages: tuple[Page, ...] | list[Page], prefix: str = "/") -> Page | None:
    """The page of `pages` served at public path `pathname`, or None."""
    path = normal_path(pathname, prefix)
    return next((p for p in pages if p.path == path), None)


def page_query(name: str) -> str | None:
    """Query parameter `name` of the page the current request comes from, None when absent or
    outside a request. Dash asks for the layout (first paint) and runs callbacks (navigation)
    from the page itself, so the page's address, query included, is the request's Referer
    (Referrer-Policy: same-origin, api/headers.py); only its first value is taken."""
    from urllib.parse import parse_qs, urlsplit

    import flask

    if not flask.has_request_context():
        return None
    referrer = flask.request.referrer
    if not referrer:
        return None
    values = parse_qs(urlsplit(referrer).query).get(name)
    return values[0] if values else None

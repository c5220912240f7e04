"""The pages of the app: path, nav title and the modules that build and wire each one.

A page's layout module has `layout(ctx)`; its callbacks module has `register(app, ctx)`.
Pages whose modules are not installed yet are left out of the nav rather than breaking it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    name: str  # module name under layouts/ and callbacks/

    def layout_module(self) -> ModuleType | None:
        return _optional(f"layouts.{self.name}")

    def callbacks_module(self) -> ModuleType | None:
        return _optional(f"callbacks.{self.name}")


PAGES = (
    Page("/", "Mission", "mission"),
    Page("/discovery", "Discovery", "discovery"),
    Page("/quotas", "API quotas", "quotas"),
    Page("/domains", "Domains", "domains"),
    Page("/performance", "Performance", "performance"),
    Page("/alerts", "Alerts", "alert_center"),
)


def _optional(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:  # the page is not built yet; any other missing import is a bug
            return None
        raise


def available_pages() -> list[Page]:
    return [p for p in PAGES if p.layout_module() is not None]


def normal_path(pathname: str | None) -> str:
    return (pathname or "/").split("?", 1)[0].rstrip("/") or "/"


def page_content(ctx, pages: list[Page], pathname: str | None):
    """The layout of the page at `pathname`, or a not-found panel."""
    from dash import html

    page = {p.path: p for p in pages}.get(normal_path(pathname))
    if page is None:
        return html.Div(
            className="panel panel-empty",
            children=[html.H2("Not found", className="panel-title"), html.P(f"No page at {pathname}")],
        )
    return page.layout_module().layout(ctx)

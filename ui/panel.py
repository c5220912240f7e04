"""The panel every page is built of (a titled section with an optional subtitle and tools),
and the graph config every page's charts share."""

from __future__ import annotations

from typing import Any

from dash import html

# No Plotly toolbar on a dashboard; graphs follow their container's size.
GRAPH_CONFIG: Any = {"displayModeBar": False, "responsive": True}


def panel(title: str, body, subtitle=None, tools=None, extra_class: str = "") -> html.Section:
    """A titled panel around `body`; `subtitle` is text or components, `tools` sit at the right."""
    head: list[Any] = [html.H2(title, className="panel-title")]
    if subtitle:
        head.append(html.Span(subtitle, className="panel-subtitle"))
    if tools is not None:
        head.append(html.Div(tools, className="ana-tools"))
    return html.Section(
        className=f"panel {extra_class}".strip(), children=[html.Div(head, className="panel-head"), body]
    )


def analysis_panel(title: str, body, subtitle: str | None = None, tools=None) -> html.Section:
    """A panel of the analysis pages (Discovery, Domains, Performance): denser type."""
    return panel(title, body, subtitle, tools, extra_class="ana-panel")

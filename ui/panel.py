"""The panel every page is built of (a titled section with an optional subtitle and tools),
and the graph config every page's charts share."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

# No Plotly toolbar on a dashboard; graphs follow their container's size.
GRAPH_CONFIG: Any = {"displayModeBar": False, "responsive": True}


def panel(
    title: str, body, subtitle=None, tools=None, extra_class: str = "", panel_id: str | None = None
) -> html.Section:
    """A titled panel around `body`; `subtitle` is text or components, `tools` sit at the right;
    `panel_id` names it (an arranged panel's key, ui.arrange)."""
    head: list[Any] = [html.H2(title, className="panel-title")]
    if subtitle:
        head.append(html.Span(subtitle, className="panel-subtitle"))
    if tools is not None:
        head.append(html.Div(tools, className="ana-tools"))
    named: dict[str, Any] = {"id": panel_id} if panel_id else {}
    return html.Section(
        className=f"panel {extra_class}".strip(), children=[html.Div(head, className="panel-head"), body], **named
    )


def analysis_panel(
    title: str, body, subtitle: str | None = None, tools=None, panel_id: str | None = None
) -> html.Section:
    """A panel of the analysis pages (Discovery, Domains, Performance): denser type."""
    return panel(title, body, subtitle, tools, extra_class="ana-panel", panel_id=panel_id)


def graph(graph_id: str, figure, height_px: int) -> dcc.Graph:
    """A chart of fixed height with the shared graph config."""
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG, style={"height": f"{height_px}px"})


def row(*columns: tuple) -> dbc.Row:
    """A row of the page grid: `row((panel, 7), (panel, 5))`, each column's width on large screens
    (out of 12); below that width the columns stack."""
    return dbc.Row(className="g-3", children=[dbc.Col(body, lg=width) for body, width in columns])


def graph_panel(title: str, graph_id: str, figure, height_px: int, subtitle: str | None, panel_id: str) -> html.Section:
    """An analysis panel holding one chart of fixed height."""
    return analysis_panel(title, graph(graph_id, figure, height_px), subtitle, panel_id=panel_id)

"""Components the analysis pages (Discovery, Domains, Performance) are built of: a titled
panel, a plain-text DataTable (no markdown, no HTML: crawled text stays text) and the CSV
export button with its download."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

from layouts.analysis_ids import csv_button, csv_download
from layouts.panels import panel as shared_panel
from views.analysis import fields, records

TABLE_STYLE = dict(
    style_table={"overflowX": "auto", "maxHeight": "360px", "overflowY": "auto"},
    style_header={"backgroundColor": "#0b1628", "color": "#6d7f99", "fontWeight": "600", "border": "none"},
    style_cell={
        "backgroundColor": "transparent",
        "color": "#c9d6ea",
        "border": "none",
        "fontSize": "12px",
        "fontFamily": "'DejaVu Sans Mono', monospace",
        "textAlign": "left",
        "maxWidth": "360px",
        "overflow": "hidden",
        "textOverflow": "ellipsis",
        "padding": "4px 8px",
    },
    style_data={"borderBottom": "1px solid #16263f"},
)


def panel(title: str, body, subtitle: str | None = None, tools=None) -> html.Section:
    return shared_panel(title, body, subtitle, tools, extra_class="ana-panel")


def table(table_id: str, frame, columns: list[tuple[str, str]], **extra) -> dash_table.DataTable:
    """A plain-text DataTable (no markdown, no HTML) of `frame`'s `columns` [(field, header)]."""
    return dash_table.DataTable(
        id=table_id,
        columns=[{"name": h, "id": c} for c, h in columns],
        data=records(frame, fields(columns)),
        page_action="none",
        sort_action="native",
        **TABLE_STYLE,
        **extra,
    )


def export_tools(table_id: str):
    return [
        dbc.Button("CSV", id=csv_button(table_id), size="sm", className="ana-csv", n_clicks=0),
        dcc.Download(id=csv_download(table_id)),
    ]

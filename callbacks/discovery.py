"""Callbacks of the discovery operations page.

- The shell's tick refreshes the page only when the rollup version (one Redis GET), the hour,
  the window or the domain filter changed since what this browser holds; otherwise nothing is
  sent. The model is computed once per key for every viewer (Flask-Caching).
- A click on a heat-map cell or a velocity bar lists the links behind it (a bounded query).
- Each table's CSV button downloads exactly the rows the table holds.
"""

from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from analytics import discovery as q
from analytics.export import table_csv
from figures.discovery import BUCKET_NAMES
from layouts.analysis_ids import Disc, csv_button, csv_download
from layouts.discovery import ALL
from layouts.ids import Shell
from views import discovery as view
from views.analysis import fields, page_now, records


def register_csv(app, table_id: str, filename: str) -> None:
    """The CSV button of `table_id` downloads the table's current rows and columns."""

    @app.callback(
        Output(csv_download(table_id), "data"),
        Input(csv_button(table_id), "n_clicks"),
        State(table_id, "data"),
        State(table_id, "columns"),
        prevent_initial_call=True,
    )
    def export(_clicks, data, columns):
        """Triggered by the CSV button."""
        fields = [c["id"] for c in columns or []]
        return {"content": table_csv(data or [], fields), "filename": filename, "type": "text/csv"}


def register(app, ctx) -> None:
    """Attach the discovery page's callbacks to `app`."""

    @app.callback(
        Output(Disc.RADAR, "figure"),
        Output(Disc.HEATMAP, "figure"),
        Output(Disc.MIX, "figure"),
        Output(Disc.VELOCITY, "figure"),
        Output(Disc.ANCHORS, "figure"),
        Output(Disc.BOARD, "data"),
        Output(Disc.FINDS, "data"),
        Output(Disc.WATCH_NOTE, "children"),
        Output(Disc.HELD, "data"),
        Input(Shell.TICK, "n_intervals"),
        Input(Disc.WINDOW, "value"),
        Input(Disc.DOMAIN, "value"),
        State(Disc.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh(_tick, days, domain, held):
        """Triggered by the tick or the controls: re-render only when the data can have changed."""
        a = ctx.analytics
        days = int(days or 30)
        domain = None if domain in (None, ALL) else str(domain)
        now = page_now(ctx)
        key = [a.cache.version(), now.strftime("%Y-%m-%d %H"), days, domain]
        if (held or {}).get("key") == key:
            raise PreventUpdate
        m = view.model(ctx, days, domain)
        f = view.figures_of(m)
        return (
            f[Disc.RADAR],
            f[Disc.HEATMAP],
            f[Disc.MIX],
            f[Disc.VELOCITY],
            f[Disc.ANCHORS],
            records(m["board"], fields(view.BOARD_COLUMNS)),
            records(m["finds"], fields(view.FINDS_COLUMNS)),
            view.watch_note(m),
            {"key": key},
        )

    @app.callback(
        Output(Disc.DRILL, "data"),
        Output(Disc.DRILL_TITLE, "children"),
        Input(Disc.HEATMAP, "clickData"),
        Input(Disc.VELOCITY, "clickData"),
        State(Disc.DOMAIN, "value"),
        prevent_initial_call=True,
    )
    def drill(heat_click, velocity_click, domain):
        """Triggered by a click on a heat-map cell or a velocity bar: the links behind it."""
        from dash import ctx as dash_ctx

        click = heat_click if dash_ctx.triggered_id == Disc.HEATMAP else velocity_click
        points = (click or {}).get("points") or []
        if not points:
            raise PreventUpdate
        p = points[0]
        day = str(p.get("x"))[:10]
        scope = None if domain in (None, ALL) else [str(domain)]
        svc = ctx.services
        cols = fields(view.DRILL_COLUMNS)
        if dash_ctx.triggered_id == Disc.HEATMAP:
            label = str(p.get("y"))
            bucket = BUCKET_NAMES.index(label) if label in BUCKET_NAMES else None
            rows = q.links_found_on(svc.engine, svc.schema, day, scope, bucket, mc=svc.mc_engine)
            title = f"links found on {day} with authority {label}"
        elif p.get("curveNumber") == 1:
            rows = q.links_lost_on(svc.engine, svc.mc_engine, svc.schema, day, scope)
            title = f"links lost on {day}"
        else:
            rows = q.links_found_on(svc.engine, svc.schema, day, scope)
            title = f"links found on {day}"
        shown = f" (first {q.DRILL_LIMIT})" if len(rows) >= q.DRILL_LIMIT else ""
        for c in cols:
            if c not in rows:
                rows[c] = None
        return records(rows, cols), title + (" · " + scope[0] if scope else "") + shown

    register_csv(app, Disc.BOARD, "competition-board.csv")
    register_csv(app, Disc.FINDS, "high-authority-finds.csv")
    register_csv(app, Disc.DRILL, "links.csv")

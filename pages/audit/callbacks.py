"""Callbacks of the audit log page.

- Filters, refresh, newer / older: read that page of the log (on demand, through the model)
  and show it with the paging line; a filter change starts again at the newest record.
- CSV: every record matching the filters (formula-safe cells, at most 10,000).
"""

from __future__ import annotations

from dash import Input, Output, State, dcc
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from pages.audit import model
from pages.audit.ids import AuditIds as Ids
from pages.audit.render import render

FILTERS = (Ids.USER, Ids.ACTION, Ids.RESULT, Ids.HOURS, Ids.TEXT)


def register(app, ctx) -> None:
    """Attach the audit page's callbacks to `app`."""

    @app.callback(
        Output(Ids.TABLE, "data"),
        Output(Ids.SUMMARY, "children"),
        Output(Ids.OFFSET, "data"),
        *[Input(control, "value") for control in FILTERS],
        Input(Ids.REFRESH, "n_clicks"),
        Input(Ids.PREV, "n_clicks"),
        Input(Ids.NEXT, "n_clicks"),
        State(Ids.OFFSET, "data"),
    )
    def show(user, action, result, hours, text, _refresh, _prev, _next, offset):
        """The page opened, a filter changed, refresh or paging: that page of the log."""
        filters = model.Filters.of(user, action, result, hours, text)
        trigger = dash_ctx.triggered_id
        start = offset if isinstance(offset, int) and not isinstance(offset, bool) else 0
        if trigger == Ids.PREV:
            start = max(0, start - model.PAGE_SIZE)
        elif trigger == Ids.NEXT:
            start = start + model.PAGE_SIZE
        elif trigger != Ids.REFRESH:
            start = 0
        records, total, start = model.page(ctx, filters, start)
        shown = render({"records": records, "total": total, "offset": start})
        return shown[Ids.TABLE].full, shown[Ids.SUMMARY].full, start

    @app.callback(
        Output(Ids.DOWNLOAD, "data"),
        Input(Ids.EXPORT, "n_clicks"),
        *[State(control, "value") for control in FILTERS],
        prevent_initial_call=True,
    )
    def export(n_clicks, user, action, result, hours, text):
        """CSV button: the filtered log as CSV."""
        if not n_clicks:
            raise PreventUpdate
        return dcc.send_string(model.export(ctx, model.Filters.of(user, action, result, hours, text)), "mc-audit.csv")

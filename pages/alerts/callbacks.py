"""Callbacks of the alert center (attached by `register(app, ctx)`; no module-level state).

- Live sections: triggered by a new snapshot version (the shell's VERSION); `ui.live.smallest_update` against the snapshot
  version (one Redis GET, no SQL per viewer): nothing when the browser shows that version,
  otherwise per section nothing, a Patch (the ages of cards) or the whole section.
- Acknowledge / silence / end silence: triggered by the card buttons; `model.act` applies the
  API's write rule and write functions. The comment and the duration come from the fields above
  the list, which live refreshes never redraw.
- History: triggered by the filters, the refresh button or an action's status (a query only
  when a person asks, through on_demand), with a chart and the CSV export.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, dcc
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from pages.alerts import model
from pages.alerts.ids import AlertIds as Ids
from pages.alerts.render import OUTPUTS, history, render
from pages.shell.ids import ShellIds
from pages.snapshot import at_version, latest
from ui.live import page_renders, smallest_update

ACTION_OF_BUTTON = {
    Ids.ACKNOWLEDGE: model.ACKNOWLEDGE,
    Ids.SILENCE: model.SILENCE,
    Ids.SILENCE_TYPE: model.SILENCE_TYPE,
    Ids.END_SILENCE: model.END_SILENCE,
}
FILTERS = (Ids.FILTER_SEVERITY, Ids.FILTER_TYPE, Ids.FILTER_EVENT, Ids.FILTER_HOURS, Ids.FILTER_TEXT)


def register(app, ctx) -> None:
    """Attach the alert center's callbacks to `app`."""
    cache = page_renders(ctx, "alerts", render)

    @app.callback(
        *[Output(section, "children") for section in OUTPUTS],
        Output(Ids.HELD, "data"),
        Input(ShellIds.VERSION, "data"),
        State(Ids.HELD, "data"),
        prevent_initial_call=True,
    )
    def refresh(_version, held):
        """Triggered by a new snapshot version (the shell's VERSION): send what changed since the version this browser shows."""
        try:
            version, doc = latest(ctx)
        except Exception:
            raise PreventUpdate from None  # the shell already shows the source as offline
        if doc is None:
            raise PreventUpdate
        sent, held = smallest_update(
            cache, held, version, lambda: doc, OUTPUTS, load_old=lambda old: at_version(ctx, old)
        )
        return (*sent, held)

    @app.callback(
        Output(Ids.STATUS, "children"),
        *[Input({"type": button, "index": ALL}, "n_clicks") for button in ACTION_OF_BUTTON],
        State(Ids.COMMENT, "value"),
        State(Ids.DURATION, "value"),
        prevent_initial_call=True,
    )
    def act(_acknowledges, _silences, _type_silences, _ends, comment, minutes):
        """A card button: acknowledge, silence (one alert or a type) or end a silence."""
        trigger = dash_ctx.triggered_id
        if not isinstance(trigger, dict) or not any(t.get("value") for t in dash_ctx.triggered):
            raise PreventUpdate  # buttons re-created by a refresh, not a click
        action = ACTION_OF_BUTTON.get(trigger.get("type"))
        if action is None:
            raise PreventUpdate
        # The change shows on the producer's next snapshot, which the tick then sends.
        return model.act(ctx, action, str(trigger.get("index")), comment, minutes)

    @app.callback(
        Output(Ids.HISTORY, "children"),
        Output(Ids.HISTORY_CHART, "figure"),
        *[Input(control, "value") for control in FILTERS],
        Input(Ids.HISTORY_REFRESH, "n_clicks"),
        Input(Ids.STATUS, "children"),
    )
    def show_history(severity, alert_type, event, hours, text, _refresh, _status):
        """Filters, the refresh button or an action: re-read the history (the only query of the page)."""
        return history(model.history(ctx, model.HistoryFilter.of(severity, alert_type, event, hours, text)))

    @app.callback(
        Output(Ids.DOWNLOAD, "data"),
        Input(Ids.EXPORT, "n_clicks"),
        *[State(control, "value") for control in FILTERS],
        prevent_initial_call=True,
    )
    def export(n_clicks, severity, alert_type, event, hours, text):
        """Export button: the filtered history as CSV."""
        if not n_clicks or ctx.alerts is None:
            raise PreventUpdate
        filters = model.HistoryFilter.of(severity, alert_type, event, hours, text)
        return dcc.send_string(model.history_export(ctx, filters), "alert-history.csv")

"""Callbacks of the Jobs page.

- A filter, the order, the page size, ‹ newer / older › or refresh: one page of the list and
  its total (a bounded on-demand query); a changed filter goes back to the first page.
- CSV: the jobs the filter matches (up to the export's row bound), not only the page shown.
- A click on a list row, or the page's address (`/jobs?id=…`) on load: that job's page.
- The job's commands (Cancel) through the commands control (ui/commands.py, host "job"): its
  confirmation names the job and its target; its outcome line, and refresh, re-read the job
  shown, so its status changes on the page without a reload.
"""

from __future__ import annotations

from dash import Input, Output, State
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from common.csv_export import table_csv
from pages.jobs.ids import JobIds as Ids
from pages.jobs.model import (
    export_model,
    job_filter,
    job_id_of,
    job_model,
    job_subject,
    list_model,
    page_number,
    page_size,
)
from pages.jobs.render import LIST_COLUMNS, job_view, last_page, list_rows, page_text
from pages.shell.ids import ShellIds
from ui import commands as cmd
from ui.inputs import text
from ui.tables import fields

OUTCOME = cmd.ids(Ids.CMD_HOST)["outcome"]
JOB_OUTPUTS = {
    Ids.JOB_TITLE: "children",
    Ids.JOB_STATUS: "children",
    Ids.JOB_LINK: "href",
    Ids.FIELDS: "data",
    Ids.COMMANDS: "children",
    Ids.HISTORY: "data",
    Ids.HISTORY_NOTE: "children",
    Ids.ERRORS: "data",
    Ids.SATELLITES: "data",
    Ids.ALERTS: "data",
}


def register(app, ctx) -> None:
    """Attach the Jobs page's callbacks to `app`."""

    @app.callback(
        Output(Ids.LIST, "data"),
        Output(Ids.PAGE_TEXT, "children"),
        Output(Ids.LIST_NOTE, "children"),
        Output(Ids.PAGE_NO, "data"),
        Input(Ids.LOADED, "data"),
        Input(Ids.STATUS, "value"),
        Input(Ids.TYPE, "value"),
        Input(Ids.TARGET, "value"),
        Input(Ids.DATE_FROM, "value"),
        Input(Ids.DATE_TO, "value"),
        Input(Ids.SATELLITE, "value"),
        Input(Ids.ORDER, "value"),
        Input(Ids.SIZE, "value"),
        Input(Ids.PREV, "n_clicks"),
        Input(Ids.NEXT, "n_clicks"),
        Input(Ids.REFRESH, "n_clicks"),
        State(Ids.PAGE_NO, "data"),
    )
    def show_list(_loaded, status, job_type, target, start, end, satellite, order, size, _p, _n, _r, number):
        """Triggered on load, by a filter, by paging or refresh: one page of the filtered jobs."""
        f = job_filter(status, job_type, target, start, end, satellite, order)
        size = page_size(size)
        number = page_number(number)
        trigger = dash_ctx.triggered_id
        if trigger == Ids.PREV:
            number = max(0, number - 1)
        elif trigger == Ids.NEXT:
            number += 1
        elif trigger not in (Ids.REFRESH, None, Ids.LOADED):
            number = 0
        page = list_model(ctx, f, number, size)
        if trigger == Ids.NEXT and len(page.rows) == 0 and number > 0:
            number = min(number - 1, last_page(page, size))  # stay on the last page
            page = list_model(ctx, f, number, size)
        return list_rows(page), page_text(page, number, size), " · ".join(page.notes), number

    @app.callback(
        Output(Ids.EXPORT_DOWNLOAD, "data"),
        Input(Ids.EXPORT, "n_clicks"),
        State(Ids.STATUS, "value"),
        State(Ids.TYPE, "value"),
        State(Ids.TARGET, "value"),
        State(Ids.DATE_FROM, "value"),
        State(Ids.DATE_TO, "value"),
        State(Ids.SATELLITE, "value"),
        State(Ids.ORDER, "value"),
        prevent_initial_call=True,
    )
    def export(_clicks, status, job_type, target, start, end, satellite, order):
        """Triggered by CSV: every job the filter matches (bounded), as CSV (formula-safe cells)."""
        f = job_filter(status, job_type, target, start, end, satellite, order)
        page = export_model(ctx, f)
        names = fields(LIST_COLUMNS)
        return {"content": table_csv(list_rows(page), names), "filename": "jobs.csv", "type": "text/csv"}

    @app.callback(
        *[Output(output, prop) for output, prop in JOB_OUTPUTS.items()],
        Output(Ids.SELECTED, "data"),
        Input(Ids.LOADED, "data"),
        Input(Ids.LIST, "active_cell"),
        Input(Ids.REFRESH, "n_clicks"),
        Input(OUTCOME, "children"),
        State(Ids.LIST, "data"),
        State(ShellIds.URL, "search"),
        State(Ids.SELECTED, "data"),
    )
    def show_job(_loaded, cell, _refresh, _outcome, rows, search, selected):
        """Triggered on load (the address's ?id=), by a click on a list row, by refresh or by a
        command's outcome (the job shown, re-read): that job's page."""
        trigger = dash_ctx.triggered_id
        if trigger in (Ids.REFRESH, OUTCOME) and isinstance(selected, str) and selected:
            job_id: str | None = text("job id", selected, 200)
        elif trigger == Ids.LIST:
            if not isinstance(cell, dict) or not isinstance(rows, list):
                raise PreventUpdate
            index = cell.get("row")
            if not isinstance(index, int) or not 0 <= index < len(rows) or not isinstance(rows[index], dict):
                raise PreventUpdate
            job_id = text("job id", rows[index].get("job_id"), 200)
        else:
            job_id = job_id_of(search)
        shown = job_view(job_model(ctx, job_id), ctx.settings.url_prefix)
        return (*[shown[output].full for output in JOB_OUTPUTS], job_id)

    cmd.register(app, ctx, Ids.CMD_HOST, describe=lambda name, job_id: job_subject(ctx, name, job_id))

"""The Jobs page drawn from its model (pure): the list's rows and paging text, and the job page.
Crawled text (target URLs, error messages) goes into DataTable cells or Dash children: text."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote

import pandas as pd
from dash import html

from pages.jobs.ids import JobIds as Ids
from ui import commands as cmd
from ui.delta import Render
from ui.format import utc_label, utc_text
from ui.page import public_path
from ui.tables import fields, records

if TYPE_CHECKING:
    from data.job_search import JobPage

LIST_COLUMNS = [
    ("created_at", utc_label("created")),
    ("status", "status"),
    ("job_type", "type"),
    ("target_url", "target"),
    ("progress_percentage", "progress %"),
    ("urls_crawled", "pages"),
    ("links_found", "links"),
    ("priority", "priority"),
    ("started_date", utc_label("started")),
    ("completed_date", utc_label("finished")),
    ("job_id", "job id"),
]
HISTORY_COLUMNS = [
    ("timestamp", utc_label("logged")),
    ("satellite_id", "satellite"),
    ("progress", "progress %"),
    ("pages_crawled", "pages"),
    ("links_extracted", "links"),
    ("errors_logged", "errors"),
]
ERROR_COLUMNS = [
    ("timestamp", "time"),
    ("severity", "severity"),
    ("error_type", "type"),
    ("url", "URL"),
    ("message", "message"),
    ("details", "details"),
]
SATELLITE_COLUMNS = [
    ("satellite_id", "satellite"),
    ("started_at", utc_label("from")),
    ("completed_at", utc_label("to")),
    ("source", "known from"),
]
ALERT_COLUMNS = [
    ("at", utc_label("at")),
    ("event", "event"),
    ("severity", "severity"),
    ("type", "type"),
    ("message", "message"),
]
# The job's own fields shown on its page, in this order (a variant lacking one leaves it out).
FIELD_ORDER = (
    "id",
    "status",
    "job_type",
    "target_url",
    "priority",
    "progress_percentage",
    "urls_crawled",
    "links_found",
    "created_at",
    "scheduled_at",
    "cron_schedule",
    "started_date",
    "last_fetched_at",
    "completed_date",
    "anomalies_detected",
    "config",
    "results",
)
JSON_LIMIT = 2000


def list_rows(page: JobPage) -> list[dict]:
    """The list's rows for the table. The id goes in `job_id`: a DataTable treats a field named
    `id` as its row ids (kept per row in the browser), which crawled ids should not be."""
    rows = page.rows.rename(columns={"id": "job_id"})
    return records(rows, fields(LIST_COLUMNS))


def page_text(page: JobPage, number: int, size: int) -> str:
    """'jobs 51–100 of 1,234' (or 'of 100,000+' when the count was capped)."""
    if page.total == 0:
        return "no job matches"
    first = number * size + 1
    last = number * size + len(page.rows)
    total = f"{page.total:,}{'+' if page.capped else ''}"
    if len(page.rows) == 0:
        return f"past the last page · {total} jobs"
    return f"jobs {first:,}–{last:,} of {total}"


def last_page(page: JobPage, size: int) -> int:
    return max(0, (page.total - 1) // size)


def _value(name: str, value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if name in ("created_at", "scheduled_at", "started_date", "last_fetched_at", "completed_date"):
        return utc_text(value, "second") + " UTC"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str, sort_keys=True)[:JSON_LIMIT]
    return str(value)[:JSON_LIMIT]


def field_rows(row: dict) -> list[dict]:
    """The job's fields as (field, value) rows, all text."""
    return [{"field": name, "value": _value(name, row[name])} for name in FIELD_ORDER if name in row]


def _frame_rows(frame, columns) -> list[dict]:
    if frame is None:
        return []
    frame = frame.copy()
    for c in fields(columns):
        if c not in frame:
            frame[c] = None
    return records(pd.DataFrame(frame), fields(columns))


def job_link(job_id: str, prefix: str) -> str:
    """The job page's address: /jobs?id=<id> (the id quoted)."""
    return public_path("/jobs", prefix) + "?id=" + quote(job_id, safe="")


def _no_job(title: str, status: str) -> dict[str, Render]:
    """The job section with no job to show."""
    values: dict[str, object] = {output: [] for output in (Ids.FIELDS, Ids.COMMANDS, Ids.HISTORY, Ids.ERRORS)}
    values.update({Ids.SATELLITES: [], Ids.ALERTS: [], Ids.HISTORY_NOTE: "", Ids.JOB_LINK: None})
    values.update({Ids.JOB_TITLE: title, Ids.JOB_STATUS: status})
    return {k: Render.of(v) for k, v in values.items()}


def job_view(model: dict | None, prefix: str = "/") -> dict[str, Render]:
    """The job page's parts for `model` (pages.jobs.model.job_model): {output id: Render}."""
    if model is None:
        return _no_job("click a job in the list, or open /jobs?id=<job id>", "")
    if not model["found"]:
        return _no_job(f"no job with id {model['id']}", "not found")
    detail = model["detail"]
    row = detail["row"]
    history = detail["history"]
    values: dict[str, object] = {
        Ids.JOB_TITLE: f"{row.get('job_type') or 'job'} · {row.get('target_url') or ''}",
        Ids.JOB_STATUS: model["status"],
        Ids.JOB_LINK: job_link(model["id"], prefix),
        Ids.FIELDS: field_rows(row),
        Ids.COMMANDS: commands_view(model["id"], model["commands"], model.get("refusals") or {}),
        Ids.HISTORY: _frame_rows(history, HISTORY_COLUMNS),
        Ids.HISTORY_NOTE: history_note(row, history),
        Ids.ERRORS: _frame_rows(detail["errors"], ERROR_COLUMNS),
        Ids.SATELLITES: _frame_rows(detail["satellites"], SATELLITE_COLUMNS),
        Ids.ALERTS: _frame_rows(detail["alerts"], ALERT_COLUMNS),
    }
    return {k: Render.of(v) for k, v in values.items()}


def commands_view(job_id: str, commands: list[str], refusals: dict[str, str | None]) -> list:
    """A button per command that applies (disabled, with the reason shown beside them, when the
    caller may not run it); the host's dialog and outcome line are in the layout."""
    if not commands:
        return [html.Span("no command applies to a job in this status", className="muted")]
    buttons = [cmd.button(Ids.CMD_HOST, name, job_id, refusals.get(name)) for name in commands]
    return [*buttons, cmd.note([refusals.get(name) for name in commands])]


def history_note(row: dict, history) -> str:
    """Where the progress history comes from, and what is known without it."""
    now = f"now {_value('progress_percentage', row.get('progress_percentage'))} %"
    if history is None:
        return (
            "this schema variant's performance logs do not name the job (variant M); "
            f"the job's own progress: {now}, last update {_value('last_fetched_at', row.get('last_fetched_at'))}"
        )
    if len(history) == 0:
        return f"no performance log names this job; the job's own progress: {now}"
    return f"{len(history)} performance logs name this job (oldest first); {now}"


def render(model: dict | None) -> dict[str, Render]:
    """The job page's outputs for one job model (the list is drawn by `list_rows`)."""
    return job_view(model)

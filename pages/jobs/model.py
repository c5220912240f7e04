"""The Jobs page's data: the controls' values checked and turned into a filter, one page of
the list (on_demand, bounded), the CSV export of the filtered jobs, and one job's page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs

import on_demand
from commands.catalog import COMMANDS
from common.csv_export import MAX_ROWS
from data.job_search import PAGE_SIZES, JobFilter, JobPage
from data.lp_tables import JOB_STATUSES, JOB_TYPES
from ui import commands as cmd
from ui.inputs import InvalidInput, bounded_int, choice, text

ANY = "__any__"
STATUSES = JOB_STATUSES
TYPES = JOB_TYPES
SIZES = PAGE_SIZES
ORDERS = ("newest", "oldest")
DEFAULT_SIZE = 50
MAX_PAGE = 100_000
# Job statuses and the operator commands that apply to each (Link Profiler's cancel_job takes
# a job out of the queues or stops it running); the commands control acts on these.
COMMANDS_BY_STATUS: dict[str, tuple[str, ...]] = {
    "pending": ("job_cancel",),
    "queued": ("job_cancel",),
    "in_progress": ("job_cancel",),
    "paused": ("job_cancel",),
}
TARGET_SHOWN = 200  # characters of a job's target in a confirmation
LINKS_NOTE = (
    "Link Profiler's backlinks carry no job id (no column joins a link to the job that found it), "
    "so the links a job found cannot be listed; the count is the job's own links_found."
)


def day(name: str, value) -> date | None:
    """A 'YYYY-MM-DD' (a date picker's value, maybe with a time part) or None, else InvalidInput."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidInput(f"{name} must be a date (YYYY-MM-DD)") from None


def job_filter(status, job_type, target, start, end, satellite, order) -> JobFilter:
    """The controls' values as a JobFilter (InvalidInput for anything the controls do not offer)."""
    status = choice("status", status, (ANY, *JOB_STATUSES), ANY)
    job_type = choice("job type", job_type, (ANY, *JOB_TYPES), ANY)
    target = (text("target", target, 200) or "").strip()
    first, last = day("from", start), day("to", end)
    sat = (text("satellite", satellite, 255) or "").strip()
    return JobFilter(
        status=None if status == ANY else status,
        job_type=None if job_type == ANY else job_type,
        target=target or None,
        created_from=datetime.combine(first, datetime.min.time()) if first else None,
        created_to=datetime.combine(last, datetime.min.time()) + timedelta(days=1) if last else None,
        satellite=None if sat in ("", ANY) else sat,
        newest_first=choice("order", order, ORDERS, "newest") == "newest",
    )


def page_size(value) -> int:
    return choice("page size", value, PAGE_SIZES, DEFAULT_SIZE)


def page_number(value) -> int:
    return bounded_int("page", value, 0, MAX_PAGE, 0) or 0


def list_model(ctx, f: JobFilter, page: int, size: int) -> JobPage:
    """One page of jobs matching `f` and the total."""
    return on_demand.jobs_page(ctx, f, page, size)


def export_model(ctx, f: JobFilter) -> JobPage:
    """The jobs matching `f`, newest first, up to the CSV export's MAX_ROWS."""
    return on_demand.jobs_page(ctx, f, 0, MAX_ROWS)


def job_id_of(search) -> str | None:
    """The job id of a page address's query (`?id=…`), or None."""
    query = text("address", search, 2000) or ""
    values = parse_qs(query.lstrip("?")).get("id")
    return values[0][:200] if values else None


def job_model(ctx, job_id: str | None) -> dict | None:
    """One job's page: {"id", "found", "detail" (on_demand.job_detail), "status", "commands"
    (the operator commands that apply), "refusals" (why the caller may not run each)}; None
    when no job is chosen."""
    if not job_id:
        return None
    job_id = text("job id", job_id, 200) or ""
    detail = on_demand.job_detail(ctx, job_id)
    status = str(detail["row"].get("status")) if detail else None
    names = list(COMMANDS_BY_STATUS.get(status or "", ()))
    return {
        "id": job_id,
        "found": detail is not None,
        "detail": detail,
        "status": status,
        "commands": names,
        # Why the caller may not run each (None: it may), asked per request: the role is theirs.
        "refusals": {name: cmd.refusal(ctx, name) for name in names},
    }


def job_subject(ctx, name: str, job_id: str | None) -> str | None:
    """How a confirmation names the job a command acts on: "Cancel job <id> (<target>)" (the
    target re-read now; crawled text, made one plain line by the commands control)."""
    if not job_id:
        return None
    row = on_demand.job_row(ctx, job_id[:200])
    target = str((row or {}).get("target_url") or "")[:TARGET_SHOWN]
    label = COMMANDS[name].label if name in COMMANDS else name
    return f"{label} {job_id} ({target or 'no such job'})"

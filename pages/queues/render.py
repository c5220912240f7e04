"""The Queues page drawn from its model (pure). Entries are crawled and hostile: every value is
a DataTable cell (plain text), cut to a preview."""

from __future__ import annotations

from pages.queues.ids import QueueIds as Ids
from pages.queues.model import PAGE_SIZE, QUEUES
from common.textsafe import strip_invisible
from ui.delta import Render
from ui.format import duration, utc_text

COLUMNS = [
    ("position", "#"),
    ("job_id", "job id"),
    ("job_type", "type"),
    ("target_url", "target"),
    ("priority", "priority"),
    ("score", "score"),
    ("due", "due (UTC)"),
    ("reason", "reason"),
    ("age", "age"),
    ("since", "since (UTC)"),
    ("size", "characters"),
    ("problem", "not parsed because"),
    ("preview", "entry (start)"),
]
OUTPUTS = {
    Ids.TABLE: "data",
    Ids.SUMMARY: "children",
    Ids.KIND: "children",
    Ids.PAGE_TEXT: "children",
    Ids.DEAD_PICK: "options",
    Ids.DEAD_COMMANDS: "style",
}
HIDDEN = {"display": "none"}
LABEL_CHARS = 60  # a dropdown label of thousands of characters stalls the browser


def entry_rows(page, now) -> list[dict]:
    rows = []
    for i, e in enumerate(page.entries):
        due = e.get("due_at")
        rows.append(
            {
                "entry": e.get("entry"),  # not a column: what the dead-letter picker names
                "position": page.offset + i + 1,
                "job_id": e.get("id"),
                "job_type": e.get("job_type"),
                "target_url": e.get("target_url"),
                "priority": e.get("priority"),
                "score": e.get("score"),
                "due": None
                if due is None
                else utc_text(due) + (" (overdue)" if due <= now else f" (in {duration((due - now).total_seconds())})"),
                "reason": e.get("reason"),
                "age": duration(e["age_s"]) if e.get("age_s") is not None else None,
                "since": utc_text(e["since"]) if e.get("since") else None,
                "size": e.get("size"),
                "problem": e.get("problem"),
                "preview": e.get("preview"),
            }
        )
    return rows


def _label(text: str) -> str:
    text = " ".join(strip_invisible(text).split())
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def dead_choices(page) -> list[dict]:
    """The dead-letter picker's options: the entries of the page shown, by entry id, labelled
    '#3 · job 42 · <reason>' (crawled text: plain, one line, cut)."""
    out = []
    for i, e in enumerate(page.entries):
        if not e.get("entry"):
            continue
        job = e.get("id") or "(no job id)"
        why = e.get("reason") or e.get("problem") or ""
        out.append({"label": _label(f"#{page.offset + i + 1} · job {job} · {why}"), "value": e["entry"]})
    return out


def summary(model: dict) -> str:
    parts = []
    for field, name in QUEUES.items():
        depth, kind = model["depths"].get(field, (None, None))
        shown = "—" if depth is None else f"{depth:,}"
        parts.append(f"{name}: {shown}" + (f" ({kind})" if kind and kind != "none" else ""))
    if model.get("paused"):
        parts.append("dispatch PAUSED")
    return " · ".join(parts)


# How each queue's entries are ordered on the page, by Redis type.
ORDER_TEXT = {
    ("job_queue", "list"): "a list, the next popped first",
    ("job_queue", "zset"): "a sorted set, highest score (priority) first: the next popped first",
    ("scheduled", "zset"): "a sorted set scored by due time, soonest first",
    ("dead_letter", "list"): "a list, newest first",
}


def kind_text(page, queue: str) -> str:
    """The key, its Redis type and how it is read (or why it cannot be)."""
    if page.problem:
        return f"{page.key}: {page.problem}"
    if page.kind == "none":
        return f"{page.key} is absent (empty)"
    return f"{page.key} is " + ORDER_TEXT.get((queue, page.kind), f"a {page.kind}")


def page_text(page) -> str:
    if page.total == 0:
        return "no entries"
    first = page.offset + 1
    last = page.offset + len(page.entries)
    if not page.entries:
        return f"past the end · {page.total:,} entries"
    return f"entries {first:,}–{last:,} of {page.total:,}"


def render(model: dict) -> dict[str, Render]:
    """Every output of the page for one model."""
    page = model["page"]
    values = {
        Ids.TABLE: entry_rows(page, model["now"]),
        Ids.SUMMARY: summary(model),
        Ids.KIND: kind_text(page, model["queue"]),
        Ids.PAGE_TEXT: page_text(page),
        Ids.DEAD_PICK: dead_choices(page) if model["queue"] == "dead_letter" else [],
        Ids.DEAD_COMMANDS: {} if model["queue"] == "dead_letter" else HIDDEN,
    }
    return {k: Render.of(v) for k, v in values.items()}


def last_offset(total: int) -> int:
    return max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE)

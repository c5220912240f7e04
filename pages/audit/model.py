"""The audit log page's data: a filtered page of `mc_audit` and its CSV, read on demand (a
person opening the page or changing a filter), never on a tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import on_demand
from commands import audit
from commands.catalog import COMMANDS
from commands.tables import RESULTS
from common.timestamps import utcnow
from ui.inputs import bounded_int, choice, text

PAGE_SIZE = 50
ACTIONS = tuple(COMMANDS)
HOUR_CHOICES = ((24, "last 24 h"), (168, "last 7 days"), (720, "last 30 days"), (0, "all time"))
DEFAULT_HOURS = 168
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Filters:
    """The page's filters as its controls give them (empty = any)."""

    user: str | None = None
    action: str | None = None
    result: str | None = None
    hours: int = DEFAULT_HOURS
    text: str | None = None

    @classmethod
    def of(cls, user, action, result, hours, text_value) -> Filters:
        """The filters as a browser sent them, each checked (InvalidInput names the bad one)."""
        return cls(
            text("user", user, 200) or None,
            choice("action", action, ACTIONS) if action not in (None, "") else None,
            choice("result", result, RESULTS) if result not in (None, "") else None,
            choice("period", bounded_int("period", hours, 0, 366 * 24, DEFAULT_HOURS), [h for h, _ in HOUR_CHOICES]),
            text("search", text_value, 200) or None,
        )

    def query(self) -> audit.AuditFilter:
        since = utcnow() - timedelta(hours=self.hours) if self.hours else None
        return audit.AuditFilter(self.user, self.action, self.result, since, None, self.text)


def page(ctx, filters: Filters, offset: int) -> tuple[list[dict], int, int]:
    """(records, total, offset) of the page starting at `offset` (moved back inside the total)."""
    offset = bounded_int("offset", offset, 0, MAX_OFFSET, 0) or 0
    rows, total = on_demand.audit_page(ctx, filters.query(), offset, PAGE_SIZE)
    if offset and offset >= total:
        offset = max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE)
        rows, total = on_demand.audit_page(ctx, filters.query(), offset, PAGE_SIZE)
    return rows, total, offset


def export(ctx, filters: Filters) -> str:
    """Every record matching `filters` (newest first, at most audit.CSV_LIMIT) as CSV."""
    rows, _total = on_demand.audit_page(ctx, filters.query(), 0, audit.CSV_LIMIT)
    return audit.as_csv(rows)


def users(ctx) -> list[str]:
    """The users the log names (for the filter); none while the database is down."""
    try:
        return on_demand.audit_users(ctx)
    except Exception:
        return []

"""The quota page's data: the quota manager's `overview()` (statuses, daily history, the
router's recent decisions and backup events), read once per key and shared by every viewer.

The key is cheap: the ledger's version (one Redis GET; it grows on every grant, decision and
event) and the minute of the manager's clock (burn rates and forecasts move with time even when
nobody consumes). The page never reads around the manager.
"""

from __future__ import annotations

NOT_RUNNING = "the quota ledger is not running"


def key(ctx) -> list:
    """What the page's data depends on; raises when the ledger does not answer."""
    return [ctx.quotas.version(), ctx.quotas.clock().strftime("%Y%m%d%H%M")]


def overview(ctx) -> dict:
    """{"now", "statuses", "history", "decisions", "events"} (see QuotaManager.overview)."""
    return ctx.quotas.overview()


def unavailable(problem: str) -> dict:
    """The model of a page that cannot read the ledger: the panels say why."""
    return {"problem": problem}


def current(ctx) -> tuple[list | None, dict]:
    """(key, overview) now, or (None, unavailable(...)): the page never crashes on the ledger."""
    if getattr(ctx, "quotas", None) is None:
        return None, unavailable(NOT_RUNNING)
    try:
        return key(ctx), overview(ctx)
    except Exception as exc:  # Redis or the database down: say so in the panels
        return None, unavailable(f"quota ledger offline: {type(exc).__name__}")

"""The Domains page's data: the expired-domain hunter, the value breakdown of the picked domain,
portfolios, overlaps, the link gap and brand mentions, read from `mc_domain_values` and the
rollups and memoised per rollup version, hour and controls."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from analytics import domains as rollups
from analytics.dialect import day_key
from analytics.watchlist import Watchlist, resolve
import on_demand
from pages.clock import page_now
from ui.inputs import InvalidInput

log = logging.getLogger(__name__)

MENTION_DAYS = 30


def key(ctx, within: int | None, picked: str | None) -> list:
    """What the page's data depends on: the rollup version, the hour and the controls."""
    return [ctx.analytics.cache.version(), page_now(ctx).strftime("%Y-%m-%d %H"), within, picked]


def _days(now: datetime) -> list[str]:
    first = now - timedelta(days=MENTION_DAYS - 1)
    return [day_key(first + timedelta(days=i)) for i in range(MENTION_DAYS)]


def model(ctx, within: int | None, picked: str | None) -> dict | None:
    """What the page shows for (expiring within, picked domain); with no pick, the hunter's
    first domain is picked. None when the rollups cannot be read (a missing table, the
    database down): the page keeps what it shows.

    The page's tables and figures are cached per (rollup version, hour, within); the picked
    domain's breakdown is one indexed lookup, and a name that is not a scored domain is refused
    (InvalidInput) rather than computed and cached: made-up picks cannot make the server run the
    page's queries or fill its cache."""
    analytics = ctx.analytics
    now = page_now(ctx)
    hour = now.strftime("%Y-%m-%d %H")
    try:
        page = analytics.cached("domains", [within, hour], lambda: _page(ctx, now, within))
        name = picked or (str(page["hunter"]["name"].iloc[0]) if not page["hunter"].empty else None)
        breakdown = _breakdown(ctx, name) if name else None
    except SQLAlchemyError as exc:
        # Tables are created at start-up; if they are missing (or the database is down) the
        # failure is not cached, so the next tick tries again.
        log.warning("domains page: rollups unavailable (%s)", type(exc).__name__)
        return None
    if picked and breakdown is None:
        raise InvalidInput(f"no scored domain is called {picked[:100]!r}")
    return {**page, "picked": name, "breakdown": breakdown}


def _page(ctx, now: datetime, within: int | None) -> dict:
    svc, analytics = ctx.services, ctx.analytics
    mc = svc.mc_engine
    watch = resolve(svc.engine, mc, svc.schema, analytics.settings)
    return {
        "now": now,
        "watch": watch,
        "hunter": rollups.expired_domains(mc, now, within_days=within),
        "portfolios": rollups.portfolios(mc, watch.all),
        "overlaps": rollups.overlaps(mc, watch.all),
        "gap": rollups.link_gap(mc, list(watch.tracked), list(watch.competitors)),
        "mentions": rollups.mentions(mc, now, MENTION_DAYS),
        "days": _days(now),
        "names": rollups.domain_names(mc),
    }


def _breakdown(ctx, name: str) -> dict | None:
    """The value breakdown of `name` (one indexed lookup, run when the page's key is new: the
    renders are cached per key); None when no scored domain has that name."""
    weights = dict(ctx.analytics.settings.value_weights)
    return rollups.value_breakdown(ctx.services.mc_engine, name, weights)


def search_names(ctx, search: str) -> list[str]:
    """Scored domain names starting with `search` (the picker), best first; [] while the
    scores cannot be read."""
    try:
        return on_demand.domain_names(ctx, search)
    except SQLAlchemyError as exc:
        log.warning("domains page: picker search unavailable (%s)", type(exc).__name__)
        return []


def empty(ctx) -> dict:
    """The model of a page with no data (what the first paint shows when `model` gives None)."""
    now = page_now(ctx)
    frame = pd.DataFrame()
    return {
        "now": now,
        "watch": Watchlist((), (), "unavailable"),
        "hunter": frame,
        "picked": None,
        "breakdown": None,
        "portfolios": frame,
        "overlaps": frame,
        "gap": frame,
        "mentions": frame,
        "days": _days(now),
        "names": [],
    }

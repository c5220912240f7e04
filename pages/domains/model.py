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
from pages.clock import page_now

log = logging.getLogger(__name__)

MENTION_DAYS = 30


def key(ctx, within: int | None, picked: str | None) -> list:
    """What the page's data depends on: the rollup version, the hour and the controls."""
    return [ctx.analytics.cache.version(), page_now(ctx).strftime("%Y-%m-%d %H"), within, picked]


def _days(now: datetime) -> list[str]:
    first = now - timedelta(days=MENTION_DAYS - 1)
    return [day_key(first + timedelta(days=i)) for i in range(MENTION_DAYS)]


def model(ctx, within: int | None, picked: str | None) -> dict | None:
    """What the page shows for (expiring within, picked domain), cached per rollup version and
    hour; with no pick, the hunter's first domain is picked. None when the rollups cannot be
    read (a missing table, the database down): the page keeps what it shows."""
    analytics = ctx.analytics
    svc = ctx.services
    now = page_now(ctx)

    def compute():
        mc = svc.mc_engine
        watch = resolve(svc.engine, mc, svc.schema, analytics.settings)
        hunter = rollups.expired_domains(mc, now, within_days=within)
        name = picked or (str(hunter["name"].iloc[0]) if not hunter.empty else None)
        return {
            "now": now,
            "watch": watch,
            "hunter": hunter,
            "picked": name,
            "breakdown": rollups.value_breakdown(mc, name, dict(analytics.settings.value_weights)) if name else None,
            "portfolios": rollups.portfolios(mc, watch.all),
            "overlaps": rollups.overlaps(mc, watch.all),
            "gap": rollups.link_gap(mc, list(watch.tracked), list(watch.competitors)),
            "mentions": rollups.mentions(mc, now, MENTION_DAYS),
            "days": _days(now),
            "names": rollups.domain_names(mc),
        }

    try:
        return analytics.cached("domains", [within, picked, now.strftime("%Y-%m-%d %H")], compute)
    except SQLAlchemyError as exc:
        # Tables are created at start-up; if they are missing (or the database is down) the
        # failure is not cached, so the next tick tries again.
        log.warning("domains page: rollups unavailable (%s)", type(exc).__name__)
        return None


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

"""The Discovery page's data: everything it shows for (window, domain filter), read from the
rollups and memoised per rollup version and hour; and the links behind a clicked cell or bar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

import on_demand
from analytics import discovery as rollups
from analytics.watchlist import resolve
from figures.discovery import BUCKET_NAMES
from pages.clock import page_now
from ui.inputs import InvalidInput, choice

WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30
ALL_DOMAINS = "__all__"


def key(ctx, days: int, domain: str | None) -> list:
    """What the page's data depends on: the rollup version, the hour and the controls."""
    return [ctx.analytics.cache.version(), page_now(ctx).strftime("%Y-%m-%d %H"), days, domain]


def model(ctx, days: int, domain: str | None) -> dict:
    """Everything the page shows for (window, domain filter), cached per rollup version and hour."""
    analytics = ctx.analytics
    svc = ctx.services
    now = page_now(ctx)

    def compute():
        mc = svc.mc_engine
        watch = resolve(svc.engine, mc, svc.schema, analytics.settings)
        scope = [domain] if domain else None
        velocity = rollups.velocity(mc, now, days, scope)  # one row per day of the window, whatever the scope
        return {
            "now": now,
            "watch": watch,
            "days": list(velocity["day"]),
            "radar": rollups.radar(mc, now, watch.all or None, lp=svc.engine, schema=svc.schema),
            "heatmap": rollups.heatmap(mc, now, days, scope),
            "board": rollups.competition(mc, now, days, watch.all),
            "velocity": velocity,
            "anchors": rollups.anchors(mc, now, days, scope),
            "finds": rollups.finds(mc, now, days, scope),
        }

    return analytics.cached("discovery", [days, domain, now.strftime("%Y-%m-%d %H")], compute)


def calendar_day(value) -> str:
    """'YYYY-MM-DD' of a clicked point's x (a day or a timestamp), else InvalidInput."""
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise InvalidInput("the clicked point has no day") from None


def watched_domain(ctx, value) -> str | None:
    """The domain filter: None for every domain, else one of the watched domains (InvalidInput
    otherwise: a made-up domain would bypass the page cache and make the server run SQL)."""
    if value in (None, ALL_DOMAINS):
        return None
    return choice("domain", value, model(ctx, DEFAULT_WINDOW, None)["watch"].all)


@dataclass(frozen=True)
class Drill:
    """The links behind a click, and what they are."""

    rows: pd.DataFrame
    title: str


def drill(ctx, clicked: str, point: dict, domain: str | None) -> Drill:
    """The links behind a heat-map cell (`clicked="heatmap"`) or a velocity bar (found, or lost
    when the point is on the second trace). Bounded to on_demand.DRILL_LIMIT rows."""
    day = calendar_day(point.get("x"))
    scope = [domain] if domain else None
    if clicked == "heatmap":
        label = str(point.get("y"))
        bucket = BUCKET_NAMES.index(label) if label in BUCKET_NAMES else None
        rows = on_demand.links_found_on(ctx, day, scope, bucket)
        title = f"links found on {day} with authority {label}"
    elif point.get("curveNumber") == 1:
        rows = on_demand.links_lost_on(ctx, day, scope)
        title = f"links lost on {day}"
    else:
        rows = on_demand.links_found_on(ctx, day, scope)
        title = f"links found on {day}"
    shown = f" (first {on_demand.DRILL_LIMIT})" if len(rows) >= on_demand.DRILL_LIMIT else ""
    return Drill(rows, title + (" · " + scope[0] if scope else "") + shown)

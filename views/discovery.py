"""The Discovery page's data: everything it shows for (window, domain filter), read from the
rollups and memoised per rollup version and hour, and the figures built from it."""

from __future__ import annotations

from analytics import discovery as q
from analytics.watchlist import resolve
from figures import discovery as figs
from layouts.analysis_ids import Disc
from views.analysis import page_now

BOARD_COLUMNS = [
    ("domain", "domain"),
    ("referring_domains", "referring domains"),
    ("new_links", "new"),
    ("lost_links", "lost"),
    ("new_per_day", "new / day"),
    ("lost_per_day", "lost / day"),
]
FINDS_COLUMNS = [
    ("first_seen", "found (UTC)"),
    ("authority", "authority"),
    ("source_domain", "linking domain"),
    ("target_domain", "target"),
    ("anchor_text", "anchor"),
    ("source_url", "source URL"),
    ("link_type", "type"),
    ("spam_level", "spam"),
]
DRILL_COLUMNS = [
    ("first_seen", "found (UTC)"),
    ("authority", "authority"),
    ("source_domain", "linking domain"),
    ("source_url", "source URL"),
    ("target_url", "target URL"),
    ("anchor_text", "anchor"),
    ("link_type", "type"),
    ("spam_level", "spam"),
    ("reason", "lost because"),
]


def model(ctx, days: int, domain: str | None) -> dict:
    """Everything the page shows for (window, domain filter), cached per rollup version and hour."""
    a = ctx.analytics
    svc = ctx.services
    now = page_now(ctx)
    key = [days, domain, now.strftime("%Y-%m-%d %H")]

    def compute():
        a.refresher.ensure_tables()
        mc = svc.mc_engine
        watch = resolve(svc.engine, mc, svc.schema, a.settings)
        scope = [domain] if domain else None
        velocity = q.velocity(mc, now, days, scope)  # one row per day of the window, whatever the scope
        return {
            "now": now,
            "watch": watch,
            "days": list(velocity["day"]),
            "radar": q.radar(mc, now, watch.all or None),
            "heatmap": q.heatmap(mc, now, days, scope),
            "board": q.competition(mc, now, days, watch.all),
            "velocity": velocity,
            "anchors": q.anchors(mc, now, days, scope),
            "finds": q.finds(mc, now, days, scope),
        }

    return a.cached("discovery", key, compute)


def figures_of(m: dict) -> dict:
    return {
        Disc.RADAR: figs.radar(m["radar"]),
        Disc.HEATMAP: figs.authority_heatmap(m["heatmap"], m["days"]),
        Disc.MIX: figs.authority_mix(m["board"]),
        Disc.VELOCITY: figs.velocity(m["velocity"]),
        Disc.ANCHORS: figs.anchors(m["anchors"]),
    }


def watch_note(m: dict) -> str:
    w = m["watch"]
    tracked = ", ".join(w.tracked) or "—"
    rivals = ", ".join(w.competitors) or "—"
    return f"tracked: {tracked} · competitors: {rivals} ({w.source})"

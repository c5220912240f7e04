"""The Domains page's data: the expired-domain hunter, the value breakdown of the picked domain,
portfolios, overlaps, the link gap and brand mentions, from `mc_domain_values` and the rollups,
memoised per rollup version, hour and controls; and the outputs built from it."""

from __future__ import annotations

from datetime import timedelta

from analytics import domains as q
from analytics.dialect import day_key
from analytics.watchlist import resolve
from figures import domains as figs
from layouts.analysis_ids import Dom
from views.analysis import fields, page_now, records

MENTION_DAYS = 30
HUNTER_COLUMNS = [
    ("name", "domain"),
    ("value", "value"),
    ("status", "status"),
    ("authority", "authority"),
    ("inbound_links", "backlinks to it"),
    ("inbound_avg_authority", "their avg authority"),
    ("referring_domains", "referring domains"),
    ("expiration_date", "expires (UTC)"),
]
BREAKDOWN_COLUMNS = [("label", "factor"), ("value", "factor 0–100"), ("weight", "weight"), ("points", "points")]
PORTFOLIO_COLUMNS = [
    ("domain", "domain"),
    ("referring_domains", "referring domains"),
    ("top_linking_domains", "strongest linking domains"),
    ("owned_domains", "owns (same registrant / IP)"),
]
GAP_COLUMNS = [("source_domain", "linking domain"), ("competitors", "competitors it links"), ("authority", "authority")]


def model(ctx, within: int | None, picked: str | None) -> dict:
    """What the page shows, cached per rollup version, hour and controls."""
    a = ctx.analytics
    svc = ctx.services
    now = page_now(ctx)

    def compute():
        a.refresher.ensure_tables()
        mc = svc.mc_engine
        watch = resolve(svc.engine, mc, svc.schema, a.settings)
        hunter = q.expired_domains(mc, now, within_days=within)
        name = picked or (str(hunter["name"].iloc[0]) if not hunter.empty else None)
        first = now - timedelta(days=MENTION_DAYS - 1)
        return {
            "now": now,
            "watch": watch,
            "hunter": hunter,
            "picked": name,
            "breakdown": q.value_breakdown(mc, name, dict(a.settings.value_weights)) if name else None,
            "portfolios": q.portfolios(mc, watch.all),
            "overlaps": q.overlaps(mc, watch.all),
            "gap": q.link_gap(mc, list(watch.tracked), list(watch.competitors)),
            "mentions": q.mentions(mc, now, MENTION_DAYS),
            "days": [day_key(first + timedelta(days=i)) for i in range(MENTION_DAYS)],
            "names": q.domain_names(mc),
        }

    return a.cached("domains", [within, picked, now.strftime("%Y-%m-%d %H")], compute)


def outputs(m: dict) -> dict:
    b = m["breakdown"]
    return {
        Dom.HUNTER: records(m["hunter"], fields(HUNTER_COLUMNS)),
        Dom.BREAKDOWN: figs.value_breakdown(b),
        Dom.BREAKDOWN_TABLE: (b or {}).get("rows", []),
        Dom.SCORE: "—" if not b else f"{b['name']}: {b['value']:.2f}",
        Dom.PORTFOLIOS: records(m["portfolios"], fields(PORTFOLIO_COLUMNS)),
        Dom.OVERLAP: figs.overlap_matrix(m["overlaps"], m["watch"].all),
        Dom.GAP: records(m["gap"], fields(GAP_COLUMNS)),
        Dom.MENTIONS: figs.mentions_by_platform(m["mentions"], m["days"]),
        Dom.SENTIMENT: figs.sentiment_over_time(m["mentions"], m["days"]),
    }

"""The Domains page drawn from its model: {output id: Render} (pure)."""

from __future__ import annotations

from figures import domains as figs
from pages.domains.ids import DomainIds as Ids
from ui.delta import Render
from ui.format import utc_label
from ui.tables import fields, records

HUNTER_COLUMNS = [
    ("name", "domain"),
    ("value", "value"),
    ("status", "status"),
    ("authority", "authority"),
    ("inbound_links", "backlinks to it"),
    ("inbound_avg_authority", "their avg authority"),
    ("referring_domains", "referring domains"),
    ("expiration_date", utc_label("expires")),
]
BREAKDOWN_COLUMNS = [("label", "factor"), ("value", "factor 0–100"), ("weight", "weight"), ("points", "points")]
PORTFOLIO_COLUMNS = [
    ("domain", "domain"),
    ("referring_domains", "referring domains"),
    ("top_linking_domains", "strongest linking domains"),
    ("owned_domains", "owns (same registrant / IP)"),
]
GAP_COLUMNS = [("source_domain", "linking domain"), ("competitors", "competitors it links"), ("authority", "authority")]
# What the tick callback sends, in its Output order, with the property each fills.
OUTPUTS = {
    Ids.HUNTER: "data",
    Ids.BREAKDOWN: "figure",
    Ids.BREAKDOWN_TABLE: "data",
    Ids.SCORE: "children",
    Ids.PORTFOLIOS: "data",
    Ids.OVERLAP: "figure",
    Ids.GAP: "data",
    Ids.MENTIONS: "figure",
    Ids.SENTIMENT: "figure",
}


def score(breakdown: dict | None) -> str:
    """The picked domain's score line ("—" with nothing picked)."""
    return "—" if not breakdown else f"{breakdown['name']}: {breakdown['value']:.2f}"


def picker_options(model: dict) -> list[dict]:
    """The picker's first options: the best-valued names, and the picked one whatever it is."""
    names = sorted(set(model["names"]) | ({model["picked"]} if model["picked"] else set()))
    return [{"label": n, "value": n} for n in names]


def render(model: dict) -> dict[str, Render]:
    """Every output of the page for one model."""
    breakdown = model["breakdown"]
    values = {
        Ids.HUNTER: records(model["hunter"], fields(HUNTER_COLUMNS)),
        Ids.BREAKDOWN: figs.value_breakdown(breakdown),
        # value_breakdown gives its rows as plain dicts already, not a frame.
        Ids.BREAKDOWN_TABLE: (breakdown or {}).get("rows", []),
        Ids.SCORE: score(breakdown),
        Ids.PORTFOLIOS: records(model["portfolios"], fields(PORTFOLIO_COLUMNS)),
        Ids.OVERLAP: figs.overlap_matrix(model["overlaps"], model["watch"].all),
        Ids.GAP: records(model["gap"], fields(GAP_COLUMNS)),
        Ids.MENTIONS: figs.mentions_by_platform(model["mentions"], model["days"]),
        Ids.SENTIMENT: figs.sentiment_over_time(model["mentions"], model["days"]),
    }
    return {output: Render.of(value) for output, value in values.items()}

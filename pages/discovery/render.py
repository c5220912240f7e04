"""The Discovery page drawn from its model: {output id: Render} (pure)."""

from __future__ import annotations

from figures import discovery as figs
from pages.discovery.ids import DiscoveryIds as Ids
from ui.delta import Render
from ui.format import utc_label
from ui.tables import fields, records

BOARD_COLUMNS = [
    ("domain", "domain"),
    ("referring_domains", "referring domains"),
    ("new_links", "new"),
    ("lost_links", "lost"),
    ("new_per_day", "new / day"),
    ("lost_per_day", "lost / day"),
]
FINDS_COLUMNS = [
    ("first_seen", utc_label("found")),
    ("authority", "authority"),
    ("source_domain", "linking domain"),
    ("target_domain", "target"),
    ("anchor_text", "anchor"),
    ("source_url", "source URL"),
    ("link_type", "type"),
    ("spam_level", "spam"),
]
DRILL_COLUMNS = [
    ("first_seen", utc_label("found")),
    ("authority", "authority"),
    ("source_domain", "linking domain"),
    ("source_url", "source URL"),
    ("target_url", "target URL"),
    ("anchor_text", "anchor"),
    ("link_type", "type"),
    ("spam_level", "spam"),
    ("reason", "lost because"),
]
# What the tick callback sends, in its Output order, with the property each fills.
OUTPUTS = {
    Ids.RADAR: "figure",
    Ids.HEATMAP: "figure",
    Ids.MIX: "figure",
    Ids.VELOCITY: "figure",
    Ids.ANCHORS: "figure",
    Ids.BOARD: "data",
    Ids.FINDS: "data",
    Ids.WATCH_NOTE: "children",
}


def watch_note(model: dict) -> str:
    watch = model["watch"]
    tracked = ", ".join(watch.tracked) or "—"
    rivals = ", ".join(watch.competitors) or "—"
    return f"tracked: {tracked} · competitors: {rivals} ({watch.source})"


def render(model: dict) -> dict[str, Render]:
    """Every output of the page for one model."""
    values = {
        Ids.RADAR: figs.radar(model["radar"]),
        Ids.HEATMAP: figs.authority_heatmap(model["heatmap"], model["days"]),
        Ids.MIX: figs.authority_mix(model["board"]),
        Ids.VELOCITY: figs.velocity(model["velocity"]),
        Ids.ANCHORS: figs.anchors(model["anchors"]),
        Ids.BOARD: records(model["board"], fields(BOARD_COLUMNS)),
        Ids.FINDS: records(model["finds"], fields(FINDS_COLUMNS)),
        Ids.WATCH_NOTE: watch_note(model),
    }
    return {output: Render.of(value) for output, value in values.items()}


def drill_rows(rows) -> list[dict]:
    """A drill-down's rows for the table, every column present."""
    columns = fields(DRILL_COLUMNS)
    for column in columns:
        if column not in rows:
            rows[column] = None
    return records(rows, columns)

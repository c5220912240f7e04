"""The Capacity planning page drawn from its model (pure)."""

from __future__ import annotations

from capacity.forecast import sentence
from figures.capacity import drain_projection
from pages.capacity.ids import CapacityIds as Ids
from ui.delta import Render
from ui.format import utc_label
from ui.tables import records

TRACK_COLUMNS = [
    ("made_at", utc_label("made")),
    ("depth", "depth"),
    ("satellites", "satellites"),
    ("per_satellite", "jobs/sat/min"),
    ("arrivals", "arrivals/min"),
    ("predicted_empty_at", utc_label("predicted empty")),
    ("actual_empty_at", utc_label("actually empty")),
    ("error_min", "error (min)"),
    ("depth_at_predicted", "depth at predicted time"),
]
OUTPUTS = {
    Ids.SENTENCE: "children",
    Ids.RATES: "children",
    Ids.PROJECTION: "figure",
    Ids.ERROR: "children",
    Ids.TRACK: "data",
}


def forecast_sentence(model: dict) -> str:
    if model["depth"] is None:
        return "the job queue's depth is unknown (Redis offline or the key is not a queue)"
    if model["base"] is None:
        return f"{model['depth']:,} jobs queued; no throughput measured yet (the producer measures it each analytics cycle)"
    return f"{model['depth']:,} jobs queued: " + sentence(model["base"], model["what_if"])


def rates_text(model: dict) -> str:
    rates = model["rates"]
    if rates is None:
        return "no measurement yet"
    per = rates.per_satellite
    shown = "—" if per is None else f"{per:.2f}"
    return (
        f"measured over the last {rates.window_min:g} min: {rates.finished:,} jobs finished by "
        f"{rates.satellites} running satellites ({shown} jobs per satellite per minute), "
        f"{rates.arrived:,} jobs arrived ({rates.arrivals:.2f}/min); {model['running']} satellites running now"
    )


def error_text(model: dict) -> str:
    track = model["track"]
    if track is None:
        return "the forecast record is not readable right now"
    s = track.summary
    head = (
        f"median absolute error over the last {s.n} resolved forecasts: {s.median:.1f} min (p90 {s.p90:.1f} min)"
        if s.n
        else "no forecast resolved yet (a forecast is resolved when the queue next empties)"
    )
    tail = []
    if track.missed:
        tail.append(f"{track.missed} said the queue would not empty, and it did")
    if track.open:
        tail.append(f"{track.open} still open")
    return head + (" · " + ", ".join(tail) if tail else "") + f" · of the last {model['samples']} forecasts"


def render(model: dict) -> dict[str, Render]:
    """Every output of the page for one model."""
    track = model["track"]
    values = {
        Ids.SENTENCE: forecast_sentence(model),
        Ids.RATES: rates_text(model),
        Ids.PROJECTION: drain_projection(model["base"], model["what_if"]),
        Ids.ERROR: error_text(model),
        Ids.TRACK: records(_frame(track.rows), [c for c, _ in TRACK_COLUMNS]) if track and track.rows else [],
    }
    return {k: Render.of(v) for k, v in values.items()}


def _frame(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame(rows, columns=[c for c, _ in TRACK_COLUMNS])

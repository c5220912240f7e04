"""Exact trailing windows ("the last 24 h") over the hourly rollups.

An hourly rollup answers "the last 24 h" only in whole clock hours: summing the current hour
and the 23 before it counts between 23 and 24 hours (at 10:30, from 11:00 yesterday), so a
figure drifts by up to an hour of data. The exact window [now − 24 h, now] is split in three:

    since ─ partial hour ─┬──────── whole hours ────────┬─ rest ─ now (and later)
             storage       first_hour   rollup    rollup_end    storage

- the whole hours that the rollup holds complete, summed from the rollup;
- the partial hour at the old edge, from storage (at most one hour of rows);
- everything from the end of the last complete rollup hour on, from storage: the current
  partial hour, plus any hour the rollup has not been refreshed for since (its refresh time
  is `mc_rollup_state.updated_at`; the producer refreshes right before it reads, so normally
  this is just the current hour).

Both storage reads are ranges on the indexed time column (the opt-in first-seen index of
`analytics.setup --create-indexes` for `backlinks`, `mc_perf_logs_timestamp` for the logs), so
they read at most about two hours of rows. At an exact hour boundary the old edge is empty.
Rows that commit late (MC_ROLLUP_LATE_S) into an hour the rollup already holds are counted at
the next refresh, as every rollup figure is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from analytics.dialect import frame, hour_key, ts


def floor_hour(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def ceil_hour(value: datetime) -> datetime:
    down = floor_hour(value)
    return down if down == value else down + timedelta(hours=1)


@dataclass(frozen=True)
class Split:
    """[since, first_hour) and [rollup_end, …) from storage; hours [first_hour, rollup_end) from the rollup."""

    since: datetime
    first_hour: datetime
    rollup_end: datetime

    @property
    def hours(self) -> dict:
        """The rollup's hour-key bounds: {"h0": first key, "h1": first key not included}."""
        return {"h0": hour_key(self.first_hour), "h1": hour_key(self.rollup_end)}

    @property
    def storage_ranges(self) -> list[tuple[datetime, datetime | None]]:
        """(start, end or None for open) ranges read from storage; the empty old edge is left out."""
        out: list[tuple[datetime, datetime | None]] = []
        if self.since < self.first_hour:
            out.append((self.since, self.first_hour))
        out.append((self.rollup_end, None))
        return out


def split(now: datetime, hours: int, fresh_until: datetime | None) -> Split:
    """The split of the last `hours` before `now`, for a rollup complete up to `fresh_until`
    (its last refresh; None = never refreshed: everything from storage)."""
    since = now - timedelta(hours=hours)
    first = ceil_hour(since)
    end = floor_hour(min(now, fresh_until)) if fresh_until is not None else first
    return Split(since=since, first_hour=first, rollup_end=max(end, first))


def fresh_until(mc: Engine, name: str) -> datetime | None:
    """When the rollup step `name` ("links", "fleet") last ran (`mc_rollup_state.updated_at`)."""
    state = frame(mc, "SELECT updated_at FROM mc_rollup_state WHERE name = :n", {"n": name}, columns=["updated_at"])
    return ts(state["updated_at"].iloc[0]) if not state.empty else None


def storage_sums(lp: Engine, sql: str, column: str, window: Split, params: dict, columns: list[str]) -> pd.DataFrame:
    """Run `sql` (a grouped SELECT with `{range}` where the time condition goes) once per storage
    range of `window`, `column` being the time column; the parts concatenated."""
    parts = []
    for i, (start, end) in enumerate(window.storage_ranges):
        cond = f"{column} >= :s{i}" + (f" AND {column} < :e{i}" if end is not None else "")
        bounds = {f"s{i}": start} | ({f"e{i}": end} if end is not None else {})
        parts.append(frame(lp, sql.replace("{range}", cond), {**params, **bounds}, columns=columns))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def combine(parts: list[pd.DataFrame], key: str, columns: list[str]) -> pd.DataFrame:
    """Sum `columns` by `key` over the rollup part and the storage parts."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=[key, *columns])
    both = pd.concat(parts, ignore_index=True)
    for col in columns:
        both[col] = pd.to_numeric(both[col], errors="coerce").fillna(0)
    both[key] = both[key].astype(str)
    return both.groupby(key, as_index=False)[columns].sum()

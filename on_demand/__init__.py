"""Every query a viewer's action runs on demand (a drill-down click, a picker search, an alert
history filter), in one place, each bounded. Pages call these only from their model; tick
refreshes never come here (they read the snapshot or the memoised rollup models).

Each function takes the AppContext and plain parameters and returns a DataFrame or plain data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analytics import discovery, domains

if TYPE_CHECKING:
    from runtime.context import AppContext

DRILL_LIMIT = discovery.DRILL_LIMIT
PICKER_LIMIT = 50


def links_found_on(ctx: AppContext, day: str, scope: list[str] | None, bucket: int | None = None) -> pd.DataFrame:
    """Links first seen on `day` (optionally of one authority bucket), at most DRILL_LIMIT."""
    svc = ctx.services
    return discovery.links_found_on(svc.engine, svc.schema, day, scope, bucket, mc=svc.mc_engine)


def links_lost_on(ctx: AppContext, day: str, scope: list[str] | None) -> pd.DataFrame:
    """Links lost on `day`, at most DRILL_LIMIT."""
    svc = ctx.services
    return discovery.links_lost_on(svc.engine, svc.mc_engine, svc.schema, day, scope)


def domain_names(ctx: AppContext, prefix: str) -> list[str]:
    """Scored domain names starting with `prefix` (the calculator's picker), best first."""
    return domains.domain_names(ctx.services.mc_engine, prefix[:100], PICKER_LIMIT)

"""The domains the simulated crawl knows, and the backlinks it discovers between them.

`DomainPool` keeps the known domain names and their authority in memory (loaded once from the
database) so discovering a link costs no query; a newly met domain is returned as a row to
insert *before* its links, because variant M has foreign keys from backlinks to domains.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from analytics.domain_rollups import expired  # the contract's rule, as the hunter applies it
from simulator import names, rows
from simulator.store import Store

# Enough to pick realistic sources from without reading a huge deployment's whole table.
POOL_LOAD_LIMIT = 200_000
# Share of links found pointing at an expired or unregistered domain (Link Profiler's domain
# analysis of a lapsed domain): what the Domains page's expired-domain hunter ranks by.
EXPIRED_TARGET_SHARE = 0.03


class DomainPool:
    """Known domains: `sources` to link from, the monitored `targets` and the `competitors`."""

    def __init__(self, variant: str):
        self.variant = variant
        self.authority: dict[str, float] = {}
        self.sources: list[str] = []  # a list, not a set: iteration order must be seeded-stable
        self.expired: list[str] = []  # known domains that are unregistered or past expiry
        self.targets = list(names.TARGET_DOMAINS)
        self.competitors = list(names.COMPETITOR_DOMAINS)

    def load(self, conn: Connection, store: Store, now: datetime | None = None) -> None:
        """Read known domain names, authorities and whether they have lapsed from the database."""
        t = store.tables["domains"]
        now = now or datetime.now(UTC).replace(tzinfo=None)
        result = conn.execute(
            select(t.c.name, t.c.authority_score, t.c.is_registered, t.c.expiration_date)
            .order_by(t.c.name)
            .limit(POOL_LOAD_LIMIT)
        )
        special = set(self.targets) | set(self.competitors)
        for name, score, is_registered, expiry in result:
            if name in self.authority:
                continue
            self.authority[name] = float(score or 0.0)
            if name not in special:
                self.sources.append(name)
                if expired(is_registered, expiry, now):
                    self.expired.append(name)

    def ensure_special(self, rng: random.Random, now: datetime) -> list[dict]:
        """Rows for the monitored and competitor domains that are not yet known."""
        new = []
        for name in self.targets + self.competitors:
            if name not in self.authority:
                score = round(rng.uniform(35, 70), 1)
                self.authority[name] = score
                new.append(rows.domain_row(rng, self.variant, name, now, authority_score=score, expired=False))
        return new

    def new_source(self, rng: random.Random, now: datetime, spammy: bool = False) -> tuple[str, dict | None]:
        """A freshly met linking domain: (name, row to insert, or None if the name was known)."""
        name = names.source_domain(rng, spammy=spammy)
        if name in self.authority:
            return name, None
        score = rows.authority(rng, spammy=spammy)
        self.authority[name] = score
        self.sources.append(name)
        row = rows.domain_row(rng, self.variant, name, now, authority_score=score, spammy=spammy)
        if expired(row["is_registered"], row["expiration_date"], now):
            self.expired.append(name)
        return name, row

    def pick_target(self, rng: random.Random) -> str:
        """Where a found link points: mostly the monitored sites, a fifth competitors, and now
        and then a lapsed domain."""
        if self.expired and rng.random() < EXPIRED_TARGET_SHARE:
            return rng.choice(self.expired)
        return rng.choice(self.competitors) if rng.random() < 0.2 else rng.choice(self.targets)

    def pick_source(self, rng: random.Random, now: datetime, new_share: float = 0.15) -> tuple[str, dict | None]:
        """A linking domain: usually a known one, sometimes (`new_share`) a new one."""
        if not self.sources or rng.random() < new_share:
            return self.new_source(rng, now)
        return rng.choice(self.sources), None


def discover(
    rng: random.Random,
    pool: DomainPool,
    now: datetime,
    count: int,
    *,
    target: str | None = None,
    spammy: bool = False,
    hostile_share: float = 0.005,
    new_share: float = 0.15,
    when=None,
) -> tuple[list[dict], list[dict]]:
    """`count` new backlinks and the new domains they need: (domain rows, backlink rows).

    `target` None spreads links over the monitored sites (a fifth to competitors, a few to lapsed
    domains: `DomainPool.pick_target`); `when`
    is an optional callable rng -> discovery time (default `now`).
    """
    domain_rows: list[dict] = []
    link_rows: list[dict] = []
    for _ in range(count):
        if spammy:
            source, new = pool.new_source(rng, now, spammy=True) if rng.random() < 0.7 else pool.pick_source(rng, now)
        else:
            source, new = pool.pick_source(rng, now, new_share)
        if new is not None:
            domain_rows.append(new)
        tgt = target or pool.pick_target(rng)
        seen = when(rng) if when else now
        link_rows.append(
            rows.backlink_row(
                rng,
                pool.variant,
                source_domain=source,
                source_authority=pool.authority[source],
                target_domain=tgt,
                seen_at=seen,
                spammy=spammy,
                hostile=rng.random() < hostile_share,
            )
        )
    return domain_rows, link_rows

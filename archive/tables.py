"""`mc_snapshot_minutes` (declared on MC_METADATA, created by data.bootstrap): the snapshot
document as the producer published it, one per UTC minute, zlib-compressed JSON.

The minute is the primary key, so a second producer (or a retry) writing the same minute
changes nothing: the first document of a minute is the one kept. Times are naive UTC.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, LargeBinary, Table

from data.mc_tables import MC_METADATA

minutes = Table(
    "mc_snapshot_minutes",
    MC_METADATA,
    Column("minute", DateTime, primary_key=True),  # the UTC minute (seconds zero)
    Column("version", BigInteger, nullable=False),  # the snapshot version published
    Column("document", LargeBinary, nullable=False),  # zlib(JSON of the document)
)

"""The producer: one elected loop per deployment builds the snapshot every viewer reads.

`loop` (the loop and its threads), `lease` (the election), `snapshot` (the pure document
builder), `state` (what the producer keeps between ticks), `heavy` (the analytics step),
`series` (rolling series in Redis), `snapshot_store` (the published document);
`python -m producer` runs it alone.
"""

"""The minute snapshots and their cold archive (README "Archive and time travel").

- `tables`: `mc_snapshot_minutes`, one compressed snapshot document per UTC minute.
- `minutes`: writing a minute (the producer, once a minute) and reading one back.
- `parquet_store`: one Parquet object per table and UTC day, on a path or an S3-compatible store.
- `retention`: the archive pass (rows past DASHBOARD_HISTORY_RETENTION → Parquet → verified → pruned).
- `replay`: the document of a past minute, from the database or the archive.
- `at`: the `?at=` time a viewer asks for, parsed.
"""

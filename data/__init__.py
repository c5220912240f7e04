"""The read model: Link Profiler's storage (PostgreSQL/SQLite + Redis) as DataFrames and dicts."""

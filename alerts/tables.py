"""Mission Control's alert tables (declared on MC_METADATA)."""

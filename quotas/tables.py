"""Mission Control's quota tables (declared on MC_METADATA)."""

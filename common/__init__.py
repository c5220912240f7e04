"""Pure helpers every layer may use (no storage, no UI): the bottom of the import layers."""

"""Thin callbacks: read the snapshot (or a memoised query), call a figure builder, send a Patch."""

"""Scores Mission Control computes (Link Profiler stores no domain value)."""

"""Snapshot → what a panel shows (components and figures), plus the small parts that change
tick to tick. Shared by the page layouts (first render) and the callbacks (updates)."""

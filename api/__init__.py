"""HTTP endpoints next to the Dash app: health, the snapshot API, its push stream, metrics."""

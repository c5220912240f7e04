"""Component ids of the Capacity planning page."""

from enum import StrEnum


class CapacityIds(StrEnum):
    PAGE = "cap-page"
    # The key the browser shows (snapshot version and what-if): ui.live sends only what changed.
    HELD = "cap-held"
    SATELLITES = "cap-satellites"
    SENTENCE = "cap-sentence"
    RATES = "cap-rates"
    PROJECTION = "cap-projection"
    ERROR = "cap-error"
    TRACK = "cap-track"

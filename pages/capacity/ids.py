"""Component ids of the Capacity planning page."""

from enum import StrEnum


class CapacityIds(StrEnum):
    PAGE = "cap-page"
    SATELLITES = "cap-satellites"
    SENTENCE = "cap-sentence"
    RATES = "cap-rates"
    PROJECTION = "cap-projection"
    ERROR = "cap-error"
    TRACK = "cap-track"

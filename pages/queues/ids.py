"""Component ids of the Queues page."""

from enum import StrEnum


class QueueIds(StrEnum):
    PAGE = "queues-page"
    QUEUE = "queues-queue"
    SUMMARY = "queues-summary"
    KIND = "queues-kind"
    OFFSET = "queues-offset"
    PREV = "queues-prev"
    NEXT = "queues-next"
    PAGE_TEXT = "queues-page-text"
    TABLE = "queues-table"

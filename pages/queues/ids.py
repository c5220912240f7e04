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
    # The dead letters' commands: the bar (shown with the dead-letter queue), the entry picker
    # and the commands control's host (ui.commands.ids(CMD_HOST)).
    DEAD_COMMANDS = "queues-dead-commands"
    DEAD_PICK = "queues-dead-pick"
    CMD_HOST = "dead"

"""Component ids of the audit log page."""

from enum import StrEnum


class AuditIds(StrEnum):
    PAGE = "audit-page"
    USER = "audit-user"
    ACTION = "audit-action"
    RESULT = "audit-result"
    HOURS = "audit-hours"
    TEXT = "audit-text"
    REFRESH = "audit-refresh"
    PREV = "audit-prev"
    NEXT = "audit-next"
    OFFSET = "audit-offset"  # the first record shown (a store)
    SUMMARY = "audit-summary"
    TABLE = "audit-table"
    EXPORT = "audit-export"
    DOWNLOAD = "audit-download"

"""Component ids of the Jobs page (the list and the job shown below it)."""

from enum import StrEnum


class JobIds(StrEnum):
    PAGE = "jobs-page"
    LOADED = "jobs-loaded"
    # Filters and paging.
    STATUS = "jobs-status"
    TYPE = "jobs-type"
    TARGET = "jobs-target"
    DATE_FROM = "jobs-date-from"
    DATE_TO = "jobs-date-to"
    SATELLITE = "jobs-satellite"
    ORDER = "jobs-order"
    SIZE = "jobs-size"
    PAGE_NO = "jobs-page-no"
    PREV = "jobs-prev"
    NEXT = "jobs-next"
    REFRESH = "jobs-refresh"
    PAGE_TEXT = "jobs-page-text"
    LIST = "jobs-list"
    LIST_NOTE = "jobs-list-note"
    EXPORT = "jobs-export"
    EXPORT_DOWNLOAD = "jobs-export-download"
    # The job page.
    SELECTED = "jobs-selected"
    JOB = "jobs-job"
    JOB_TITLE = "jobs-job-title"
    JOB_STATUS = "jobs-job-status"
    JOB_LINK = "jobs-job-link"
    FIELDS = "jobs-job-fields"
    # The buttons of the operator commands that apply to the job's status (the model's
    # "commands"), and the commands control's host (its dialog, reason and outcome line:
    # ui.commands.ids(CMD_HOST)).
    COMMANDS = "jobs-job-commands"
    CMD_HOST = "job"
    HISTORY = "jobs-job-history"
    HISTORY_NOTE = "jobs-job-history-note"
    ERRORS = "jobs-job-errors"
    SATELLITES = "jobs-job-satellites"
    ALERTS = "jobs-job-alerts"
    LINKS_NOTE = "jobs-job-links-note"

"""Every operator command: its name, what it acts on, and the sentence a confirmation shows.

The sentences say what will happen in Link Profiler's terms, so an operator confirming a
command knows which of its interfaces will be used and what its parts will do.
"""

from __future__ import annotations

from dataclasses import dataclass

LP_API, CONTROL, DEAD_LETTERS = "lp_api", "control", "dead_letters"


@dataclass(frozen=True)
class Command:
    name: str
    label: str  # the button's text
    via: str  # LP_API, CONTROL or DEAD_LETTERS
    target_kind: str  # "dispatch", "job", "satellite", "dead_letter"
    effect: str  # what will happen; `{target}` is the target, `{subject}` it with its kind

    def confirmation(self, target: str | None) -> str:
        """The confirmation's text for `target` ("all": every satellite / every dead letter)."""
        kind = {"satellite": "satellite", "dead_letter": "dead letter"}.get(self.target_kind, self.target_kind)
        subject = f"Every {kind}" if target == "all" else f"{kind.capitalize()} {target or ''}"
        return self.effect.format(target=target or "", subject=subject)


COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            "dispatch_pause",
            "Pause dispatch",
            LP_API,
            "dispatch",
            "Link Profiler's coordinator will stop dispatching jobs (it sets job_processing_paused) and tell "
            "every satellite to PAUSE; running jobs finish, queued jobs wait.",
        ),
        Command(
            "dispatch_resume",
            "Resume dispatch",
            LP_API,
            "dispatch",
            "Link Profiler's coordinator will dispatch jobs again (it deletes job_processing_paused) and tell "
            "every satellite to RESUME.",
        ),
        Command(
            "job_cancel",
            "Cancel job",
            LP_API,
            "job",
            "Link Profiler will cancel job {target}: remove it from the queues, set its status to cancelled "
            "and tell the satellite running it to stop.",
        ),
        Command(
            "satellite_pause",
            "Pause",
            CONTROL,
            "satellite",
            "{subject} will be sent PAUSE: it stops taking jobs from the queue and its next heartbeat says paused.",
        ),
        Command(
            "satellite_resume",
            "Resume",
            CONTROL,
            "satellite",
            "{subject} will be sent RESUME: it takes jobs from the queue again.",
        ),
        Command(
            "satellite_restart",
            "Restart",
            CONTROL,
            "satellite",
            "{subject} will be sent RESTART: its process exits and its process manager starts it "
            "again; a job it is running is interrupted.",
        ),
        Command(
            "satellite_shutdown",
            "Shut down",
            CONTROL,
            "satellite",
            "{subject} will be sent SHUTDOWN: its process exits and stays down (its heartbeats "
            "stop) until someone starts it; a job it is running is interrupted.",
        ),
        Command(
            "dead_letters_retry",
            "Retry",
            DEAD_LETTERS,
            "dead_letter",
            "{subject} will be put back on the job queue without its dead-letter reason and "
            "time (a failed job goes back to pending), as Link Profiler's reprocess does.",
        ),
        Command(
            "dead_letters_purge",
            "Purge",
            DEAD_LETTERS,
            "dead_letter",
            "{subject} will be deleted from the dead-letter queue for good.",
        ),
    )
}

SATELLITE_VERBS = {
    "satellite_pause": "PAUSE",
    "satellite_resume": "RESUME",
    "satellite_restart": "RESTART",
    "satellite_shutdown": "SHUTDOWN",
}
LP_PATHS = {
    "dispatch_pause": "/api/queue/pause_processing",
    "dispatch_resume": "/api/queue/resume_processing",
    "job_cancel": "/api/queue/cancel_job/{target}",
}


def confirmation(name: str, target: str | None) -> str:
    """What confirming command `name` on `target` will do."""
    return COMMANDS[name].confirmation(target)

"""Tunables of the operator commands: where Link Profiler's API is and how to sign in to it.

`CommandSettings` is the `commands` section of `config.Settings` (built by `config.load_settings`
from MC_LP_API_URL, MC_LP_API_USERNAME / MC_LP_API_PASSWORD or MC_LP_API_TOKEN, MC_LP_API_TIMEOUT,
MC_COMMAND_OBSERVE_S). Pure data: it reads no environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommandSettings:
    # Link Profiler's API base URL (e.g. http://lp:8000); None = the API commands are disabled.
    lp_api_url: str | None = None
    # OAuth2 password flow (POST /token) for an admin user of Link Profiler ...
    lp_api_username: str | None = None
    lp_api_password: str | None = field(default=None, repr=False)
    # ... or a static bearer token (used when given; wins over the password flow).
    lp_api_token: str | None = field(default=None, repr=False)
    # Seconds one HTTP call to Link Profiler may take (connect + answer).
    lp_api_timeout_s: float = 10.0
    # How long a command waits to see its effect (the job's status, the next heartbeat).
    observe_s: float = 12.0
    # The job queue's type when it does not exist yet and a dead letter is retried: "zset"
    # (what Link Profiler's reprocess endpoint creates) or "list" (what its coordinator pushes).
    empty_queue_type: str = "zset"

    @property
    def lp_api_configured(self) -> bool:
        return bool(self.lp_api_url)

    @property
    def lp_api_credentials(self) -> bool:
        return bool(self.lp_api_token or (self.lp_api_username and self.lp_api_password))

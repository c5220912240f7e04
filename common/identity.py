"""Who is asking, and what they may do: the identity every write names and every gate checks.

Three roles, each including the one below it: a viewer reads; an operator also acknowledges,
silences and runs commands; an admin also changes settings, users and tokens. How a request's
identity is found (a session, a trusted proxy's header, a Link Profiler JWT, a kiosk token, the
service token, the loopback demo) is `auth/`'s business; this module is only the value and the
rule, so every layer may name a user without importing the web stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Role(IntEnum):
    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Role:
        """A role from its name ('viewer', 'operator', 'admin'); ValueError names the choices."""
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            raise ValueError(f"unknown role {value!r}; use viewer, operator or admin") from None


@dataclass(frozen=True)
class Identity:
    """One caller: `name` is what audit records and acknowledgements show, `via` how it was
    established ('session', 'proxy', 'lp_jwt', 'kiosk', 'service_token', 'loopback', 'anonymous')."""

    name: str
    role: Role
    via: str

    def may(self, needed: Role) -> bool:
        return self.role >= needed

    def refusal(self, needed: Role, what: str) -> str | None:
        """None when this identity may do `what`, else the reason it may not (for a 403)."""
        if self.may(needed):
            return None
        article = "an" if self.role.label[0] in "aeiou" else "a"
        return f"{what} needs the {needed.label} role; {self.name} ({self.via}) is {article} {self.role.label}"


ANONYMOUS = Identity("anonymous", Role.VIEWER, "anonymous")

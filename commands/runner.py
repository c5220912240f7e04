"""`CommandRunner`: availability, execution, the audit record and the observed outcome.

One call, `run(who, name, target, params, reason)`, does for every command:
1. check the target (a bad one is refused and audited like any refusal);
2. check the caller's role and the command's availability (Link Profiler's API not configured
   -> refused with "MC_LP_API_URL is not set");
3. carry it out through Link Profiler's interface (HTTP API, control channel, dead-letter key);
   Link Profiler's refusal or an unreachable API is a failure carrying its reason;
4. write the `mc_audit` record (whatever happened in 1-3);
5. when asked to wait, observe the effect (the job's status re-read from its row, the
   dispatch flag, each satellite's next heartbeat) for at most `observe_s` seconds, and add
   it to the record.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from sqlalchemy import text

from commands import audit, control, dead_letters
from commands.catalog import COMMANDS, CONTROL, DEAD_LETTERS, LP_API, LP_PATHS, SATELLITE_VERBS, confirmation
from commands.lp_api import LpAnswer, Transport
from common.identity import Identity, Role
from common.timestamps import utcnow

log = logging.getLogger(__name__)

OK, FAILED, REFUSED = "ok", "failed", "refused"
POLL_S = 0.25
MAX_JOB_ID = 200
NOT_CONFIGURED = "MC_LP_API_URL is not set"


UNFINISHED = "started; no outcome was recorded (the process stopped before it finished)"


class AuditUnavailable(RuntimeError):
    """The audit log cannot be written: the command is not run."""


class UnknownCommand(ValueError):
    """A command name that does not exist."""


@dataclass(frozen=True)
class Outcome:
    """How a command ended: `result` ok / failed / refused, Link Profiler's or our `detail`,
    what was `observed` afterwards, and the id of its audit record."""

    command: str
    target: str | None
    result: str
    detail: str
    observed: str | None = None
    audit_id: int | None = None
    lp_status: int | None = None

    @property
    def ok(self) -> bool:
        return self.result == OK

    def as_dict(self) -> dict:
        return {
            "command": self.command,
            "target": self.target,
            "result": self.result,
            "detail": self.detail,
            "observed": self.observed,
            "audit_id": self.audit_id,
            "lp_status": self.lp_status,
        }

    def line(self) -> str:
        """One line for an operator: what happened and what was seen."""
        mark = {OK: "✓", FAILED: "✗", REFUSED: "⊘"}[self.result]
        seen = f" · seen: {self.observed}" if self.observed else ""
        what = COMMANDS[self.command].label + (f" {self.target}" if self.target else "")
        return f"{mark} {what}: {self.detail}{seen}"


class _Failed(Exception):
    def __init__(self, detail: str, lp_status: int | None = None):
        super().__init__(detail)
        self.lp_status = lp_status


class CommandRunner:
    """Runs operator commands for one app. `lp` is Link Profiler's API (None: not configured);
    `queue_type_hint()` names the job queue's type when the key is absent (the demo's simulator
    knows it); `sleep` and `clock` are injectable for tests."""

    def __init__(
        self,
        settings,
        services,
        lp: Transport | None,
        queue_type_hint: Callable[[], str | None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.commands = settings.commands
        self.services = services
        self.keys = settings.redis_keys
        self.lp = lp
        self.queue_type_hint = queue_type_hint
        self.sleep = sleep

    # -- availability ----------------------------------------------------------------------
    def unavailable(self, name: str) -> str | None:
        """Why command `name` cannot run in this deployment, or None."""
        command = COMMANDS.get(name)
        if command is None:
            return f"unknown command {name[:60]!r}"
        if command.via == LP_API:
            if self.lp is None:
                return NOT_CONFIGURED
            if self.lp.credentials_missing:
                return self.lp.credentials_missing
        return None

    def refusal(self, name: str, who: Identity) -> str | None:
        """Why `who` cannot run command `name` now (role or availability), or None."""
        return who.refusal(Role.OPERATOR, f"{COMMANDS[name].label.lower()} ({name})") or self.unavailable(name)

    def describe_lp(self) -> str:
        return self.lp.describe() if self.lp is not None else NOT_CONFIGURED

    # -- running ---------------------------------------------------------------------------
    def run(
        self,
        who: Identity,
        name: str,
        target: str | None = None,
        params: dict | None = None,
        reason: str | None = None,
        wait: bool = True,
    ) -> Outcome:
        """Carry out command `name` on `target` for `who`; always audited (see the module doc)."""
        if name not in COMMANDS:
            raise UnknownCommand(f"unknown command {name[:60]!r}; use one of {', '.join(COMMANDS)}")
        params = dict(params or {})
        try:
            target = self._target(name, target)
        except ValueError as exc:
            return self._record(
                who, name, str(target)[:300] if target is not None else None, params, reason, REFUSED, str(exc)
            )
        refusal = self.refusal(name, who)
        if refusal is not None:
            return self._record(who, name, target, params, reason, REFUSED, refusal)
        # On record before it goes out: a command that cannot be audited is not run, and one whose
        # process dies half-way stays on record as unfinished.
        try:
            started = self._write(who, name, target, params, reason, FAILED, UNFINISHED)
        except Exception as exc:
            raise AuditUnavailable(f"the audit log cannot be written, so the command was not run: {exc}") from exc
        before = self._before(name, target)
        try:
            detail, lp_status = self._execute(name, target, params)
            result = OK
        except _Failed as exc:
            detail, lp_status, result = str(exc), exc.lp_status, FAILED
        except Exception as exc:  # Redis down, a database error: the command failed, say so
            log.warning("command %s on %s failed: %s", name, target, exc)
            detail, lp_status, result = f"{type(exc).__name__}: {exc}", None, FAILED
        outcome = Outcome(name, target, result, detail, None, started, lp_status)
        try:
            audit.set_result(self.services.mc_engine, started, result, detail)
        except Exception:
            log.exception("could not store the result of command %s", started)
        if result != OK or not wait:
            return outcome
        observed = self._observe(name, target, before)
        try:
            audit.set_observed(self.services.mc_engine, started, observed)
        except Exception:
            log.exception("could not store what command %s observed", started)
        return Outcome(name, target, OK, detail, observed, started, lp_status)

    def record_refusal(
        self, who: Identity, name: str, target, params: dict | None, reason: str | None, why: str
    ) -> Outcome:
        """Audit a request the role gate refused before the runner saw it (the API's 401/403)."""
        return self._record(who, name, str(target)[:300] if target else None, params or {}, reason, REFUSED, why)

    def _write(self, who, name, target, params, reason, result, detail) -> int:
        return audit.record(self.services.mc_engine, who, name, target, params, result, detail, reason, utcnow())

    def _record(self, who, name, target, params, reason, result, detail, lp_status=None) -> Outcome:
        record_id = self._write(who, name, target, params, reason, result, detail)
        return Outcome(name, target, result, detail, None, record_id, lp_status)

    @staticmethod
    def _target(name: str, target: str | None) -> str | None:
        kind = COMMANDS[name].target_kind
        if kind == "dispatch":
            return None
        if not isinstance(target, str) or not target.strip():
            raise ValueError(f"{name} needs a target ({kind} id)")
        target = target.strip()
        if kind == "satellite":
            return control.check_satellite(target)
        if kind == "job":
            if len(target) > MAX_JOB_ID or not target.isprintable():
                raise ValueError("the job id must be printable, at most 200 characters")
            return target
        if target != "all" and (len(target) != 20 or any(c not in "0123456789abcdef" for c in target)):
            raise ValueError("a dead letter is named by its 20-character id (from the list) or 'all'")
        return target

    def _execute(self, name: str, target: str | None, params: dict) -> tuple[str, int | None]:
        via = COMMANDS[name].via
        if via == LP_API:
            return self._lp(name, target)
        if via == CONTROL:
            return self._control(name, str(target)), None
        if via == DEAD_LETTERS:
            return self._dead_letters(name, str(target), params), None
        raise AssertionError(via)  # pragma: no cover - the catalog names only these

    def _lp(self, name: str, target: str | None) -> tuple[str, int]:
        path = LP_PATHS[name].format(target=urllib.parse.quote(target or "", safe=""))
        answer: LpAnswer = self.lp.post(path)  # type: ignore[union-attr]  # availability checked it
        if not answer.ok:
            where = f"Link Profiler answered {answer.status}" if answer.status else "Link Profiler was not reached"
            raise _Failed(f"{where}: {answer.message}", answer.status or None)
        return f"Link Profiler: {answer.message}", answer.status

    def _control(self, name: str, target: str) -> str:
        verb = SATELLITE_VERBS[name]
        received = control.publish(self.services.redis, self.keys, target, verb)
        channel = control.channel(self.keys, target)
        if received == 0:
            raise _Failed(f"{verb} was published on {channel} but no satellite listens there (is it running?)")
        return f"{verb} published on {channel}, received by {received} listener{'s' if received != 1 else ''}"

    def _when_empty(self) -> str:
        hint = self.queue_type_hint() if self.queue_type_hint else None
        return hint if hint in ("list", "zset") else self.commands.empty_queue_type

    def _dead_letters(self, name: str, target: str, params: dict) -> str:
        client, keys = self.services.redis, self.keys
        hint = params.get("position")
        hint = hint if isinstance(hint, int) and not isinstance(hint, bool) else None
        try:
            if name == "dead_letters_retry":
                moved = (
                    dead_letters.retry_all(client, keys, self._when_empty())
                    if target == "all"
                    else dead_letters.retry_one(client, keys, target, hint, self._when_empty())
                )
                text_ = f"{moved.done} put back on {keys.job_queue}"
                if moved.kept:
                    text_ += f"; {moved.kept} could not be retried and stay ({'; '.join(moved.problems)})"
                return text_
            moved = (
                dead_letters.purge_all(client, keys)
                if target == "all"
                else dead_letters.purge_one(client, keys, target, hint)
            )
            return f"{moved.done} deleted from {keys.dead_letter}"
        except dead_letters.DeadLetterError as exc:
            raise _Failed(str(exc)) from None

    # -- observing -------------------------------------------------------------------------
    def _before(self, name: str, target: str | None) -> dict:
        """What the observation compares against, read just before the command goes out."""
        if COMMANDS[name].via != CONTROL:
            return {}
        try:
            return {"beats": self._heartbeats(self._satellites(target))}
        except Exception:
            return {"beats": {}}

    def _observe(self, name: str, target: str | None, before: dict) -> str:
        try:
            if name in ("dispatch_pause", "dispatch_resume"):
                return self._observe_dispatch(name == "dispatch_pause")
            if name == "job_cancel":
                return self._observe_job(str(target))
            if name in SATELLITE_VERBS:
                return self._observe_satellites(name, str(target), before)
            return self._observe_dead_letters()
        except Exception as exc:
            return f"could not observe the outcome: {type(exc).__name__}: {exc}"

    def _deadline(self) -> float:
        return time.monotonic() + self.commands.observe_s

    def _observe_dispatch(self, paused: bool) -> str:
        key, deadline = self.keys.dispatch_paused, self._deadline()
        while True:
            now_paused = bool(self.services.redis.exists(key))
            if now_paused == paused or time.monotonic() >= deadline:
                break
            self.sleep(POLL_S)
        state = f"{key} is set: dispatch is paused" if now_paused else f"{key} is not set: dispatch runs"
        return state if now_paused == paused else f"after {self.commands.observe_s:g} s {state}"

    def job_status(self, job_id: str) -> str | None:
        """The job's status as its `crawl_jobs` row says now (None: no such job)."""
        with self.services.engine.connect() as conn:
            return conn.execute(text("SELECT status FROM crawl_jobs WHERE id = :id"), {"id": job_id}).scalar()

    def _observe_job(self, job_id: str) -> str:
        deadline = self._deadline()
        while True:
            status = self.job_status(job_id)
            if status == "cancelled" or time.monotonic() >= deadline:
                break
            self.sleep(POLL_S)
        if status is None:
            return "the job has no row in crawl_jobs"
        return (
            f"job status: {status}"
            if status == "cancelled"
            else f"job status still {status} after {self.commands.observe_s:g} s"
        )

    def _observe_dead_letters(self) -> str:
        client, keys = self.services.redis, self.keys
        depth = {"list": client.llen, "zset": client.zcard}.get(client.type(keys.job_queue))
        queued = depth(keys.job_queue) if depth else 0
        left = client.llen(keys.dead_letter) if client.type(keys.dead_letter) == "list" else 0
        return f"{left} dead letters left; {queued} jobs queued"

    def _satellites(self, target: str | None) -> list[str]:
        if target != control.ALL:
            return [target] if target else []
        horizon = time.time() - self.settings.heartbeat_timeout_s
        return sorted(self.services.redis.zrangebyscore(self.keys.heartbeats, horizon, "+inf"))

    def _heartbeats(self, satellites: list[str]) -> dict[str, dict | None]:
        if not satellites:
            return {}
        raws = self.services.redis.mget([self.keys.details_prefix + s for s in satellites])
        out: dict[str, dict | None] = {}
        for sat, raw in zip(satellites, raws):
            try:
                doc = json.loads(raw) if raw else None
            except ValueError:
                doc = None
            out[sat] = doc if isinstance(doc, dict) else None
        return out

    def _observe_satellites(self, name: str, target: str, before: dict) -> str:
        """Each targeted satellite's first heartbeat after the command (bounded by observe_s).
        After SHUTDOWN the expected sight is no heartbeat at all; one beat may already be on its
        way when the command lands, so only a second new beat means it is still running."""
        old = before.get("beats") or {}
        satellites = list(old) or self._satellites(target)
        shutdown = name == "satellite_shutdown"
        deadline = self._deadline()
        first: dict[str, str] = {}  # last_seen of each satellite's first beat after sending
        seen: dict[str, dict] = {}
        while True:
            for sat, doc in self._heartbeats([s for s in satellites if s not in seen]).items():
                beat = str((doc or {}).get("last_seen"))
                if doc is None or beat == str((old.get(sat) or {}).get("last_seen")):
                    continue
                if not shutdown:
                    seen[sat] = doc
                elif sat not in first:
                    first[sat] = beat
                elif beat != first[sat]:
                    seen[sat] = doc
            if len(seen) == len(satellites) or time.monotonic() >= deadline:
                break
            self.sleep(POLL_S)
        if not satellites:
            return "no live satellite to watch"
        parts = [
            self._sight(name, sat, seen.get(sat), first.get(sat) or (old.get(sat) or {}).get("last_seen"))
            for sat in satellites
        ]
        return "; ".join(parts[:20]) + (f"; … {len(parts) - 20} more" if len(parts) > 20 else "")

    def _sight(self, name: str, sat: str, doc: dict | None, last: str | None) -> str:
        if name == "satellite_shutdown":
            if doc:
                return f"{sat}: still heartbeating ({doc.get('status')}, heartbeat {doc.get('last_seen')})"
            return f"{sat}: no heartbeat since {last or 'the command'}"
        if doc is None:
            return f"{sat}: no heartbeat within {self.commands.observe_s:g} s"
        if name == "satellite_restart":
            return (
                f"{sat}: {doc.get('status')}, uptime {doc.get('uptime_seconds')} s (heartbeat {doc.get('last_seen')})"
            )
        return f"{sat}: {doc.get('status')} (heartbeat {doc.get('last_seen')})"

    # -- reading for pages and the API -----------------------------------------------------
    def dead_letter_page(self, offset: int = 0, limit: int = 50) -> dead_letters.DeadLetterPage:
        """One page of the dead-letter queue (reason and age of each entry)."""
        return dead_letters.inspect(self.services.redis, self.keys, utcnow(), offset, limit)

    def confirmation(self, name: str, target: str | None) -> str:
        return confirmation(name, target)

"""The command control every page places: buttons, a confirmation that says what will happen,
and the outcome line. One "host" per place (a prefix: "fleet", "queue", "job", …) holds the
confirmation dialog, the pending command and the outcome; buttons name their host.

    command_host("fleet")                                # dialog + pending store + outcome line
    command_button(ctx, "fleet", "satellite_pause", "sat-1")   # one button (or target from a control)
    register(app, ctx, "fleet", target_control=FLEET_PICK)     # once per app and host

A button is disabled with its reason shown (role, or Link Profiler's API not configured) when
the identity asking for the page may not run it; the reason is checked again when it is
clicked and when it is confirmed (the runner audits every refusal). The confirmation is the
browser's own dialog (plain text: nothing in it is markup), the outcome a text line.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import ALL, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate
from flask import has_request_context

from auth.request import current_identity
from commands.catalog import COMMANDS, confirmation
from commands.runner import AuditUnavailable
from common.identity import ANONYMOUS, Identity
from common.textsafe import strip_invisible

BUTTON = "mc-cmd"
NOT_SET_UP = "operator commands are not set up in this process"
MAX_REASON = 1000
MAX_SUBJECT = 300


def ids(host: str) -> dict[str, str]:
    """The component ids of host `host`."""
    return {
        "confirm": f"{host}-cmd-confirm",
        "pending": f"{host}-cmd-pending",
        "outcome": f"{host}-cmd-outcome",
        "reason": f"{host}-cmd-reason",
    }


def identity(ctx) -> Identity:
    """Who is asking (the request's identity; outside a request, an anonymous viewer)."""
    return current_identity(ctx.settings) if has_request_context() else ANONYMOUS


def refusal(ctx, name: str, who: Identity | None = None) -> str | None:
    """Why the current caller may not run `name` here, or None."""
    if ctx.commands is None:
        return NOT_SET_UP
    return ctx.commands.refusal(name, who or identity(ctx))


def command_host(host: str) -> html.Div:
    """The dialog, the pending command, the 'reason' field and the outcome line."""
    i = ids(host)
    return html.Div(
        [
            dcc.ConfirmDialog(id=i["confirm"]),
            dcc.Store(id=i["pending"]),
            dcc.Input(
                id=i["reason"],
                type="text",
                maxLength=MAX_REASON,
                placeholder="reason (kept in the audit log)",
                className="cmd-reason",
            ),
            dcc.Loading(html.Div(id=i["outcome"], className="cmd-outcome"), type="dot"),
        ],
        className="cmd-host",
    )


def command_button(ctx, host: str, name: str, target: str | None = None, label: str | None = None) -> html.Button:
    """A button for command `name` on `target` ("" = the host's target control), disabled with
    the reason as its tooltip when the caller may not run it."""
    return button(host, name, target, refusal(ctx, name), label)


def button(host: str, name: str, target: str | None, why: str | None, label: str | None = None) -> html.Button:
    """`command_button` for a refusal already known (`why`; None: it may run): for a page whose
    model asked (pages draw their buttons from their model)."""
    return html.Button(
        label or COMMANDS[name].label,
        id={"type": BUTTON, "host": host, "name": name, "target": target or ""},
        disabled=why is not None,
        title=why or confirmation(name, target or "(chosen beside it)"),
        className=f"cmd-btn cmd-{name}",
        n_clicks=0,
    )


def disabled_note(ctx, names: list[str]) -> html.Div:
    """A visible line saying why these commands are disabled (one line when they share a reason)."""
    return note([refusal(ctx, n) for n in names])


def note(refusals: list[str | None]) -> html.Div:
    """`disabled_note` for refusals already known (None: that command may run)."""
    reasons = list(dict.fromkeys(r for r in refusals if r))
    return html.Div(
        [html.Span("commands disabled: ", className="label"), "; ".join(reasons)] if reasons else [],
        className="cmd-disabled-note",
    )


def one_line(value, limit: int = MAX_SUBJECT) -> str:
    """Crawled text for the confirmation: one line, no invisible characters, at most `limit`."""
    text = " ".join(strip_invisible(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def register(
    app,
    ctx,
    host: str,
    target_control: str | None = None,
    describe: Callable[[str, str | None], str | None] | None = None,
) -> None:
    """Attach host `host`'s callbacks: a click asks for confirmation, a confirmation runs the
    command and writes the outcome line. `target_control` is a component whose `value` is the
    target of buttons that name none (e.g. a satellite picker). `describe(name, target)` names
    the target the way an operator knows it ("Cancel job 42 (https://…)"), shown first in the
    confirmation (made one plain line here: it may hold crawled text)."""
    i = ids(host)
    target_state = [State(target_control, "value")] if target_control else []

    @app.callback(
        Output(i["confirm"], "message"),
        Output(i["confirm"], "displayed"),
        Output(i["pending"], "data"),
        Output(i["outcome"], "children", allow_duplicate=True),
        Input({"type": BUTTON, "host": host, "name": ALL, "target": ALL}, "n_clicks"),
        *target_state,
        prevent_initial_call=True,
    )
    def ask(_clicks, *picked):
        """A command button was clicked: say what will happen and ask to confirm."""
        trigger = dash_ctx.triggered_id
        if not isinstance(trigger, dict) or not any(t.get("value") for t in dash_ctx.triggered):
            raise PreventUpdate  # buttons re-created, not clicked
        name, target = str(trigger.get("name")), str(trigger.get("target") or "") or (picked[0] if picked else None)
        if name not in COMMANDS:
            raise PreventUpdate
        if COMMANDS[name].target_kind != "dispatch" and not target:
            return no_update, False, None, f"choose a {COMMANDS[name].target_kind.replace('_', ' ')} first"
        why = refusal(ctx, name)
        if why is not None:
            return no_update, False, None, f"⊘ {COMMANDS[name].label}: {why}"
        heading = describe(name, target) if describe is not None else None
        text = (f"{one_line(heading)}\n\n" if heading else "") + confirmation(name, target) + "\n\nGo ahead?"
        return text, True, {"name": name, "target": target}, ""

    reason_state = [State(i["reason"], "value")]

    @app.callback(
        Output(i["outcome"], "children", allow_duplicate=True),
        Input(i["confirm"], "submit_n_clicks"),
        State(i["pending"], "data"),
        *reason_state,
        prevent_initial_call=True,
    )
    def run(_submitted, pending, reason):
        """Confirmed: run the pending command (audited whatever happens) and show its outcome."""
        if not isinstance(pending, dict) or pending.get("name") not in COMMANDS:
            raise PreventUpdate
        if ctx.commands is None:
            return f"⊘ {NOT_SET_UP}"
        reason = reason[:MAX_REASON] if isinstance(reason, str) and reason.strip() else None
        target = pending.get("target")
        try:
            outcome = ctx.commands.run(identity(ctx), pending["name"], str(target) if target else None, reason=reason)
        except AuditUnavailable as exc:
            return f"✗ {exc}"
        return outcome.line()

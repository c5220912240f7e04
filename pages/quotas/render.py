"""The quota page drawn from its model: {output id: Render} (pure: no ctx, no I/O).

Usage against limit per provider, burn-down to the reset, exhaustion dates, the router's recent
decisions and backup switches, and what to do about it. Each section is sent whole when it
differs from what the browser shows (`ui.live.smallest_update`), as the page always did.
Everything shown is plain text (Dash escapes it): callers' labels come from HTTP clients and
are not trusted.
"""

from __future__ import annotations

from typing import Any

from datetime import datetime

from dash import html

from figures.quotas import burndown, quota_bars
from figures.theme import empty_figure
from pages.quotas.ids import QuotaIds as Ids
from pages.quotas.ids import provider_id
from quotas.overview import summarize
from ui.delta import Render
from ui.times import when, zone_name

GRAPH_HEIGHT = 280
# What the tick callback sends, in its Output order, with the property each fills.
OUTPUTS = {
    Ids.SUMMARY: "children",
    Ids.CARDS: "children",
    Ids.BARS: "figure",
    Ids.BURNDOWN: "figure",
    Ids.RECOMMENDATIONS: "children",
    Ids.DECISIONS: "children",
    Ids.EVENTS: "children",
}


def _utc_date(iso: str | None) -> html.Span:
    # A day the quota resets or runs out, shown in the viewer's zone (the instant on hover).
    return when(iso, "date", zone=False)


def _utc_time(iso: str | None) -> html.Span:
    # Decisions are recent: the time of day says more than the date.
    return when(iso, "recent", zone=False)


def _status_badge(status: str, provider: str, enabled: bool) -> html.Span:
    text = status if enabled else "NO KEY"
    return html.Span(
        text,
        id=provider_id(Ids.STATUS, provider),
        className=f"quota-badge quota-{status.lower() if enabled else 'off'}",
    )


# A breaker's state as the card shows it: label and class.
BREAKER_LABELS = {"CLOSED": ("closed", "ok"), "OPEN": ("OPEN", "critical"), "HALF_OPEN": ("HALF-OPEN", "warning")}


def _breaker(quota: dict) -> html.Span:
    """The circuit breaker: closed, or open with the time its trial call may go."""
    breaker = quota.get("circuit_breaker") or {}
    state = str(breaker.get("state") or (quota.get("performance") or {}).get("circuit_breaker_state") or "CLOSED")
    label, tone = BREAKER_LABELS.get(state, (state, "off"))
    failures = int(breaker.get("consecutive_failures") or 0)
    parts: list = [html.Span(label, className=f"quota-breaker-state quota-{tone}")]
    if state == "OPEN":
        parts += [" · trial ", _utc_time(breaker.get("half_open_at"))]
    elif state == "HALF_OPEN":
        parts.append(" · next call is the trial")
    elif failures:
        parts.append(f" · {failures} failed in a row")
    return html.Span(parts, id=provider_id(Ids.BREAKER, quota["api_name"]))


def _window(seconds: int | None) -> str:
    if not seconds:
        return ""
    return f"{seconds // 3600} h" if seconds % 3600 == 0 else f"{seconds // 60} min"


def call_facts(quota: dict) -> list[html.Div]:
    """Calls in the window, success rate, mean response time and the breaker."""
    name = quota["api_name"]
    perf = quota.get("performance") or {}
    total = int(perf.get("total_calls") or 0)
    rate = f"{float(perf.get('success_rate') or 0) * 100:.1f}% ok" if total else "no calls"
    latency = f"{float(perf.get('average_response_time_ms') or 0):,.0f} ms" if total else "—"
    return [
        _fact(f"calls · {_window(quota.get('calls_window_s'))}", f"{total:,}", provider_id(Ids.CALLS, name)),
        _fact("success", rate, provider_id(Ids.SUCCESS, name)),
        _fact("mean response", latency, provider_id(Ids.LATENCY, name)),
        _fact("circuit", _breaker(quota)),
    ]


def _fact(label: str, value, value_id: str | None = None) -> html.Div:
    kwargs = {"id": value_id} if value_id else {}
    return html.Div(
        className="quota-fact",
        children=[
            html.Span(label, className="label"),
            html.Span(value, className="mono", **kwargs),  # type: ignore[arg-type]  # Dash's stubs: id, title
        ],
    )


def _description(quota: dict, simulated: bool) -> list:
    """What the provider serves; a simulated demo key says so first."""
    text = str(quota.get("description") or "")
    if not simulated:
        return [text]
    return [
        html.Span("SIMULATED", id=provider_id(Ids.SIMULATED, quota["api_name"]), className="quota-sim-tag"),
        f" · {text}",
    ]


def provider_card(quota: dict) -> html.Div:
    """One provider: used / limit, progress, reset and exhaustion, burn rates, masked key."""
    name = quota["api_name"]
    enabled = bool(quota.get("enabled"))
    percent = min(float(quota.get("percentage_used") or 0), 100.0)
    simulated = bool(quota.get("simulated"))
    key = "simulated demo key" if simulated else quota.get("masked_key") if enabled else "no API key"
    breaker = (quota.get("circuit_breaker") or {}).get("state", "CLOSED")
    return html.Div(
        id=provider_id(Ids.CARD, name),
        className=f"quota-card quota-card-{quota['status'].lower()}"
        + ("" if enabled else " quota-disabled")
        + ("" if breaker == "CLOSED" else f" quota-breaker-{breaker.lower()}"),
        children=[
            html.Div(
                className="quota-card-head",
                children=[
                    html.Span(name, className="quota-name"),
                    _status_badge(quota["status"], name, enabled),
                ],
            ),
            html.Div(_description(quota, simulated), className="quota-desc muted"),
            html.Div(
                className="quota-usage",
                children=[
                    html.Span(f"{quota['used']:,}", id=provider_id(Ids.USED, name), className="quota-used mono"),
                    html.Span(" / ", className="muted"),
                    html.Span(f"{quota['limit']:,}", id=provider_id(Ids.LIMIT, name), className="quota-limit mono"),
                    html.Span(f" {quota.get('percentage_used', 0):.1f}%", className="quota-pct mono"),
                ],
            ),
            html.Div(
                className="quota-track",
                children=html.Div(
                    className=f"quota-fill quota-fill-{quota['status'].lower() if enabled else 'off'}",
                    style={"width": f"{percent:.1f}%"},
                ),
            ),
            html.Div(
                className="quota-facts",
                children=[
                    _fact("left", f"{quota['remaining']:,}", provider_id(Ids.REMAINING, name)),
                    _fact("resets", _utc_date(quota.get("reset_date")), provider_id(Ids.RESET, name)),
                    _fact(
                        "runs out",
                        _utc_date(quota.get("predicted_exhaustion_date")),
                        provider_id(Ids.EXHAUSTION, name),
                    ),
                    _fact(
                        "burn 3 d / 14 d",
                        f"{quota.get('burn_rate_short', 0):g} / {quota.get('burn_rate_long', 0):g} per day",
                    ),
                    _fact("efficiency", f"{quota.get('efficiency', 0):.0f}%"),
                    _fact("key", key or "—", provider_id(Ids.KEY, name)),
                    *call_facts(quota),
                ],
            ),
            html.Div(quota.get("recommended_action", ""), className="quota-action"),
        ],
    )


def provider_cards(statuses: list[dict]):
    if not statuses:
        return html.Div("no providers configured", className="panel-empty")
    return [provider_card(quota) for quota in statuses]


def summary_strip(statuses: list[dict], events: list[dict]) -> list:
    """Headline numbers: providers with keys, units used of the free tiers, efficiency, backups."""
    totals = summarize(statuses, events)
    window = next((s.get("calls_window_s") for s in statuses if s.get("calls_window_s")), None)
    efficiency = "—" if totals["efficiency"] is None else f"{totals['efficiency']:.0f}%"
    alert = "red" if totals["critical"] else "amber" if totals["warning"] else "cyan"
    return [
        _kpi(
            "PROVIDERS WITH KEYS",
            f"{totals['enabled']} / {totals['providers']}",
            Ids.SUMMARY_ENABLED,
            f"{totals['critical']} critical · {totals['warning']} warning",
            alert,
        ),
        _kpi(
            "FREE-TIER UNITS USED",
            f"{totals['used']:,} / {totals['limit']:,}",
            Ids.SUMMARY_USED,
            "enabled providers, this period",
            "blue",
        ),
        _kpi("QUOTA EFFICIENCY", efficiency, Ids.SUMMARY_EFFICIENCY, "projected share used by the resets", "cyan"),
        _kpi(
            "BACKUP SWITCHES",
            f"{totals['backups']}",
            Ids.SUMMARY_BACKUPS,
            "recent emergency routings",
            "amber" if totals["backups"] else "cyan",
        ),
        _kpi(
            "PROVIDER CALLS",
            f"{totals['calls']:,}"
            + (f" · {totals['successful_calls'] / totals['calls'] * 100:.0f}% ok" if totals["calls"] else ""),
            Ids.SUMMARY_CALLS,
            f"{totals['open_circuits']} circuit{'' if totals['open_circuits'] == 1 else 's'} open · {_window(window)}",
            "red" if totals["open_circuits"] else "cyan",
        ),
    ]


def _kpi(title: str, value: str, value_id: str, sub: str, accent: str) -> html.Div:
    return html.Div(
        className=f"kpi-card accent-{accent}",
        children=[
            html.Div(title, className="kpi-title"),
            html.Div(value, id=value_id, className="kpi-value mono"),
            html.Div(sub, className="kpi-sub"),
        ],
    )


def recommendations(statuses: list[dict]):
    """Each enabled provider's advice, the urgent ones first; disabled ones in one line."""
    order = {"Critical": 0, "Warning": 1, "OK": 2}
    enabled = sorted(
        (quota for quota in statuses if quota.get("enabled")),
        key=lambda quota: (order.get(quota["status"], 3), quota["api_name"]),
    )
    items = [
        html.Li(
            className=f"quota-rec quota-rec-{quota['status'].lower()}",
            children=[
                html.Span(quota["api_name"], className="quota-rec-name mono"),
                html.Span(quota["recommended_action"]),
            ],
        )
        for quota in enabled
    ]
    missing = [quota["api_name"] for quota in statuses if not quota.get("enabled")]
    if missing:
        items.append(
            html.Li(
                className="quota-rec quota-rec-off",
                children=[
                    html.Span("no API key", className="quota-rec-name mono"),
                    html.Span(", ".join(missing)),
                ],
            )
        )
    return (
        html.Ul(items, className="quota-recs") if items else html.Div("nothing to recommend", className="panel-empty")
    )


def decisions_table(decisions: list[dict]):
    """The router's recent decisions, newest first; refusals and backups stand out."""
    if not decisions:
        return html.Div("no routing decisions yet", className="panel-empty")
    rows = []
    for decision in decisions:
        kind = "refused" if decision.get("provider") is None else "backup" if decision.get("emergency_backup") else "ok"
        rows.append(
            html.Tr(
                className=f"quota-decision-{kind}",
                children=[
                    html.Td(_utc_time(decision.get("at"))),
                    html.Td(str(decision.get("query_type") or ""), className="mono"),
                    html.Td(str(decision.get("priority") or "")),
                    html.Td(decision.get("provider") or "none left", className="mono"),
                    html.Td(str(decision.get("reason") or ""), className="quota-reason"),
                    html.Td(str(decision.get("caller") or "—")[:60], className="muted"),
                ],
            )
        )
    head = html.Thead(html.Tr([html.Th(h) for h in (zone_name(), "query", "priority", "provider", "reason", "caller")]))
    return html.Table([head, html.Tbody(rows)], className="quota-table")


EVENT_LABELS = {
    "emergency_backup": "BACKUP",
    "exhausted": "EXHAUSTED",
    "circuit_open": "CIRCUIT OPEN",
    "circuit_closed": "CIRCUIT CLOSED",
}


def events_list(events: list[dict]):
    """Emergency backup switches, exhaustions and breakers opening/closing, newest first."""
    if not events:
        return html.Div("no backup switches", className="panel-empty ok")
    return html.Ul(
        className="quota-events",
        children=[
            html.Li(
                className=f"quota-event quota-event-{event.get('kind', '')}",
                children=[
                    _utc_time(event.get("at")),
                    html.Span(EVENT_LABELS.get(str(event.get("kind")), "EVENT"), className="quota-event-kind"),
                    html.Span(str(event.get("message") or event.get("provider") or "")),
                ],
            )
            for event in events
        ],
    )


def render(model: dict) -> dict[str, Render]:
    """Every output of the page for one overview (or for `model.unavailable(problem)`)."""
    problem = model.get("problem")
    values: dict[str, Any]
    if problem is not None:
        empty = html.Div(problem, className="panel-empty")
        values = {output: empty for output in OUTPUTS}
        values[Ids.SUMMARY] = []
        values[Ids.BARS] = values[Ids.BURNDOWN] = empty_figure(problem)
    else:
        statuses = model["statuses"]
        now = datetime.fromisoformat(model["now"].replace("Z", "+00:00"))
        values = {
            Ids.SUMMARY: summary_strip(statuses, model["events"]),
            Ids.CARDS: provider_cards(statuses),
            Ids.BARS: quota_bars(statuses, height=GRAPH_HEIGHT),
            Ids.BURNDOWN: burndown(model["history"], statuses, now, height=GRAPH_HEIGHT),
            Ids.RECOMMENDATIONS: recommendations(statuses),
            Ids.DECISIONS: decisions_table(model["decisions"]),
            Ids.EVENTS: events_list(model["events"]),
        }
    return {output: Render.of(value) for output, value in values.items()}

"""The alert center drawn from a snapshot document: {output id: Render} (pure: no ctx, no I/O).

Firing alerts by severity (age, affected jobs and satellites, recommended action, acknowledge /
silence), pending alerts, silences, Link Profiler's rules, and the history table and chart.
Alert cards are list items whose age is a declared part: a tick patches the ages alone, and a
card is redrawn only when something else about it changed (so its buttons stay put). Alert text
is crawled text: it goes into components as plain strings (React escapes it), never as HTML or
markdown.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from figures.alerts import history_figure
from pages.alerts.ids import AlertIds as Ids
from pages.alerts.ids import age_id
from pages.alerts.model import SEVERITIES
from ui import format as fmt
from ui.delta import Render, node, with_parts
from ui.times import when, zone_name

NEW_ALERT_S = 60  # a critical alert younger than this flashes
# What the tick callback sends, in its Output order (each fills "children").
OUTPUTS = (Ids.SUMMARY, Ids.FIRING, Ids.PENDING, Ids.SILENCES, Ids.RULES)


def _zoned(label: str) -> list:
    """A time column's header naming the zone its times are shown in: 'time (UTC)'."""
    return [f"{label} (", zone_name(), ")"]


def _list(label: str, values) -> html.Div | None:
    values = [str(v) for v in values or [] if v]
    if not values:
        return None
    shown = values[:8]
    extra = f" (+{len(values) - 8} more)" if len(values) > 8 else ""
    return html.Div(
        className="ac-line",
        children=[html.Span(label, className="label"), " ", html.Span(", ".join(shown) + extra, className="mono")],
    )


def alert_card(alert: dict, *, actions: bool = True, age_id: str | None = None) -> html.Div:
    """One alert as a card; critical alerts younger than NEW_ALERT_S get the flashing class.
    `age_id` names the age's span, so a tick can update the age without redrawing the card."""
    sev = str(alert.get("severity")) if alert.get("severity") in SEVERITIES else "info"
    badges = [html.Span(sev.upper(), className=f"ac-badge sev-{sev}")]
    for flag, text in (("acknowledged", "ACK"), ("silenced", "SILENCED"), ("flapping", "FLAPPING")):
        if alert.get(flag):
            badges.append(html.Span(text, className=f"ac-badge flag-{flag}"))
    badges.append(html.Span(str(alert.get("type") or ""), className="ac-type mono"))
    fresh = sev == "critical" and isinstance(alert.get("age_s"), (int, float)) and alert["age_s"] < NEW_ALERT_S
    body = [
        html.Div(badges, className="ac-badges"),
        html.Div(str(alert.get("message") or ""), className="ac-message"),
        html.Div(
            className="ac-line",
            children=[
                html.Span("since", className="label"),
                " ",
                when(alert.get("timestamp") or alert.get("since"), "second"),
                html.Span(" · age ", className="label"),
                html.Span(
                    fmt.duration(alert.get("age_s")),
                    className="mono",
                    **({"id": age_id} if age_id else {}),  # type: ignore[arg-type]  # an id only when asked
                ),
            ],
        ),
        _list("satellites", alert.get("affected_satellites")),
        _list("jobs", alert.get("affected_jobs")),
    ]
    if alert.get("recommended_action"):
        body.append(
            html.Div([html.Span("action ", className="label"), str(alert["recommended_action"])], className="ac-action")
        )
    if alert.get("acknowledged"):
        body.append(
            html.Div(
                [
                    html.Span("ack ", className="label"),
                    f"{alert.get('acknowledged_by') or ''}: {alert.get('ack_comment') or ''}",
                ],
                className="ac-line",
            )
        )
    if alert.get("silenced_until"):
        body.append(
            html.Div(
                [html.Span("silenced until ", className="label"), when(alert["silenced_until"])], className="ac-line"
            )
        )
    if actions and alert.get("fingerprint"):
        fp = alert["fingerprint"]
        body.append(
            html.Div(
                className="ac-buttons",
                children=[
                    dbc.Button(
                        "Acknowledge",
                        id={"type": Ids.ACKNOWLEDGE, "index": fp},
                        size="sm",
                        color="secondary",
                        outline=True,
                        disabled=bool(alert.get("acknowledged")),
                        n_clicks=0,
                    ),
                    dbc.Button(
                        "Silence",
                        id={"type": Ids.SILENCE, "index": fp},
                        size="sm",
                        color="secondary",
                        outline=True,
                        n_clicks=0,
                    ),
                    dbc.Button(
                        f"Silence all {alert.get('type')}",
                        id={"type": Ids.SILENCE_TYPE, "index": str(alert.get("type"))},
                        size="sm",
                        color="link",
                        n_clicks=0,
                    ),
                ],
            )
        )
    return html.Div(
        [b for b in body if b is not None],
        className=f"ac-card sev-{sev}" + (" ac-new" if fresh else ""),
        **{"data-fingerprint": str(alert.get("fingerprint") or "")},  # type: ignore[arg-type]  # data-* props
    )


def firing_items(alerts: list[dict]) -> tuple[list, dict[str, str]]:
    """Firing alerts grouped by severity (most severe first), and {age span id: age text}."""
    if not alerts:
        return [html.Div("All clear: no alert is firing", className="panel-empty ok")], {}
    out: list[Any] = []
    ages: dict[str, str] = {}
    for sev in SEVERITIES:
        group = [a for a in alerts if a.get("severity") == sev]
        if group:
            out.append(html.H3(f"{sev.upper()} · {len(group)}", className=f"ac-group sev-{sev}"))
            for alert in group:
                ages[age_id(Ids.FIRING, len(out))] = fmt.duration(alert.get("age_s"))
                out.append(alert_card(alert, age_id=age_id(Ids.FIRING, len(out))))
    return out, ages


def firing_panel(alerts: list[dict]) -> list:
    """Firing alerts grouped by severity (most severe first)."""
    return firing_items(alerts)[0]


def pending_items(pending: list[dict]) -> tuple[list, dict[str, str]]:
    """Pending alerts (no actions yet), and {age span id: age text}."""
    if not pending:
        return [html.Div("Nothing pending", className="panel-empty")], {}
    ages = {age_id(Ids.PENDING, i): fmt.duration(alert.get("age_s")) for i, alert in enumerate(pending)}
    return [alert_card(alert, actions=False, age_id=age_id(Ids.PENDING, i)) for i, alert in enumerate(pending)], ages


def pending_panel(pending: list[dict]) -> list:
    return pending_items(pending)[0]


def silences_panel(silences: list[dict]) -> list:
    if not silences:
        return [html.Div("No active silence", className="panel-empty")]
    rows = []
    for s in silences:
        target = f"alert {s['fingerprint'][:12]}…" if s.get("fingerprint") else f"all {s.get('alert_type')}"
        rows.append(
            html.Tr(
                [
                    html.Td(target, className="mono"),
                    html.Td(when(s.get("expires_at"), zone=False)),
                    html.Td(str(s.get("created_by") or "")),
                    html.Td(str(s.get("comment") or "")),
                    html.Td(
                        dbc.Button(
                            "End",
                            id={"type": Ids.END_SILENCE, "index": s["id"]},
                            size="sm",
                            color="secondary",
                            outline=True,
                            n_clicks=0,
                        )
                    ),
                ]
            )
        )
    return [
        html.Table(
            className="ac-table",
            children=[
                html.Thead(html.Tr([html.Th(h) for h in ("silences", _zoned("until"), "by", "comment", "")])),
                html.Tbody(rows),
            ],
        )
    ]


def summary_panel(alerts: list[dict], center: dict) -> list:
    counts = {s: sum(1 for a in alerts if a.get("severity") == s) for s in SEVERITIES}
    outbox = center.get("outbox") or {}
    channels = center.get("channels") or []
    items = [
        html.Div(
            [html.Div(str(counts[s]), className=f"ac-count mono sev-{s}"), html.Div(s, className="label")],
            className="ac-summary-item",
        )
        for s in SEVERITIES
    ]
    items.append(
        html.Div(
            [
                html.Div(", ".join(channels) if channels else "none configured", className="mono"),
                html.Div("channels", className="label"),
            ],
            className="ac-summary-item",
        )
    )
    items.append(
        html.Div(
            [
                html.Div(f"{outbox.get('pending', 0)} queued · {outbox.get('dead', 0)} failed", className="mono"),
                html.Div("outbox", className="label"),
            ],
            className="ac-summary-item",
        )
    )
    retrying = outbox.get("retrying")
    if retrying:
        items.append(
            html.Div(
                [
                    html.Div(f"{retrying.get('channel')}: {retrying.get('error')}", className="mono warn"),
                    html.Div(f"retrying (attempt {retrying.get('attempts')})", className="label"),
                ],
                className="ac-summary-item",
            )
        )
    problems = center.get("problems") or {}
    if problems:
        items.append(
            html.Div(
                [
                    html.Div("; ".join(f"{k}: {v}" for k, v in problems.items()), className="mono warn"),
                    html.Div("rule problems", className="label"),
                ],
                className="ac-summary-item",
            )
        )
    return items


def rules_panel(rules: list[dict]) -> list:
    if not rules:
        return [html.Div("No active rule in Link Profiler's alert_rules", className="panel-empty")]
    rows = []
    for r in rules:
        condition = {
            "metric_threshold": f"{r.get('metric_name')} {r.get('comparison_operator')} {r.get('threshold_value')}",
            "job_status_change": f"job status → {r.get('metric_name') or 'failed'}",
            "anomaly_detected": f"anomaly {r.get('anomaly_type_filter') or '(any)'}",
        }.get(str(r.get("trigger_type")), str(r.get("trigger_type")))
        filters = " ".join(f for f in (r.get("job_type_filter"), r.get("target_url_pattern")) if f)
        rows.append(
            html.Tr(
                [
                    html.Td(str(r.get("name"))),
                    html.Td(condition, className="mono"),
                    html.Td(filters, className="mono"),
                    html.Td(str(r.get("severity")), className=f"sev-{r.get('severity')}"),
                    html.Td(", ".join(r.get("channels") or []) or "dashboard"),
                    html.Td(str(r.get("problem") or "ok"), className="warn" if r.get("problem") else "muted"),
                ]
            )
        )
    return [
        html.Table(
            className="ac-table",
            children=[
                html.Thead(
                    html.Tr([html.Th(h) for h in ("rule", "condition", "filters", "severity", "channels", "status")])
                ),
                html.Tbody(rows),
            ],
        )
    ]


def history_table(events: list[dict]) -> list:
    if not events:
        return [html.Div("No history for these filters", className="panel-empty")]
    rows = [
        html.Tr(
            [
                html.Td(when(e.get("at"), "second", zone=False)),
                html.Td(str(e.get("event") or "")),
                html.Td(str(e.get("severity") or ""), className=f"sev-{e.get('severity')}"),
                html.Td(str(e.get("type") or ""), className="mono"),
                html.Td(str(e.get("message") or "")),
                html.Td(
                    " ".join(list(e.get("affected_satellites") or []) + list(e.get("affected_jobs") or [])[:5]),
                    className="mono",
                ),
                html.Td(" ".join(x for x in (e.get("actor"), e.get("comment")) if x)),
            ]
        )
        for e in events
    ]
    return [
        html.Table(
            className="ac-table ac-history",
            children=[
                html.Thead(
                    html.Tr(
                        [
                            html.Th(h)
                            for h in (
                                _zoned("time"),
                                "event",
                                "severity",
                                "type",
                                "message",
                                "affected",
                                "by / comment",
                            )
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
        )
    ]


def _cards(items: list, ages: dict[str, str]) -> Render:
    return with_parts(items, {node(span, "children"): text for span, text in ages.items()}, items=True)


def render(doc: dict) -> dict[str, Render]:
    """Every live section of the page for one snapshot document."""
    alerts = doc.get("alerts", [])
    center = doc.get("mc", {}).get("alert_center", {})
    return {
        Ids.SUMMARY: Render.of(summary_panel(alerts, center)),
        Ids.FIRING: _cards(*firing_items(alerts)),
        Ids.PENDING: _cards(*pending_items(center.get("pending", []))),
        Ids.SILENCES: Render.of(silences_panel(center.get("silences", []))),
        Ids.RULES: Render.of(rules_panel(center.get("lp_rules", []))),
    }


def history(records: list[dict]) -> tuple[list, object]:
    """(history table, history chart) of history records (alerts.export.history_record)."""
    return history_table(records), history_figure(records)

"""The alert center: firing alerts by severity (age, affected jobs and satellites, recommended
action, acknowledge / silence), pending alerts, silences, Link Profiler's rules, and the
history with filters, a chart and CSV export.

The live parts are rendered from the snapshot (`doc["alerts"]`, `doc["mc"]["alert_center"]`),
the same data the main screen's alert card shows. Alert text is crawled text: it goes into
components as plain strings (React escapes it), never as HTML or markdown.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from alerts.conditions import ALERT_TYPES
from alerts.store import HISTORY_EVENTS
from figures.alerts import history_figure
from layouts.alert_ids import AlertIds
from layouts.panels import GRAPH_CONFIG, panel
from runtime.context import AppContext
from views import format as fmt

SEVERITIES = ("critical", "warning", "info")
NEW_ALERT_S = 60  # a critical alert younger than this flashes
SILENCE_CHOICES = [(30, "30 min"), (60, "1 h"), (240, "4 h"), (1440, "24 h"), (10080, "7 days")]
HOUR_CHOICES = [(1, "last hour"), (24, "last 24 h"), (168, "last 7 days"), (720, "last 30 days")]


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


def alert_card(alert: dict, *, actions: bool = True) -> html.Div:
    """One alert as a card; critical alerts younger than NEW_ALERT_S get the flashing class."""
    sev = alert.get("severity") if alert.get("severity") in SEVERITIES else "info"
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
                html.Span(f"{alert.get('timestamp') or alert.get('since') or '?'}", className="mono"),
                html.Span(" · age ", className="label"),
                html.Span(fmt.duration(alert.get("age_s")), className="mono"),
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
                [html.Span("silenced until ", className="label"), str(alert["silenced_until"])], className="ac-line"
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
                        id={"type": AlertIds.ACK, "index": fp},
                        size="sm",
                        color="secondary",
                        outline=True,
                        disabled=bool(alert.get("acknowledged")),
                        n_clicks=0,
                    ),
                    dbc.Button(
                        "Silence",
                        id={"type": AlertIds.SILENCE, "index": fp},
                        size="sm",
                        color="secondary",
                        outline=True,
                        n_clicks=0,
                    ),
                    dbc.Button(
                        f"Silence all {alert.get('type')}",
                        id={"type": AlertIds.SILENCE_TYPE, "index": str(alert.get("type"))},
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
        **{"data-fingerprint": str(alert.get("fingerprint") or "")},
    )


def firing_panel(alerts: list[dict]) -> list:
    """Firing alerts grouped by severity (most severe first)."""
    if not alerts:
        return [html.Div("All clear: no alert is firing", className="panel-empty ok")]
    out = []
    for sev in SEVERITIES:
        group = [a for a in alerts if a.get("severity") == sev]
        if group:
            out.append(html.H3(f"{sev.upper()} · {len(group)}", className=f"ac-group sev-{sev}"))
            out += [alert_card(a) for a in group]
    return out


def pending_panel(pending: list[dict]) -> list:
    if not pending:
        return [html.Div("Nothing pending", className="panel-empty")]
    return [alert_card(a, actions=False) for a in pending]


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
                    html.Td(str(s.get("expires_at") or ""), className="mono"),
                    html.Td(str(s.get("created_by") or "")),
                    html.Td(str(s.get("comment") or "")),
                    html.Td(
                        dbc.Button(
                            "End",
                            id={"type": AlertIds.END_SILENCE, "index": s["id"]},
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
                html.Thead(html.Tr([html.Th(h) for h in ("silences", "until (UTC)", "by", "comment", "")])),
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
        }.get(r.get("trigger_type"), str(r.get("trigger_type")))
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
                html.Td(str(e.get("at") or ""), className="mono"),
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
                            for h in ("time (UTC)", "event", "severity", "type", "message", "affected", "by / comment")
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
        )
    ]


def _options(values) -> list[dict]:
    return [{"label": v.replace("_", " "), "value": v} for v in values]


def layout(ctx: AppContext):
    """The page, filled from the current snapshot so it shows data on arrival."""
    try:
        _version, doc = ctx.snapshots.load()
    except Exception:
        doc = None
    doc = doc or {}
    alerts = doc.get("alerts", [])
    center = doc.get("mc", {}).get("alert_center", {})
    token_box = (
        [
            dbc.Input(
                id=AlertIds.TOKEN,
                type="password",
                placeholder="MC_API_TOKEN (needed to change alerts)",
                size="sm",
                className="ac-token",
                autoComplete="off",
            )
        ]
        if ctx.settings.api_token
        else [dcc.Input(id=AlertIds.TOKEN, type="hidden", value="")]
    )
    controls = html.Div(
        className="ac-controls",
        children=[
            dbc.Input(
                id=AlertIds.COMMENT,
                placeholder="comment for acknowledge / silence (required to acknowledge)",
                size="sm",
                maxLength=1000,
                className="ac-comment",
            ),
            dcc.Dropdown(
                id=AlertIds.DURATION,
                options=[{"label": t, "value": m} for m, t in SILENCE_CHOICES],
                value=60,
                clearable=False,
                className="ac-duration",
            ),
            *token_box,
            html.Div(id=AlertIds.STATUS, className="ac-status", role="status"),
        ],
    )
    filters = html.Div(
        className="ac-filters",
        children=[
            dcc.Dropdown(
                id=AlertIds.FILTER_SEVERITY, options=_options(SEVERITIES), placeholder="severity", multi=False
            ),
            dcc.Dropdown(id=AlertIds.FILTER_TYPE, options=_options(ALERT_TYPES), placeholder="type"),
            dcc.Dropdown(id=AlertIds.FILTER_EVENT, options=_options(HISTORY_EVENTS), placeholder="event"),
            dcc.Dropdown(
                id=AlertIds.FILTER_HOURS,
                options=[{"label": t, "value": h} for h, t in HOUR_CHOICES],
                value=24,
                clearable=False,
            ),
            dbc.Input(id=AlertIds.FILTER_TEXT, placeholder="search messages", size="sm", debounce=True),
            dbc.Button("Refresh", id=AlertIds.HISTORY_REFRESH, size="sm", color="secondary", outline=True, n_clicks=0),
            dbc.Button("Export CSV", id=AlertIds.EXPORT, size="sm", color="info", outline=True, n_clicks=0),
            dcc.Download(id=AlertIds.DOWNLOAD),
        ],
    )
    return html.Div(
        className="alert-center",
        children=[
            dcc.Store(id=AlertIds.DIGEST, data=None),
            html.Div(summary_panel(alerts, center), id=AlertIds.SUMMARY, className="ac-summary"),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            "FIRING ALERTS", html.Div([controls, html.Div(firing_panel(alerts), id=AlertIds.FIRING)])
                        ),
                        lg=8,
                    ),
                    dbc.Col(
                        [
                            panel("PENDING", html.Div(pending_panel(center.get("pending", [])), id=AlertIds.PENDING)),
                            panel(
                                "SILENCES", html.Div(silences_panel(center.get("silences", [])), id=AlertIds.SILENCES)
                            ),
                        ],
                        lg=4,
                    ),
                ],
                className="g-3",
            ),
            panel("LINK PROFILER RULES", html.Div(rules_panel(center.get("lp_rules", [])), id=AlertIds.RULES)),
            panel(
                "HISTORY",
                html.Div(
                    [
                        filters,
                        dcc.Graph(
                            id=AlertIds.HISTORY_CHART,
                            figure=history_figure([]),
                            config=GRAPH_CONFIG,
                            className="mc-graph",
                        ),
                        html.Div(id=AlertIds.HISTORY, className="ac-history-wrap"),
                    ]
                ),
            ),
        ],
    )

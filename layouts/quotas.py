"""The API quota page: usage against limit per provider, burn-down to the reset, exhaustion
dates, the router's recent decisions and backup switches, and what to do about it.

The builders here turn the manager's `overview()` into components; the page's callback reuses
them for its updates, so the first paint and every refresh look the same. Everything shown is
plain text (Dash escapes it): callers' labels come from HTTP clients and are not trusted.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from figures.quotas import burndown, quota_bars
from figures.theme import empty_figure
from layouts.quota_ids import QuotaIds, provider_id
from ui.panel import GRAPH_CONFIG, panel
from quotas.overview import summarize


def _utc_date(iso: str | None) -> html.Span:
    if not iso:
        return html.Span("—", className="mono")
    return html.Span(iso[:10], title=f"{iso} (UTC)", className="mono")


def _utc_time(iso: str | None) -> html.Span:
    # Decisions are recent: the time of day says more than the date.
    if not iso:
        return html.Span("—", className="mono")
    return html.Span(f"{iso[5:10]} {iso[11:19]}", title=f"{iso} (UTC)", className="mono")


def _status_badge(status: str, provider: str, enabled: bool) -> html.Span:
    text = status if enabled else "NO KEY"
    return html.Span(
        text,
        id=provider_id(QuotaIds.STATUS, provider),
        className=f"quota-badge quota-{status.lower() if enabled else 'off'}",
    )


def _fact(label: str, value, value_id: str | None = None) -> html.Div:
    kwargs = {"id": value_id} if value_id else {}
    return html.Div(
        className="quota-fact",
        children=[
            html.Span(label, className="label"),
            html.Span(value, className="mono", **kwargs),
        ],
    )


def provider_card(s: dict) -> html.Div:
    """One provider: used / limit, progress, reset and exhaustion, burn rates, masked key."""
    name = s["api_name"]
    enabled = bool(s.get("enabled"))
    pct = min(float(s.get("percentage_used") or 0), 100.0)
    key = s.get("masked_key") if enabled else "no API key"
    return html.Div(
        id=provider_id(QuotaIds.CARD, name),
        className=f"quota-card quota-card-{s['status'].lower()}" + ("" if enabled else " quota-disabled"),
        children=[
            html.Div(
                className="quota-card-head",
                children=[
                    html.Span(name, className="quota-name"),
                    _status_badge(s["status"], name, enabled),
                ],
            ),
            html.Div(s.get("description", ""), className="quota-desc muted"),
            html.Div(
                className="quota-usage",
                children=[
                    html.Span(f"{s['used']:,}", id=provider_id(QuotaIds.USED, name), className="quota-used mono"),
                    html.Span(" / ", className="muted"),
                    html.Span(f"{s['limit']:,}", id=provider_id(QuotaIds.LIMIT, name), className="quota-limit mono"),
                    html.Span(f" {s.get('percentage_used', 0):.1f}%", className="quota-pct mono"),
                ],
            ),
            html.Div(
                className="quota-track",
                children=html.Div(
                    className=f"quota-fill quota-fill-{s['status'].lower() if enabled else 'off'}",
                    style={"width": f"{pct:.1f}%"},
                ),
            ),
            html.Div(
                className="quota-facts",
                children=[
                    _fact("left", f"{s['remaining']:,}", provider_id(QuotaIds.REMAINING, name)),
                    _fact("resets", _utc_date(s.get("reset_date")), provider_id(QuotaIds.RESET, name)),
                    _fact(
                        "runs out",
                        _utc_date(s.get("predicted_exhaustion_date")),
                        provider_id(QuotaIds.EXHAUSTION, name),
                    ),
                    _fact(
                        "burn 3 d / 14 d", f"{s.get('burn_rate_short', 0):g} / {s.get('burn_rate_long', 0):g} per day"
                    ),
                    _fact("efficiency", f"{s.get('efficiency', 0):.0f}%"),
                    _fact("key", key or "—", provider_id(QuotaIds.KEY, name)),
                ],
            ),
            html.Div(s.get("recommended_action", ""), className="quota-action"),
        ],
    )


def provider_cards(statuses: list[dict]):
    if not statuses:
        return html.Div("no providers configured", className="panel-empty")
    return [provider_card(s) for s in statuses]


def summary_strip(statuses: list[dict], events: list[dict]) -> list:
    """Headline numbers: providers with keys, units used of the free tiers, efficiency, backups."""
    s = summarize(statuses, events)
    eff = "—" if s["efficiency"] is None else f"{s['efficiency']:.0f}%"
    alert = "red" if s["critical"] else "amber" if s["warning"] else "cyan"
    return [
        _kpi(
            "PROVIDERS WITH KEYS",
            f"{s['enabled']} / {s['providers']}",
            QuotaIds.SUMMARY_ENABLED,
            f"{s['critical']} critical · {s['warning']} warning",
            alert,
        ),
        _kpi(
            "FREE-TIER UNITS USED",
            f"{s['used']:,} / {s['limit']:,}",
            QuotaIds.SUMMARY_USED,
            "enabled providers, this period",
            "blue",
        ),
        _kpi("QUOTA EFFICIENCY", eff, QuotaIds.SUMMARY_EFFICIENCY, "projected share used by the resets", "cyan"),
        _kpi(
            "BACKUP SWITCHES",
            f"{s['backups']}",
            QuotaIds.SUMMARY_BACKUPS,
            "recent emergency routings",
            "amber" if s["backups"] else "cyan",
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
        (s for s in statuses if s.get("enabled")), key=lambda s: (order.get(s["status"], 3), s["api_name"])
    )
    items = [
        html.Li(
            className=f"quota-rec quota-rec-{s['status'].lower()}",
            children=[
                html.Span(s["api_name"], className="quota-rec-name mono"),
                html.Span(s["recommended_action"]),
            ],
        )
        for s in enabled
    ]
    missing = [s["api_name"] for s in statuses if not s.get("enabled")]
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
    for d in decisions:
        kind = "refused" if d.get("provider") is None else "backup" if d.get("emergency_backup") else "ok"
        rows.append(
            html.Tr(
                className=f"quota-decision-{kind}",
                children=[
                    html.Td(_utc_time(d.get("at"))),
                    html.Td(str(d.get("query_type") or ""), className="mono"),
                    html.Td(str(d.get("priority") or "")),
                    html.Td(d.get("provider") or "none left", className="mono"),
                    html.Td(str(d.get("reason") or ""), className="quota-reason"),
                    html.Td(str(d.get("caller") or "—")[:60], className="muted"),
                ],
            )
        )
    head = html.Thead(html.Tr([html.Th(h) for h in ("UTC", "query", "priority", "provider", "reason", "caller")]))
    return html.Table([head, html.Tbody(rows)], className="quota-table")


def events_list(events: list[dict]):
    """Emergency backup switches and exhaustions, newest first."""
    if not events:
        return html.Div("no backup switches", className="panel-empty ok")
    return html.Ul(
        className="quota-events",
        children=[
            html.Li(
                className=f"quota-event quota-event-{e.get('kind', '')}",
                children=[
                    _utc_time(e.get("at")),
                    html.Span(
                        "BACKUP" if e.get("kind") == "emergency_backup" else "EXHAUSTED", className="quota-event-kind"
                    ),
                    html.Span(str(e.get("message") or e.get("provider") or "")),
                ],
            )
            for e in events
        ],
    )


def figures_for(model: dict) -> tuple:
    """(usage bars, burn-down) figures of an overview."""
    from datetime import datetime

    now = datetime.fromisoformat(model["now"].replace("Z", "+00:00"))
    return quota_bars(model["statuses"], height=280), burndown(model["history"], model["statuses"], now, height=280)


def load_model(ctx) -> tuple[dict | None, str | None]:
    """(overview, None) or (None, why it is unavailable): the page never crashes on it."""
    if getattr(ctx, "quotas", None) is None:
        return None, "the quota ledger is not running"
    try:
        return ctx.quotas.overview(), None
    except Exception as exc:  # Redis or the database down: say so in the panels
        return None, f"quota ledger offline: {type(exc).__name__}"


def layout(ctx) -> html.Div:
    """The page, filled from the ledger right away (the tick then only sends changes)."""
    from callbacks.quotas import digests  # one definition of what "changed" means

    model, problem = load_model(ctx)
    if model is None:
        empty = html.Div(problem, className="panel-empty")
        bars = burn = empty_figure(problem)
        summary, cards, recs, decisions, events, held = [], empty, empty, empty, empty, {}
    else:
        bars, burn = figures_for(model)
        summary = summary_strip(model["statuses"], model["events"])
        cards = provider_cards(model["statuses"])
        recs = recommendations(model["statuses"])
        decisions = decisions_table(model["decisions"])
        events = events_list(model["events"])
        held = digests(model)
    return html.Div(
        id=QuotaIds.PAGE,
        className="quota-screen",
        children=[
            dcc.Store(id=QuotaIds.HELD, data=held),
            html.Div(summary, id=QuotaIds.SUMMARY, className="kpi-row"),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(
                        panel(
                            "FREE-TIER USAGE",
                            dcc.Graph(id=QuotaIds.BARS, figure=bars, config=GRAPH_CONFIG, style={"height": "280px"}),
                            subtitle="used against limit, this period",
                        ),
                        lg=5,
                    ),
                    dbc.Col(
                        panel(
                            "BURN-DOWN TO RESET",
                            dcc.Graph(
                                id=QuotaIds.BURNDOWN, figure=burn, config=GRAPH_CONFIG, style={"height": "280px"}
                            ),
                            subtitle="left per day · dashed: projection",
                        ),
                        lg=7,
                    ),
                ],
            ),
            panel(
                "PROVIDERS",
                html.Div(cards, id=QuotaIds.CARDS, className="quota-cards"),
                subtitle="keys are shown masked",
            ),
            dbc.Row(
                className="g-3",
                children=[
                    dbc.Col(panel("RECOMMENDATIONS", html.Div(recs, id=QuotaIds.RECOMMENDATIONS)), lg=4),
                    dbc.Col(
                        panel(
                            "ROUTER DECISIONS",
                            html.Div(decisions, id=QuotaIds.DECISIONS, className="quota-scroll"),
                            subtitle="newest first",
                        ),
                        lg=5,
                    ),
                    dbc.Col(
                        panel("BACKUP SWITCHES", html.Div(events, id=QuotaIds.EVENTS, className="quota-scroll")), lg=3
                    ),
                ],
            ),
        ],
    )

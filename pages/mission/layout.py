"""The main screen, as the user drew it: KPI cards; discovery and quotas; the mission
timeline; then the mission board, the fleet, the queue and the error panel.

The first render is filled from the current snapshot, so a viewer sees numbers on arrival
rather than after the first tick; the version shown goes into the page's store.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from figures import mission as figs
from pages.mission.ids import MissionIds as Main
from pages.mission.model import ALL_SATELLITES, ReplayModel, queue_trend, replay, replay_range, satellite_choices
from pages.snapshot import latest
from pages.mission.render import BOARD_VALUES, FLEET_VALUES, render, replay_banner
from ui import commands as cmd
from ui.delta import to_plain
from ui.live import page_renders
from ui.arrange import arrangeable, stack
from ui.panel import GRAPH_CONFIG, panel
from ui.page import page_query, public_path
from ui.times import zone_name


# The drawn rows, as the default arrangement: (panel, width of 12, height in grid rows).
ARRANGEMENT = stack(
    ((Main.PANEL_DISCOVERY, 8, 11), (Main.PANEL_QUOTA, 4, 11)),
    ((Main.PANEL_TIMELINE, 12, 21),),
    ((Main.PANEL_BOARD, 7, 11), (Main.PANEL_FLEET, 5, 11)),
    ((Main.PANEL_QUEUE, 4, 19), (Main.PANEL_ERRORS, 8, 19)),
)


def radar_key() -> list:
    """The radar's colour key (it has no legend of its own)."""
    return [html.Span(f"● {name} ", style={"color": line}) for _key, name, line, _fill in figs.RADAR_METRICS]


def _kpi(title: str, value_id: str, sub_id: str, renders, card_id: str | None = None, accent: str = "cyan"):
    card_class = renders[card_id].full if card_id else "kpi-card"
    return html.Div(
        id=card_id or f"{value_id}-card",
        className=f"{card_class} accent-{accent}",
        children=[
            html.Div(title, className="kpi-title"),
            html.Div(renders[value_id].full, id=value_id, className="kpi-value mono"),
            html.Div(renders[sub_id].full, id=sub_id, className="kpi-sub"),
        ],
    )


def _metric(title: str, value_id: str, renders):
    return html.Div(
        className="metric",
        children=[
            html.Div(title, className="metric-title"),
            html.Div(renders[value_id].full, id=value_id, className="metric-value mono"),
        ],
    )


def _graph(graph_id: str, renders, height: int | None = None) -> dcc.Graph:
    """A graph; with `height`, the figure autosizes to it, taller on wall screens (--mc-graph-h;
    in kiosk mode CSS zooms the whole graph instead, text included: see 10_mission.css)."""
    # Never pass style=None: dcc.Graph reads style.height and breaks on null.
    sized: dict[str, Any] = {"style": {"height": f"calc({height}px * var(--mc-graph-h))"}} if height else {}
    return dcc.Graph(id=graph_id, figure=renders[graph_id].full, config=GRAPH_CONFIG, className="mc-graph", **sized)


def scrubber(ctx, live: dict, replayed: ReplayModel | None) -> html.Form:
    """The time-travel control: a slider over the minutes kept and the minute as UTC text,
    submitted as `?at=` (a plain GET: the replay is a page of its own, first-painted by the
    server). assets/replay.js writes the slider's minute into the field."""
    kept = replay_range(live)
    shown = replayed.epoch_minute if replayed is not None and replayed.epoch_minute is not None else None
    first, last = kept if kept is not None else (0, 0)
    value = min(max(shown if shown is not None else last, first), last)
    return html.Form(
        id=Main.SCRUBBER,
        className="replay-scrubber",
        action=public_path("/", ctx.settings.url_prefix),
        method="GET",
        children=[
            html.Span("REPLAY A MINUTE", className="label"),
            # A native range input, not dcc.Slider: the slider's own component bundle (44 KB,
            # loaded after the page renders) and its React tree were part of every first fill of
            # the main screen; a browser's range input does the same here (keys included).
            html.Div(
                dcc.Input(
                    id=Main.SCRUB_SLIDER,
                    type="range",
                    min=first,
                    max=last,
                    step=1,
                    value=value,
                    disabled=kept is None,
                ),
                className="replay-slider",
                title="minutes kept" if kept is not None else "no minute kept yet",
            ),
            dcc.Input(
                id=Main.SCRUB_AT,
                name="at",
                type="text",
                value=replayed.minute if replayed is not None and replayed.minute else "",
                placeholder="2026-11-29T03:12Z",
                className="replay-at mono",
                maxLength=40,
            ),
            html.Button("REPLAY", type="submit", className="replay-go"),
        ],
    )


FLEET_COMMANDS = ["satellite_pause", "satellite_resume", "satellite_restart", "satellite_shutdown"]
QUEUE_COMMANDS = ["dispatch_pause", "dispatch_resume"]


def fleet_commands(ctx, doc: dict) -> html.Div:
    """Pause / resume / restart / shut down the picked satellite (or all), with confirmation."""
    return html.Div(
        className="cmd-bar",
        children=[
            # The browser's own <select> (dbc.Select), not dcc.Dropdown: no separate component
            # bundle to fetch and parse during the main screen's first fill.
            dbc.Select(
                id=Main.FLEET_PICK,
                options=satellite_choices(doc),
                value=ALL_SATELLITES,
                className="cmd-pick form-select-sm",
            ),
            *[cmd.command_button(ctx, Main.FLEET_COMMANDS, name) for name in FLEET_COMMANDS],
            cmd.disabled_note(ctx, FLEET_COMMANDS),
            cmd.command_host(Main.FLEET_COMMANDS),
        ],
    )


def queue_commands(ctx) -> html.Div:
    """Pause / resume dispatch through Link Profiler's API, with confirmation."""
    return html.Div(
        className="cmd-bar",
        children=[
            *[cmd.command_button(ctx, Main.QUEUE_COMMANDS, name) for name in QUEUE_COMMANDS],
            cmd.disabled_note(ctx, QUEUE_COMMANDS),
            cmd.command_host(Main.QUEUE_COMMANDS),
        ],
    )


def layout(ctx):
    replayed = replay(ctx, page_query("at"))
    try:
        version, live = latest(ctx)
    except Exception:
        version, live = None, None
    if replayed is not None and replayed.document is not None:
        # A replay: the kept document through the same render, never cached as a live version.
        doc = replayed.document
        renders = render(doc)
    else:
        doc = live
        renders = page_renders(ctx, "mission", render).renders(version, doc) if doc else render({})
    doc = doc or {}
    trend = queue_trend(doc)
    # What the browser holds: the version it shows (the server diffs from it) and the trend's end;
    # a replay holds its minute instead, and the live callback leaves it alone.
    held = {"v": version if doc and replayed is None else None, "trend_last": trend[-1][0] if trend else None}
    if replayed is not None and replayed.document is not None:
        held["replay"] = replayed.minute
    top = [] if replayed is None else [replay_banner(replayed, public_path("/", ctx.settings.url_prefix))]

    return html.Div(
        className="mission-screen" + (" replaying" if "replay" in held else ""),
        children=[
            dcc.Store(id=Main.HELD, data=held),
            *top,
            html.Div(
                className="kpi-row",
                children=[
                    _kpi("ACTIVE MISSIONS", Main.KPI_ACTIVE, Main.KPI_ACTIVE_SUB, renders),
                    _kpi("SATELLITE FLEET", Main.KPI_FLEET, Main.KPI_FLEET_SUB, renders, accent="blue"),
                    _kpi("QUEUE DEPTH", Main.KPI_QUEUE, Main.KPI_QUEUE_SUB, renders, accent="amber"),
                    _kpi(
                        "ALERTS", Main.KPI_ALERTS, Main.KPI_ALERTS_SUB, renders, card_id=Main.ALERT_CARD, accent="red"
                    ),
                ],
            ),
            html.Div(
                className="metric-strip",
                children=[
                    _metric("pages crawled 24 h", Main.METRIC_PAGES, renders),
                    _metric("avg completion", Main.METRIC_COMPLETION, renders),
                    _metric("satellite utilisation", Main.METRIC_UTIL, renders),
                    _metric("completed 24 h", Main.METRIC_DONE, renders),
                    _metric("failed 24 h", Main.METRIC_FAILED, renders),
                    _metric("backlinks discovered", Main.METRIC_BACKLINKS, renders),
                ],
            ),
            arrangeable(
                Main.GRID,
                Main.ARRANGED,
                Main.RESET_LAYOUT,
                [
                    panel(
                        "REAL-TIME BACKLINK DISCOVERY",
                        dbc.Row(
                            [
                                dbc.Col(_graph(Main.DISCOVERY_CHART, renders, 230), md=7),
                                dbc.Col(_graph(Main.DISCOVERY_RADAR, renders, 230), md=5),
                            ],
                            className="g-2",
                        ),
                        subtitle=["links found per minute · by target domain: ", *radar_key()],
                        extra_class="area-discovery",
                        panel_id=Main.PANEL_DISCOVERY,
                    ),
                    panel(
                        "API QUOTA STATUS",
                        _graph(Main.QUOTA_CHART, renders),
                        subtitle="used of free tier",
                        extra_class="area-quota",
                        panel_id=Main.PANEL_QUOTA,
                    ),
                    panel(
                        "MISSION TIMELINE & JOB STATUS",
                        _graph(Main.TIMELINE, renders),
                        subtitle=["active and last 6 h · ", zone_name()],
                        extra_class="area-timeline",
                        panel_id=Main.PANEL_TIMELINE,
                    ),
                    panel(
                        "MISSION CONTROL BOARD",
                        html.Div(
                            renders[Main.BOARD].full,
                            id=Main.BOARD,
                            className="board-grid",
                            style=renders[BOARD_VALUES].full,
                        ),
                        extra_class="area-board",
                        panel_id=Main.PANEL_BOARD,
                    ),
                    panel(
                        "SATELLITE FLEET",
                        html.Div(
                            [
                                html.Div(
                                    renders[Main.FLEET].full,
                                    id=Main.FLEET,
                                    className="fleet-grid",
                                    style=renders[FLEET_VALUES].full,
                                ),
                                fleet_commands(ctx, doc),
                            ],
                            className="fleet-body",
                        ),
                        extra_class="area-fleet",
                        panel_id=Main.PANEL_FLEET,
                    ),
                    panel(
                        "QUEUE DEPTH",
                        html.Div(
                            [
                                # First, so the panel's height never clips the commands.
                                queue_commands(ctx),
                                _graph(Main.QUEUE_GAUGE, renders, 200),
                                dcc.Graph(
                                    id=Main.QUEUE_TREND,
                                    figure=to_plain(figs.queue_trend(trend[-ctx.settings.queue_trend_points :])),
                                    config=GRAPH_CONFIG,
                                    className="mc-graph",
                                    style={"height": "calc(110px * var(--mc-graph-h))"},
                                ),
                                html.Div(renders[Main.QUEUE_DETAIL].full, id=Main.QUEUE_DETAIL),
                            ],
                            className="queue-body",
                        ),
                        extra_class="area-queue",
                        panel_id=Main.PANEL_QUEUE,
                    ),
                    panel(
                        "ERROR ALERTS",
                        html.Div(renders[Main.ERRORS].full, id=Main.ERRORS, className="error-panel"),
                        subtitle="critical failures needing attention",
                        extra_class="area-errors",
                        panel_id=Main.PANEL_ERRORS,
                    ),
                ],
                ARRANGEMENT,
            ),
            scrubber(ctx, live or {}, replayed),
        ],
    )

"""The NASA mission-control look shared by every figure: one Plotly template and a palette.

Dark navy background, electric blue / cyan / amber accents, monospace digits. Figures call
`themed(fig)` or build with `template=TEMPLATE` so a palette change is made here once.
"""

from __future__ import annotations

import plotly.graph_objects as go

BG = "#050b18"
PANEL = "#0b1628"
GRID = "#16263f"
TEXT = "#c9d6ea"
MUTED = "#6d7f99"
BLUE = "#2f8cff"
CYAN = "#00e5ff"
AMBER = "#ffb000"
RED = "#ff3b5c"
GREEN = "#2bd576"
VIOLET = "#a678ff"
SERIES = [CYAN, BLUE, AMBER, GREEN, VIOLET, RED, "#5ad1c9", "#ff7a45"]

STATUS_COLOURS = {
    "in_progress": CYAN,
    "active": CYAN,
    "queued": BLUE,
    "pending": BLUE,
    "completed": GREEN,
    "failed": RED,
    "cancelled": MUTED,
    "stopped": MUTED,
    "paused": AMBER,
    "idle": BLUE,
    "unresponsive": RED,
    "info": BLUE,
    "warning": AMBER,
    "critical": RED,
    "OK": GREEN,
    "Warning": AMBER,
    "Critical": RED,
}
MONO = "'JetBrains Mono', 'Fira Code', 'DejaVu Sans Mono', Menlo, Consolas, monospace"
SANS = "Inter, 'Segoe UI', 'DejaVu Sans', Roboto, Helvetica, Arial, sans-serif"

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=dict(family=SANS, color=TEXT, size=12),
        colorway=SERIES,
        margin=dict(l=40, r=16, t=28, b=32),
        xaxis=dict(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID, tickfont=dict(family=MONO, color=MUTED)),
        yaxis=dict(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID, tickfont=dict(family=MONO, color=MUTED)),
        polar=dict(
            bgcolor="rgba(0,0,0,0)",
            angularaxis=dict(gridcolor=GRID, linecolor=GRID, color=TEXT),
            radialaxis=dict(gridcolor=GRID, linecolor=GRID, tickfont=dict(family=MONO, color=MUTED)),
        ),
        legend=dict(bgcolor="rgba(0,0,0,0)", font=dict(color=TEXT)),
        hoverlabel=dict(bgcolor=PANEL, bordercolor=CYAN, font=dict(family=MONO, color=TEXT)),
        transition=dict(duration=300, easing="cubic-in-out"),
        uirevision="keep",
    )
)


# plotly.py validates every property as a figure is built; in the running app that was half of
# a page's render (the main screen 32.9 → 16.8 ms, the same JSON), paid once per snapshot version
# per web worker. The app builds figures unvalidated; the test suite turns validation on
# (tests/conftest.py) so a misspelt property still fails there, and tests/test_figure_validation.py
# checks that every page's first paint is the same either way.
VALIDATE = False


def figure(data=None, layout=None, **kwargs) -> go.Figure:
    """`go.Figure(data, layout, ...)`, validated only when VALIDATE is set (see above)."""
    return go.Figure(data, layout, _validate=VALIDATE, **kwargs)


# DejaVu Sans Mono (and the other MONO faces) advance 0.602 em per character.
MONO_EM = 0.61


def mono_margin(labels, size: int = 12, pad: int = 14) -> int:
    """A left margin that fits category labels drawn in MONO at `size` px. Computed instead of
    Plotly's `automargin`, which lays the whole figure out twice (measured: a third to a half
    of these bar charts' drawing time)."""
    longest = max((len(str(label)) for label in labels), default=0)
    return int(longest * size * MONO_EM + 0.999) + pad


def empty_figure(message: str, height: int | None = None) -> go.Figure:
    """A themed figure that says why there is nothing to plot (no data / source offline)."""
    fig = figure(layout=dict(template=TEMPLATE, height=height))
    fig.add_annotation(
        text=message, showarrow=False, font=dict(color=MUTED, size=14), x=0.5, y=0.5, xref="paper", yref="paper"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig

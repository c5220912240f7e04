"""Time elements of a page: UTC from the server, the viewer's zone in the browser.

Renders are cached per key and shared by every viewer of a process (`ui.live`), so the server
cannot write anybody's zone into them. It writes UTC and marks the element; assets/time.js
rewrites the marked text in the viewer's zone (or leaves it in UTC when the header's toggle
says so) and the title keeps the UTC time for hover:

- `when(value)`: `<span class="mc-time" data-utc="2026-11-29T22:00:00Z" data-unit="minute"
  title="2026-11-29 22:00:00 UTC">2026-11-29 22:00 UTC</span>`
- `zone_name()`: a span naming the zone in use ("UTC" until the browser says otherwise), for
  headers like "time (UTC)" of plain HTML tables.
- DataTable cells cannot hold elements: a column whose header ends with " (UTC)"
  (`ui.format.utc_label`) holds 'YYYY-MM-DD HH:MM' UTC text, and the browser shows those cells
  and that header in the viewer's zone; the table's data, and so its CSV export, stay UTC.
- Plotly date axes carry UTC (epoch ms or naive UTC text); the browser draws them shifted to the
  viewer's zone and names the zone where a hover template says UTC.
"""

from __future__ import annotations

from dash import html

from ui import format as fmt

TIME_CLASS = "mc-time"
ZONE_CLASS = "mc-tz-name"


def when(value, unit: fmt.TimeUnit = "minute", zone: bool = True, class_name: str = "mono") -> html.Span:
    """A time as a span the browser shows in the viewer's zone (UTC on hover). `zone`: the text
    ends with the zone's name (off where a column header names it); unknown times show '—'."""
    iso = fmt.utc_iso(value)
    if iso is None:
        return html.Span("—", className=class_name)
    text = fmt.utc_text(value, unit) + (" UTC" if zone else "")
    return html.Span(
        text,
        className=f"{TIME_CLASS} {class_name}".strip(),
        title=f"{fmt.utc_text(value, 'second')} UTC",
        **{"data-utc": iso, "data-unit": unit, "data-zone": "1" if zone else "0"},  # type: ignore[arg-type]
    )


def zone_name() -> html.Span:
    """The name of the zone times are shown in ("UTC" until the browser names the viewer's)."""
    return html.Span("UTC", className=ZONE_CLASS)

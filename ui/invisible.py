"""The page's text sink: no bidi controls or zero-width characters reach the browser.

React already escapes every string we put in a component, so crawled text cannot become
markup; but a right-to-left override can make `moc.elgoog` read as `google.com`, and a
zero-width space makes two satellite ids look the same. Rather than trusting every render to
strip them, every Dash response (the layout and each callback's update) passes through
`strip_from_json`, the one place for this sink. Our own page text never uses these
characters. The JSON API keeps the stored text unchanged: it is data, not display.
"""

from __future__ import annotations

import re

from common.textsafe import INVISIBLE_CHARACTERS

# Dash writes non-ASCII either raw (UTF-8) or as a JSON \\uXXXX escape: remove both forms.
_RAW = re.compile(f"[{INVISIBLE_CHARACTERS}]")
# An escape is `\\uXXXX` after an even run of backslashes (an odd run means the backslash
# itself was escaped and the text merely reads "u202e"); the run is kept.
_ESCAPED = re.compile(r"(?<!\\)((?:\\\\)*)\\u(?:202[a-eA-E]|206[6-9]|200[b-fB-F]|[fF][eE][fF][fF])")
DASH_PATHS = ("/_dash-layout", "/_dash-update-component")


def strip_from_json(body: bytes) -> bytes:
    """`body` (a Dash JSON response) without bidi controls and zero-width characters."""
    text = body.decode("utf-8")
    return _ESCAPED.sub(r"\1", _RAW.sub("", text)).encode("utf-8")


def install(server, prefix: str = "") -> None:
    """Strip them from every Dash response of `server` (routes under `prefix`)."""
    from flask import request

    paths = {prefix.rstrip("/") + p for p in DASH_PATHS}

    @server.after_request
    def strip_invisible(response):
        if request.path in paths and response.is_json and not response.direct_passthrough:
            response.set_data(strip_from_json(response.get_data()))
        return response

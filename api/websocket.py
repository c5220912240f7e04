"""The WebSocket server side for `/ws/mission-control`, on simple-websocket (wsproto).

Why simple-websocket, used directly: it works inside a WSGI request under werkzeug (`python
app.py`), gunicorn gthread and gunicorn gevent alike (it takes the connection's socket from the
WSGI environment), it is what flask-sock wraps, and it needs nothing else. flask-sock's own route
decorator is not used because two things must happen before the handshake, where its decorator
gives no hook:

- **whole writes**: simple-websocket writes a frame with one `socket.send`, which on a socket
  with a timeout (ours: the write timeout) or under gevent may write only part of a 40 KB
  document; a frame cut in two corrupts the connection. `_WholeSocket` makes every write a
  `sendall`, one at a time (the reader thread answers pings on the same socket).
- **no per-message compression**: browsers offer permessage-deflate; accepting it would
  compress the same document once per client per version, where the document is otherwise
  encoded once per process (api/notice_hub.py). The offer is dropped from the handshake.

Dead clients: a killed client's host closes its socket, the reader thread sees it at once and
`on_close` gives the slot back; a client that vanished without its host closing the socket
(cable cut, suspended laptop) stops answering pings, and the connection is closed after at most
2 × PING_S; a client that stops reading fails the next write after WRITE_TIMEOUT_S.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Response
from simple_websocket import ConnectionClosed, Server

# Ping every PING_S: a client that has not answered the previous ping by then is gone.
PING_S = 20
# Nothing a client may send us is large (Link Profiler's UI sends nothing).
MAX_MESSAGE_BYTES = 4096
# After our close frame, how long to wait for the client's (so the error frame is read before
# the socket closes).
CLOSE_WAIT_S = 2.0


class _WholeSocket:
    """The connection's socket with every send written whole, one at a time."""

    def __init__(self, sock):
        self._sock = sock
        self._lock = threading.Lock()

    def send(self, data) -> int:
        with self._lock:
            self._sock.sendall(data)
        return len(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


class Connection(Server):
    """A server-side WebSocket whose `on_close` runs as soon as the reader sees it end."""

    def __init__(self, environ, on_close: Callable[[], None], write_timeout_s: float):
        self.on_close = on_close
        environ = dict(environ)
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        for key in ("werkzeug.socket", "gunicorn.socket"):
            if key in environ:
                environ[key].settimeout(write_timeout_s)
                environ[key] = _WholeSocket(environ[key])
        super().__init__(environ, ping_interval=PING_S, max_message_size=MAX_MESSAGE_BYTES)

    def _thread(self):
        try:
            super()._thread()
        except ConnectionClosed:  # a ping due after we closed: the connection is over anyway
            pass
        finally:
            self.on_close()

    def drain(self) -> None:
        """Drop whatever the client sent (nothing is expected; the buffer must not grow)."""
        while self.input_buffer:
            self.input_buffer.pop(0)

    def refuse(self, frame: str, code: int) -> None:
        """Send `frame`, close with `code`, and wait briefly for the client's close frame."""
        try:
            self.send(frame)
            self.close(reason=code)
        except (ConnectionClosed, OSError):
            return
        self.thread.join(CLOSE_WAIT_S)


def websocket_response(ws: Connection | None) -> Response:
    """What the view returns once the WebSocket is over: nothing more may be written on the
    connection (the server's response was the handshake)."""
    mode = ws.mode if ws is not None else "unknown"

    class Done(Response):
        def __call__(self, environ, start_response):
            if mode == "gunicorn":
                raise StopIteration()  # gunicorn: the connection is closed, write nothing
            if mode == "werkzeug":
                return super().__call__(environ, start_response)
            return []

    return Done()

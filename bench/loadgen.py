"""Load generator for bench/viewers.py: browsers' requests from their own OS process, on asyncio.

    python bench/loadgen.py BASE_URL --mode poll|push|health --clients N --seconds S --out FILE.json
                            [--refresh-s 1.0] [--fetch] [--rate 5]

  poll    every viewer sends the main screen's refresh callback every --refresh-s, keeping the
          digests the server returned (what a tab does while it polls);
  push    every viewer holds `GET /api/v1/stream?only=version` and records, for each `version`
          notice, received − published_at; with --fetch it then sends the refresh callback
          after a random 0..--spread-ms wait, as the tab does after a notice (assets/push.js);
  health  N clients each GET /healthz --rate times a second.

Plain HTTP/1.1 on asyncio (keep-alive, one connection per viewer and purpose), so one process
holds a thousand viewers: callbacks and /healthz over asyncio streams, each version stream as an
asyncio.Protocol that parses the bytes where they arrive (StreamClient). Callbacks are sent with
`Accept-Encoding: gzip`, as a browser sends them. Bounded in time; only ever talks to BASE_URL
(loopback). Writes every sample to --out (JSON) for bench/viewers.py to summarise:
  callbacks  [start epoch s, client ms, body bytes as received (gzipped when the server gzipped),
              HTTP status, the viewer's request number (1 = its first fill), body bytes decoded]
  notices    [received epoch s, received − published_at ms, version]
  health     [start epoch s, client ms, HTTP status]
  lag        this process's event-loop lag samples, ms
  stream_bytes  bytes of the version streams' bodies as received (chunk framing included)
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import time
from collections import Counter
from urllib.parse import urlsplit

HELD = "main-digests.data"


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2**24)

    async def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        """(status, headers, body); reconnects once when the server closed the idle connection."""
        for attempt in (0, 1):
            if self.writer is None:
                await self.open()
            try:
                return await self._request(method, path, body, headers or {})
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _request(self, method, path, body, headers):
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        await self.writer.drain()
        status, head = await self.read_head()
        if head.get("transfer-encoding") == "chunked":
            data = b""
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
        else:
            data = await self.reader.readexactly(int(head.get("content-length", 0)))
        if head.get("connection", "").lower() == "close":
            self.close()
        return status, head, data

    async def read_head(self) -> tuple[int, dict]:
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        head = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            head[k.strip().lower()] = v.strip()
        return status, head

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Refresh:
    """The main screen's refresh callback as the browser sends it, from /_dash-dependencies."""

    def __init__(self, deps: list[dict]):
        cb = next(d for d in deps if HELD in d["output"])
        self.output = cb["output"]
        self.outputs = [
            {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in cb["output"].strip(".").split("...")
        ]
        self.inputs = cb["inputs"]
        self.state = cb["state"]

    def body(self, n: int, held: dict) -> bytes:
        inputs = [{"id": i["id"], "property": i["property"], "value": n} for i in self.inputs]
        state = [
            {"id": s["id"], "property": s["property"], "value": held if f"{s['id']}.{s['property']}" == HELD else None}
            for s in self.state
        ]
        return json.dumps(
            {
                "output": self.output,
                "outputs": self.outputs,
                "inputs": inputs,
                "state": state,
                "changedPropIds": [f"{i['id']}.{i['property']}" for i in self.inputs],
            }
        ).encode()


class Viewer:
    def __init__(self, host, port, refresh: Refresh | None, out: dict, spread_ms: float = 0.0):
        self.conn = Conn(host, port)
        self.spread_ms = spread_ms
        self.refresh = refresh
        self.held: dict = {}
        self.n = 0
        self.out = out
        self.task: asyncio.Task | None = None
        self.again = False

    def notify(self) -> None:
        """A notice: fetch now, or once more after the fetch in flight (one request at a time, as
        Dash sends a callback again when its input changed meanwhile)."""
        if self.task is not None and not self.task.done():
            self.again = True
            return
        self.task = asyncio.get_running_loop().create_task(self._fetch_until_current())

    async def _fetch_until_current(self) -> None:
        # As assets/push.js does: wait a random part of MC_PUSH_SPREAD_MS before asking.
        if self.spread_ms > 0:
            await asyncio.sleep(random.random() * self.spread_ms / 1000)
        self.again = True
        while self.again:
            self.again = False
            await self.fetch()

    async def fetch(self) -> None:
        assert self.refresh is not None
        self.n += 1
        started = time.time()
        try:
            # As every browser asks: the app gzips its JSON answers for clients that accept it.
            status, head, wire = await self.conn.request(
                "POST", "/_dash-update-component", self.refresh.body(self.n, self.held), {"Accept-Encoding": "gzip"}
            )
            data = gzip.decompress(wire) if head.get("content-encoding") == "gzip" else wire
        except Exception as exc:  # a benchmark counts errors, it does not stop on them
            self.out["errors"][f"callback {type(exc).__name__}"] += 1
            self.conn.close()
            return
        ms = (time.time() - started) * 1000
        if status == 200:
            self.held = json.loads(data)["response"].get("main-digests", {}).get("data", self.held)
        elif status != 204:
            self.out["errors"][f"callback HTTP {status}"] += 1
        # The viewer's first request carries the whole page (a first fill): n tells them apart.
        ok = status == 200
        self.out["callbacks"].append([started, ms, len(wire) if ok else 0, status, self.n, len(data) if ok else 0])


async def poll(viewer: Viewer, refresh_s: float, until: float) -> None:
    while time.time() < until:
        started = time.time()
        await viewer.fetch()
        await asyncio.sleep(max(0.0, refresh_s - (time.time() - started)))


class Chunked:
    """Decodes an HTTP/1.1 chunked body fed in arbitrary pieces (a TCP read may end anywhere:
    inside a chunk-size line, inside the data, between the data and its CRLF)."""

    def __init__(self):
        self.raw = bytearray()
        self.need = -1  # bytes of chunk data (+ its CRLF) still expected; -1: a size line is next
        self.ended = False

    def feed(self, data: bytes) -> bytes:
        """The body's bytes that `data` completes (the framing removed)."""
        self.raw += data
        body = bytearray()
        while not self.ended:
            if self.need < 0:
                eol = self.raw.find(b"\r\n")
                if eol < 0:
                    break
                size = int(bytes(self.raw[:eol]).split(b";")[0], 16)
                del self.raw[: eol + 2]
                if size == 0:
                    self.ended = True  # the last chunk: the server ended the stream
                    break
                self.need = size + 2
            if len(self.raw) < self.need:
                break
            body += self.raw[: self.need - 2]
            del self.raw[: self.need]
            self.need = -1
        return bytes(body)


class StreamEnded(ConnectionError):
    """The server sent the last chunk of a stream (a tab reconnects; the summary counts it)."""


class StreamClient(asyncio.Protocol):
    """One tab's `GET /api/v1/stream?only=version`, parsed where the bytes arrive.

    A notice is stamped on arrival (data_received), before any parsing, and costs one callback
    of the event loop, not a coroutine resumption per SSE line: with a thousand streams in this
    process, every notice arrives on all of them in the same few milliseconds, and the loop's own
    queue would otherwise become part of the measured delay."""

    def __init__(self, host: str, viewer: Viewer, fetch: bool):
        self.host, self.viewer, self.fetch = host, viewer, fetch
        self.out = viewer.out
        self.done: asyncio.Future = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.head = bytearray()
        self.status: int | None = None
        self.headers: dict = {}
        self.body = bytearray()  # a refusal's body (Content-Length), or SSE text not yet a whole event
        self.chunked: Chunked | None = None
        self.first = True

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(
            f"GET /api/v1/stream?only=version HTTP/1.1\r\nHost: {self.host}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )

    def connection_lost(self, exc) -> None:
        self._finish(exc or ConnectionError("stream closed"))

    def data_received(self, data: bytes) -> None:
        received = time.time()
        if self.status is None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            data = bytes(self.head[end + 4 :])
            self._parse_head(bytes(self.head[:end]))
        self.out["stream_bytes"] += len(data)  # the body as it came, chunk framing included
        if self.status != 200:
            self._refusal(data)
        elif self.chunked is not None:
            self._events(self.chunked.feed(data), received)
            if self.chunked.ended:
                self._finish(StreamEnded("the server ended the stream"))
        else:
            self._events(data, received)

    def _parse_head(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        for line in lines[1:]:
            k, _, v = line.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            self.chunked = Chunked()

    def _refusal(self, data: bytes) -> None:
        # Which refusal it was (the per-process bound or the deployment's cap) is in the JSON
        # error's text: keep its start so the summary says which one.
        self.body += data
        if len(self.body) >= int(self.headers.get("content-length", 0) or 0):
            self.out["errors"][f"stream HTTP {self.status}: {refusal_text(bytes(self.body))}"] += 1
            self._finish(None, refused=True)

    def _events(self, text: bytes, received: float) -> None:
        self.body += text
        *events, rest = self.body.split(b"\n\n")
        self.body = bytearray(rest)
        for event in events:
            if b"event: version" not in event:
                continue  # retry:, keepalive comments
            data = next((line[5:] for line in event.split(b"\n") if line.startswith(b"data:")), None)
            if data is None:
                continue
            notice = json.loads(data)
            published = notice.get("published_at")
            # The first notice of a connection is the version current at connect, not a publish.
            if published is not None and not self.first:
                self.out["notices"].append([received, received * 1000 - float(published), notice.get("version")])
            self.first = False
            if self.fetch:
                self.viewer.notify()

    def _finish(self, exc: BaseException | None, refused: bool = False) -> None:
        if not self.done.done():
            self.done.set_result((exc, refused))
        if self.transport is not None:
            self.transport.close()


async def push(viewer: Viewer, until: float, fetch: bool) -> None:
    """Hold the version stream; for each notice record its delay (and fetch the update).
    Reconnects as a tab does: 1 s after a refusal, 0.5 s after any other end or error."""
    loop = asyncio.get_running_loop()
    host, port = viewer.conn.host, viewer.conn.port
    out = viewer.out
    while time.time() < until:
        client: StreamClient | None = None
        try:
            _transport, client = await loop.create_connection(lambda: StreamClient(host, viewer, fetch), host, port)
            remaining = until - time.time()
            exc, refused = await asyncio.wait_for(client.done, timeout=max(0.01, remaining))
            if refused:
                await asyncio.sleep(1.0)
                continue
            raise exc
        except TimeoutError:
            break  # the window is over
        except Exception as exc:
            out["errors"][f"stream {type(exc).__name__}"] += 1
            await asyncio.sleep(0.5)
        finally:
            if client is not None and client.transport is not None:
                client.transport.close()


def refusal_text(body: bytes) -> str:
    """The start of a refusal's `error` text (or of its body when it is not our JSON)."""
    try:
        text = str(json.loads(body).get("error", ""))
    except (ValueError, AttributeError):
        text = body.decode("utf-8", "replace")
    return text[:60]


async def health(host, port, rate: float, until: float, out: dict) -> None:
    conn = Conn(host, port)
    while time.time() < until:
        started = time.time()
        try:
            status, _h, _d = await asyncio.wait_for(conn.request("GET", "/healthz"), timeout=5)
            out["health"].append([started, (time.time() - started) * 1000, status])
        except Exception as exc:
            out["errors"][f"healthz {type(exc).__name__}"] += 1
            conn.close()
        await asyncio.sleep(max(0.0, 1 / rate - (time.time() - started)))


async def loop_lag(until: float, out: dict) -> None:
    """How late this process's own event loop wakes (a 10 ms sleep's overshoot): a notice's delay
    includes it, so the summary shows it beside the delays (a busy load generator is not the server)."""
    while time.time() < until:
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        out["lag"].append((time.perf_counter() - started - 0.01) * 1000)


async def run(args) -> dict:
    parts = urlsplit(args.base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    out: dict = {"callbacks": [], "notices": [], "health": [], "lag": [], "errors": Counter(), "stream_bytes": 0}
    refresh = None
    if args.mode in ("poll", "push"):
        _status, _h, data = await Conn(host, port).request("GET", "/_dash-dependencies")
        refresh = Refresh(json.loads(data))
    until = time.time() + args.seconds
    out["window"] = [time.time(), until]
    tasks: list = [loop_lag(until, out)]
    for _i in range(args.clients):
        if args.mode == "health":
            tasks.append(health(host, port, args.rate, until, out))
        else:
            v = Viewer(host, port, refresh, out, args.spread_ms)
            tasks.append(poll(v, args.refresh_s, until) if args.mode == "poll" else push(v, until, args.fetch))
        if args.mode == "poll":  # spread the first requests over a tick, as tabs opened at random
            await asyncio.sleep(args.refresh_s / args.clients)
            tasks[-1] = asyncio.ensure_future(tasks[-1])
    await asyncio.gather(*tasks)
    out["errors"] = dict(out["errors"])
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base")
    p.add_argument("--mode", choices=("poll", "push", "health"), required=True)
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--refresh-s", type=float, default=1.0)
    p.add_argument("--rate", type=float, default=5.0)
    p.add_argument("--fetch", action="store_true", help="push mode: fetch the update after each notice")
    p.add_argument(
        "--spread-ms", type=float, default=800.0, help="push --fetch: as MC_PUSH_SPREAD_MS (the app's default)"
    )
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    # A thousand streams' notices arrive in the same few milliseconds; the client's own event
    # loop is part of each measured delay, so the faster loop is used where it is installed.
    try:
        import uvloop
    except ImportError:
        out = asyncio.run(run(args))
    else:
        out = uvloop.run(run(args))
    with open(args.out, "w") as f:
        json.dump(out, f)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Several instances, proven (issue 14): Debian's nginx with the deployment's configuration
(deploy/nginx/nginx.conf's upstream, the site template) in front of TWO instances, each
`gunicorn -c gunicorn.conf.py` with its own producer process, on one PostgreSQL and one Redis.

The instance whose producer holds the lease is killed outright (SIGKILL to every process of it)
while it is delivering an alert notice, and:
- the other instance's producer publishes within 5 s of the kill (the bound is the lease plus a
  standby's poll plus one build: producer.loop.takeover_bound_s, README "Several instances");
- SSE version streams and WebSocket clients through nginx that were on the dead instance
  reconnect (as a browser's EventSource and our tabs do: no reload) and receive the new
  leader's versions, like those that were on the survivor; so does a dashboard tab in Chromium
  whose version stream was on the dead instance, in the same document;
- the version never goes backwards: the published sequence is strictly increasing across the
  takeover, and no client ever sees a version lower than one it saw;
- no alert notice is lost or sent twice: the notice whose delivery the kill interrupted is
  delivered once by the survivor (after the dead deliverer's claim lapses), the alert is not
  fired again by the new leader, and an alert that became due while no producer was alive is
  delivered once.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import threading
import urllib.request
import time
from urllib.parse import urlsplit

import pytest
import websocket
from sqlalchemy import select

from alerts import tables
from data.bootstrap import create_lp_tables, create_mc_tables
from data.connections import make_engine, make_redis
from producer.loop import takeover_bound_s
from producer.snapshot_store import HISTORY_PREFIX
from tests.cluster import Instance, WebhookReceiver, tcp_connections_to, wait_for
from tests.conftest import SNAPSHOT_CHANNEL, _unavailable, isolated_env
from tests.nginx_proxy import Nginx, NginxUnavailable, compose_upstream
from prometheus_client.parser import text_string_to_metric_families

PREFIX = "/mc/"
REFRESH_MS = 1000  # the default refresh rate: the bound is proven for the default
TAKEOVER_LIMIT_S = 5.0  # the requirement
CLIENTS = 4  # of each kind; round robin puts half of them on each instance
RECONNECT_S = 1.0  # what the app's `retry:` tells an EventSource (max(1 s, refresh rate))
QUEUE_THRESHOLD = 5
HEARTBEATS_KEY = "crawler_heartbeats_sorted"
JOB_QUEUE_KEY = "crawl_jobs"


class Publishes(threading.Thread):
    """Every version published (Redis pub/sub on the deployment's notice channel), in order,
    with its producer (read from the version's stored document) and when it was published."""

    def __init__(self, redis_url: str):
        super().__init__(daemon=True)
        self.redis = make_redis(redis_url)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(SNAPSHOT_CHANNEL)
        self.seen: list[tuple[int, str | None, float]] = []  # (version, producer, published_at s)
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            message = self.pubsub.get_message(timeout=0.5)
            if message is None:
                continue
            notice = json.loads(message["data"])
            raw = self.redis.get(f"{HISTORY_PREFIX}{notice['version']}")
            producer = json.loads(raw)["mc"]["producer"] if raw else None
            self.seen.append((int(notice["version"]), producer, float(notice["published_at"]) / 1000))

    def producer_of(self, version: int) -> str | None:
        return next((p for v, p, _ in list(self.seen) if v == version), None)

    def stop(self) -> None:
        self._done.set()
        self.join(10)
        self.pubsub.close()
        self.redis.close()


class StreamClient(threading.Thread):
    """A viewer through nginx that reconnects whenever its stream ends, RECONNECT_S later.
    `connections`: per connection, the versions it received, in order."""

    def __init__(self, base: str, kind: str):
        super().__init__(daemon=True)
        self.kind = kind
        self.parts = urlsplit(base)
        self.connections: list[list[int]] = []
        self.producers: dict[int, str] = {}  # WebSocket documents name their producer
        self._done = threading.Event()
        self._closer = None

    def run(self) -> None:
        while not self._done.is_set():
            received: list[int] = []
            self.connections.append(received)
            # The instance died under us (reset, EOF, nginx's 502): reconnect.
            with contextlib.suppress(Exception):
                self._sse(received) if self.kind == "sse" else self._ws(received)
            self._done.wait(RECONNECT_S)

    def _sse(self, received: list[int]) -> None:
        conn = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=30)
        self._closer = conn.close
        conn.request("GET", PREFIX + "api/v1/stream?only=version")
        resp = conn.getresponse()
        if resp.status != 200:
            raise ConnectionError(resp.status)
        while not self._done.is_set():
            line = resp.fp.readline()
            if not line:
                return  # the stream ended
            if line.startswith(b"id: "):
                received.append(int(line[4:]))

    def _ws(self, received: list[int]) -> None:
        ws = websocket.create_connection(f"ws://{self.parts.netloc}{PREFIX}ws/mission-control", timeout=30)
        self._closer = ws.close
        while not self._done.is_set():
            frame = json.loads(ws.recv())
            if frame.get("type") in ("connection_established", "heartbeat"):
                continue
            received.append(int(frame["version"]))
            self.producers[int(frame["version"])] = frame["mc"]["producer"]

    def versions(self) -> list[int]:
        return [v for c in list(self.connections) for v in c]

    def stop(self) -> None:
        self._done.set()
        if self._closer is not None:
            with contextlib.suppress(Exception):
                self._closer()
        self.join(35)


def _get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as resp:
        return resp.status, dict(resp.headers), resp.read()


def _caching_and_compression(base: str) -> None:
    """Through the deployment's nginx: fingerprinted assets are cached for a year (immutable)
    and gzipped; the page, the API and an asset without its fingerprint are not kept."""
    status, headers, page = _get(base + PREFIX)
    assert status == 200 and "immutable" not in headers.get("Cache-Control", "")
    html = page.decode()
    suite = re.search(rf'src="({PREFIX}_dash-component-suites/[^"]+\.v[\w-]+m[0-9a-f]+\.min\.js)"', html)
    asset = re.search(rf'href="({PREFIX}assets/[^"?]+\.css)\?m=([\d.]+)"', html)
    assert suite and asset, html[:2000]
    year = "public, max-age=31536000, immutable"
    status, headers, _ = _get(base + suite[1], **{"Accept-Encoding": "gzip"})
    assert (status, headers["Cache-Control"], headers.get("Content-Encoding")) == (200, year, "gzip")
    status, headers, _ = _get(f"{base}{asset[1]}?m={asset[2]}", **{"Accept-Encoding": "gzip"})
    assert (status, headers["Cache-Control"]) == (200, year)
    assert _get(base + asset[1])[1]["Cache-Control"] == "no-cache"  # no fingerprint: revalidate
    assert _get(base + PREFIX + "api/v1/snapshot")[1]["Cache-Control"] == "no-store"


@pytest.fixture
def cluster(pg_url, redis_url, tmp_path):
    """Two instances behind nginx, a webhook receiver, the publish log. Yields a dict of them."""
    engine = make_engine(pg_url)
    create_lp_tables(engine, "M")  # Link Profiler's tables, empty: only the test's alerts fire
    create_mc_tables(engine)
    engine.dispose()
    receiver = WebhookReceiver(hold_first="queue_overflow")
    publishes = Publishes(redis_url)
    publishes.start()
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        **isolated_env(pg_url, redis_url),
        "MC_SIMULATE": "off",
        "WEB_CONCURRENCY": "1",
        "DASHBOARD_REFRESH_RATE": str(REFRESH_MS),
        "MC_URL_PREFIX": PREFIX,
        "LOG_LEVEL": "info",
        "ALERT_WEBHOOK_URL": receiver.url,
        "ALERT_QUEUE_OVERFLOW_THRESHOLD": str(QUEUE_THRESHOLD),
        # A dead deliverer's claim lapses after 8 s; an attempt may take 5 s.
        "ALERT_DELIVERY_TIMEOUT": "5",
        "ALERT_DELIVERY_LEASE": "8",
    }
    instances = [Instance(name, tmp_path, env) for name in ("a", "b")]
    proxy = None
    try:
        for instance in instances:
            instance.start()
        for instance in instances:
            instance.wait_listening()
        try:
            proxy = Nginx(
                tmp_path,
                PREFIX,
                "mission_control",
                http_block=compose_upstream([i.address for i in instances]),
            )
        except NginxUnavailable as exc:
            _unavailable("nginx", exc)
        proxy.start()
        logs = lambda: "\n".join(i.log()[-2500:] for i in instances)  # noqa: E731
        # Both producers run (one leads, one stands by) and a snapshot is out.
        for instance in instances:
            wait_for(f"{instance.name}'s producer running", lambda i=instance: "running: lease" in i.log(), 120, logs)
        wait_for("a first version", lambda: publishes.seen, 120, logs)
        yield {"instances": instances, "proxy": proxy, "receiver": receiver, "publishes": publishes, "logs": logs}
    finally:
        if proxy is not None:
            proxy.stop()
        for instance in instances:
            instance.stop()
        publishes.stop()
        receiver.stop()


def _notice_streams(instance: Instance) -> int:
    """Version streams (SSE, only=version) open on `instance` now, from its own /metrics."""
    text = _get(f"http://{instance.address}/metrics")[2].decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "mc_stream_connections" and sample.labels.get("kind") == "sse_notices":
                return int(sample.value)
    return 0


def _producing(instances: list[Instance], publishes: Publishes) -> Instance:
    producer = publishes.seen[-1][1]
    assert producer is not None
    return next(i for i in instances if i.owns(int(producer.split(":")[1])))


def _open_tab_on(chrome, url: str, wanted: Instance, instances: list[Instance], logs) -> None:
    """Open `url` until the tab's version stream is on `wanted` (its count is one above the
    test's own SSE clients there); at most 10 tries."""
    own = {i.name: _notice_streams(i) for i in instances}
    for _ in range(10):
        chrome.get(url)
        wait_for("the tab streaming", lambda: (chrome.execute_script(TAB_STATE) or {}).get("streaming"), 60, logs)
        # The previous page's stream is gone and this one is counted: one more in all.
        counts = wait_for(
            "the tab's stream counted",
            lambda: (
                (c := {i.name: _notice_streams(i) for i in instances})
                and sum(c.values()) == sum(own.values()) + 1
                and c
            ),
            30,
            logs,
        )
        if counts[wanted.name] == own[wanted.name] + 1:
            return
        # A navigation asks nginx a fixed number of times (its assets are cached for good), so
        # the stream would land on the same instance every time: one request moves the turn.
        _get(url + "healthz")
    raise AssertionError("the tab's stream never landed on the producing instance in 10 tries")


# The tab's push state (assets/push.js), and whether this is still the document the test opened.
TAB_STATE = """
const p = window.mcPush;
return p ? {same: window.__mcSameDocument === true, streaming: p.streaming, version: p.lastVersion,
            connects: p.connects} : null;
"""


@pytest.mark.browser
def test_kill_the_producing_instance(cluster, pg_url, redis_url, chrome):
    instances, proxy, receiver = cluster["instances"], cluster["proxy"], cluster["receiver"]
    publishes: Publishes = cluster["publishes"]
    logs = cluster["logs"]
    redis = make_redis(redis_url)
    engine = make_engine(pg_url)
    # sse, ws, ws, sse, sse, ws, …: round robin alternates instances, so each kind is on both.
    clients = [StreamClient(proxy.base, ("sse", "ws")[(i + 1) // 2 % 2]) for i in range(2 * CLIENTS)]
    try:
        for client in clients:  # one at a time, so round robin alternates them between instances
            client.start()
            wait_for(f"{client.kind} client's first version", client.versions, 60, logs)

        _caching_and_compression(proxy.base)
        # A dashboard tab through nginx whose version stream is on the producing instance (the
        # page is opened again until round robin puts it there); marked so a reload would show.
        _open_tab_on(chrome, proxy.base + PREFIX, _producing(instances, publishes), instances, logs)
        chrome.execute_script("window.__mcSameDocument = true;")

        # Nothing opens a database connection before the fork: gunicorn's masters hold none,
        # the producers do.
        pg_port = urlsplit(pg_url).port or 5432
        for instance in instances:
            assert tcp_connections_to(instance.proc.pid, pg_port) == 0
        producing = publishes.seen[-1][1]
        assert producing is not None and tcp_connections_to(int(producing.split(":")[1]), pg_port) >= 1

        # An alert: the job queue over its threshold. The leader's delivery of its notice is
        # held by the receiver, and the leader is killed while it waits for the answer.
        redis.lpush(JOB_QUEUE_KEY, *[f"job-{i}" for i in range(QUEUE_THRESHOLD + 10)])
        wait_for("the queue_overflow notice sent", receiver.held.is_set, 60, logs)
        last_version, leader, _ = publishes.seen[-1]
        assert leader is not None
        leader_pid = int(leader.split(":")[1])
        victim = next(i for i in instances if i.owns(leader_pid))
        survivor = next(i for i in instances if i is not victim)
        killed_at = victim.kill()
        # An alert due while no producer is alive: a satellite whose heartbeat is 2 minutes old.
        redis.zadd(HEARTBEATS_KEY, {"sat-failover": time.time() - 120})
        receiver.release()  # the held request's sender is gone: it never gets an answer

        # Takeover: the survivor's producer publishes, within 5 s of the kill.
        def successor():
            return next(((v, p, at) for v, p, at in list(publishes.seen) if p not in (None, leader)), None)

        first_version, new_leader, published_at = wait_for("a publish by another producer", successor, 60, logs)
        assert survivor.owns(int(new_leader.split(":")[1])), (new_leader, survivor.name)
        takeover_s = published_at - killed_at
        print(f"takeover: {takeover_s:.2f} s after the kill (bound {takeover_bound_s(REFRESH_MS):.2f} s)")
        assert takeover_s < TAKEOVER_LIMIT_S, f"takeover took {takeover_s:.2f} s"
        assert first_version > last_version

        # Requests keep being answered: one sent to the dead instance goes to the next.
        for _ in range(6):
            assert _get(proxy.base + PREFIX + "api/v1/snapshot")[0] == 200

        # Every viewer, wherever it was, gets the new leader's versions without a reload.
        def all_follow():
            return all(any(v >= first_version for v in c.versions()) for c in clients)

        wait_for("every client receiving the new leader's versions", all_follow, 60, logs)

        # The tab too, in the same document (its stream reopened if it was on the dead instance).
        def tab_follows():
            state = chrome.execute_script(TAB_STATE) or {}
            return state if state.get("streaming") and (state.get("version") or 0) >= first_version else None

        tab = wait_for("the tab following the new leader", tab_follows, 60, logs)
        assert tab["same"], "the tab was reloaded"
        assert tab["connects"] >= 2  # its stream was on the dead instance: EventSource reopened it
        moved = {kind: [c for c in clients if c.kind == kind and len(c.connections) > 1] for kind in ("sse", "ws")}
        assert moved["sse"] and moved["ws"], {k: len(v) for k, v in moved.items()}  # some were on the victim
        for client in clients:
            if client.kind == "ws":
                assert {client.producers[v] for v in client.versions() if v >= first_version} == {new_leader}

        # The published sequence only grows, through the takeover.
        versions = [v for v, _, _ in list(publishes.seen)]
        assert versions == sorted(set(versions)), versions
        # No client sees a version go back: strictly increasing on each connection; a reconnect
        # may repeat the last one it saw (the current version is sent on connect), never less.
        for client in clients:
            for received in client.connections:
                assert received == sorted(set(received)), (client.kind, client.connections)
            flat = client.versions()
            assert flat == sorted(flat), (client.kind, client.connections)

        # Alerts: every notice row delivered (so nothing is left to send), each answered once.
        o = tables.outbox

        def all_delivered():
            with engine.connect() as conn:
                rows = conn.execute(select(o.c.id, o.c.status)).all()
            return rows if len(rows) == 2 and {s for _, s in rows} == {"delivered"} else None

        rows = wait_for("both notices delivered", all_delivered, 90, logs)
        queue = receiver.of_type("queue_overflow")
        satellite = receiver.of_type("satellite_failure")
        # The interrupted delivery, then the survivor's, of the same notice; no second notice.
        assert [r["outcome"] for r in queue] == ["interrupted", "answered"], queue
        assert len({r["notice"] for r in queue}) == 1 and queue[0]["events"] == ["firing"]
        assert [r["outcome"] for r in satellite] == ["answered"] and satellite[0]["events"] == ["firing"]
        answered = [r["notice"] for r in receiver.records if r["outcome"] == "answered"]
        assert sorted(answered) == sorted(r[0] for r in rows)  # each row answered exactly once
    finally:
        for client in clients:
            client.stop()
        redis.close()
        engine.dispose()

"""The Queues page's dead-letter commands through Dash's own HTTP endpoints (as the browser
calls them), on PostgreSQL + Redis, signed in through a trusted proxy's header: a viewer sees
Retry / Purge disabled with the reason and a forged retry is refused and audited; an operator's
retry moves the entry back onto the job queue without its two dead-letter fields and is
audited under the user's name; purge all empties the queue; hostile entry text stays text."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app import create_app
from commands import audit
from commands.settings import CommandSettings
from data.queue_entries import entry_id
from pages.queues.ids import QueueIds as Q
from tests.conftest import build_services
from tests.dataset import NOW
from tests.test_auth import PROXY, auth_settings
from tests.test_command_controls import _callback, _layout, _prop

pytestmark = pytest.mark.integration

HOSTILE = '=HYPERLINK("http://evil.example","x")\u202e\n<img src=x id=pwned onerror=alert(1)>'
HOST = "dead"
OUTCOME, CONFIRM, PENDING, REASON = (f"{HOST}-cmd-{p}" for p in ("outcome", "confirm", "pending", "reason"))


def _dead(job_id: str, reason: str) -> str:
    """A failed job as Link Profiler's crawl service dead-letters it."""
    doc = {
        "id": job_id,
        "job_type": "backlink_discovery",
        "target_url": f"https://{job_id}.example/",
        "status": "failed",
        "priority": 7,
        "errors_count": 3,
        "error_log": ["timeout"],
        "dead_letter_reason": reason,
        "dead_letter_timestamp": (NOW - timedelta(minutes=4)).isoformat(),
    }
    return json.dumps(doc)


@pytest.fixture
def world(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M", auth=auth_settings(), commands=CommandSettings(observe_s=0.0))
    app = create_app(services.settings, services=services, start_background=False)
    keys = services.settings.redis_keys
    entries = [_dead("job-evil", HOSTILE), _dead("job-plain", "Crawl timeout")]
    services.redis.lpush(keys.dead_letter, *reversed(entries))  # newest first: job-evil at the head
    yield app, services, entries
    app.server.extensions["mission_control"].stop()
    services.dispose()


def _client(app, name: str, role: str | None):
    """A browser behind the trusted proxy, signed in as `name` (with `role`; none: a viewer),
    carrying the CSRF token the page's first response sets (as Dash's renderer does)."""
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    client.environ_base["HTTP_X_FORWARDED_USER"] = name
    if role:
        client.environ_base["HTTP_X_FORWARDED_ROLE"] = role
    layout = _layout(client, "/queues")
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None
    client.environ_base["HTTP_X_CSRFTOKEN"] = cookie.value
    return client, layout


def _labels(node) -> list[tuple]:
    """(text, target, disabled, title) of the dead-letter command buttons, in page order
    (target "": the entry picked)."""
    if isinstance(node, list):
        return [label for item in node for label in _labels(item)]
    if not isinstance(node, dict):
        return []
    props = node.get("props", {})
    ident = props.get("id")
    if isinstance(ident, dict) and ident.get("type") == "mc-cmd" and ident.get("host") == HOST:
        return [(props["children"], ident["target"], props["disabled"], props["title"])]
    return [label for value in props.values() for label in _labels(value)]


def _show_dead_letters(client, app, changed: str = f"{Q.QUEUE}.value") -> dict:
    """The Queues page's refresh with the dead letters picked, fired by `changed`."""
    inputs = [
        _prop("mc-version", "data", None),
        _prop(Q.QUEUE, "value", "dead_letter"),
        _prop(Q.PREV, "n_clicks", 0),
        _prop(Q.NEXT, "n_clicks", 0),
        _prop(OUTCOME, "children", None),
    ]
    return _callback(client, app, changed, inputs, [_prop(Q.OFFSET, "data", 0)], changed)


def _ask(client, app, target: str, picked: str | None, name: str = "dead_letters_retry") -> dict:
    button = {"type": "mc-cmd", "host": HOST, "name": name, "target": target}
    pattern = json.dumps({**button, "name": ["ALL"], "target": ["ALL"]}, sort_keys=True, separators=(",", ":"))
    return _callback(
        client,
        app,
        f"{pattern}.n_clicks",
        [[_prop(button, "n_clicks", 1)]],
        [_prop(Q.DEAD_PICK, "value", picked)],
        json.dumps(button, sort_keys=True, separators=(",", ":")) + ".n_clicks",
    )


def _run(client, app, pending: dict, reason: str | None = None) -> str:
    done = _callback(
        client,
        app,
        f"{CONFIRM}.submit_n_clicks",
        [_prop(CONFIRM, "submit_n_clicks", 1)],
        [_prop(PENDING, "data", pending), _prop(REASON, "value", reason)],
        f"{CONFIRM}.submit_n_clicks",
    )
    return done[OUTCOME]["children"]


def test_a_viewer_sees_the_reason_and_a_forged_retry_is_refused(world):
    app, services, entries = world
    client, layout = _client(app, "vera", None)
    why = "retry (dead_letters_retry) needs the operator role; vera (proxy) is a viewer"
    purge_why = "purge (dead_letters_purge) needs the operator role; vera (proxy) is a viewer"
    assert _labels(layout) == [
        ("Retry", "", True, why),
        ("Purge", "", True, purge_why),
        ("Retry all", "all", True, why),
        ("Purge all", "all", True, purge_why),
    ]
    assert f"{why}; {purge_why}" in json.dumps(layout, ensure_ascii=False)  # the visible note says it too

    wanted = entry_id(entries[0])
    asked = _ask(client, app, "", wanted)
    assert asked[OUTCOME]["children"] == f"⊘ Retry: {why}"
    assert asked[CONFIRM]["displayed"] is False  # no confirmation is offered
    # A confirmation forged without the dialog is refused by the runner, and audited.
    line = _run(client, app, {"name": "dead_letters_retry", "target": wanted})
    assert line == f"⊘ Retry {wanted}: {why}"
    assert services.redis.lrange(services.settings.redis_keys.dead_letter, 0, -1) == entries
    [record] = audit.page(services.mc_engine, audit.AuditFilter())[0]
    assert (record["user"], record["action"], record["target"], record["result"]) == (
        "vera",
        "dead_letters_retry",
        wanted,
        "refused",
    )


def test_an_operator_retries_one_entry_and_purges_the_rest(world):
    app, services, entries = world
    keys = services.settings.redis_keys
    client, layout = _client(app, "otto", "operator")
    assert [(text, target, disabled) for text, target, disabled, _title in _labels(layout)] == [
        ("Retry", "", False),
        ("Purge", "", False),
        ("Retry all", "all", False),
        ("Purge all", "all", False),
    ]

    shown = _show_dead_letters(client, app)
    assert shown[Q.DEAD_COMMANDS]["style"] == {}
    options = shown[Q.DEAD_PICK]["options"]
    # The picker names each entry by its id; its label is one plain line, cut (never markup).
    assert [o["value"] for o in options] == [entry_id(e) for e in entries]
    assert options[0]["label"] == '#1 · job job-evil · =HYPERLINK("http://evil.example","x") <…'
    assert options[1]["label"] == "#2 · job job-plain · Crawl timeout"
    rows = shown[Q.TABLE]["data"]
    # A table cell: text, without the bidi control that would reorder it.
    assert rows[0]["reason"] == HOSTILE.replace("\u202e", "") and rows[0]["entry"] == entry_id(entries[0])

    wanted = entry_id(entries[0])
    asked = _ask(client, app, "", wanted)
    assert asked[CONFIRM]["displayed"] is True
    assert asked[CONFIRM]["message"].startswith(
        f"Dead letter {wanted} will be put back on the job queue without its dead-letter reason"
    )
    line = _run(client, app, asked[PENDING]["data"], reason="timeouts fixed")
    assert line == f"✓ Retry {wanted}: 1 put back on {keys.job_queue} · seen: 1 dead letters left; 1 jobs queued"
    [(raw, score)] = services.redis.zrange(keys.job_queue, 0, -1, withscores=True)
    doc = json.loads(raw)
    assert "dead_letter_reason" not in doc and "dead_letter_timestamp" not in doc
    assert (doc["id"], doc["status"], doc["errors_count"], score) == ("job-evil", "pending", 0, 7.0)
    assert services.redis.lrange(keys.dead_letter, 0, -1) == entries[1:]
    [record] = audit.page(services.mc_engine, audit.AuditFilter(result="ok"))[0]
    assert (record["user"], record["action"], record["target"], record["result"], record["reason"]) == (
        "otto",
        "dead_letters_retry",
        wanted,
        "ok",
        "timeouts fixed",
    )
    # A second retry of it (a stale pick, another operator was first) moves nothing else.
    assert _run(client, app, asked[PENDING]["data"]) == (
        f"✗ Retry {wanted}: that dead letter is no longer in the queue (retried or purged meanwhile)"
    )
    assert services.redis.zcard(keys.job_queue) == 1
    # The outcome re-reads the page: the entry retried is gone from the picker.
    after = _show_dead_letters(client, app, changed=f"{OUTCOME}.children")
    assert [o["value"] for o in after[Q.DEAD_PICK]["options"]] == [entry_id(entries[1])]

    asked = _ask(client, app, "all", None, "dead_letters_purge")
    assert asked[CONFIRM]["message"].startswith("Every dead letter will be deleted from the dead-letter queue")
    assert _run(client, app, asked[PENDING]["data"]) == (
        f"✓ Purge all: 1 deleted from {keys.dead_letter} · seen: 0 dead letters left; 1 jobs queued"
    )
    assert services.redis.exists(keys.dead_letter) == 0


def test_a_retry_with_no_entry_picked_asks_for_one(world):
    app, _services, _entries = world
    client = _client(app, "otto", "operator")[0]
    assert _ask(client, app, "", None)[OUTCOME]["children"] == "choose a dead letter first"


def test_a_click_on_a_row_picks_its_dead_letter(world):
    app, _services, entries = world
    client = _client(app, "otto", "operator")[0]
    rows = _show_dead_letters(client, app)[Q.TABLE]["data"]
    picked = _callback(
        client,
        app,
        f"{Q.TABLE}.active_cell",
        [_prop(Q.TABLE, "active_cell", {"row": 1, "column": 3, "column_id": "target_url"})],
        [_prop(Q.TABLE, "data", rows)],
        f"{Q.TABLE}.active_cell",
    )
    assert picked[Q.DEAD_PICK]["value"] == entry_id(entries[1])

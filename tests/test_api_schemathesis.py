"""Schemathesis against the real app: every operation of the OpenAPI description
(api/openapi.py) is called with generated valid and invalid input (schemathesis' examples,
coverage and fuzzing phases), and every answer must be a non-5xx of a documented status and
content type, matching its documented schema; input the description rules out must be refused
with a 4xx.

Two runs: the embedded default (SQLite + in-process Redis) and PostgreSQL + Redis through the
suite's isolated fixtures. Each app is built without background threads and ticked once by hand,
so a snapshot exists. Generation is derandomized and bounded: a run is the same every time.

Why not `schemathesis.pytest.from_fixture(...).parametrize()`: its per-operation node ids use a
pytest attribute that pytest 9 no longer has, so the same per-operation tests it builds
(`get_all_tests`) are run here, each operation's failures reported together.
"""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from api.openapi import OPENAPI_PATH
from tests import dataset
from tests.conftest import build_services, ticked_app
from tests.dataset import NOW

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
# Bounded and derandomized: the same cases every run, well under a minute for both backends.
FUZZ = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)


def _run_schemathesis(services) -> None:
    dataset.load(services)
    with ticked_app(services, NOW) as (app, _ctx, _loop):
        schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, app.server)
        # The streams never end: described, but not fuzzed (tests/test_hostile_stream.py has them).
        schema = schema.exclude(path_regex=r"(/api/v1/stream|/ws/)")

        def call(case):
            # A client on this host (werkzeug's bare test client sets no peer address), so the
            # writes pass the write rule and reach their handlers.
            case.call_and_validate(checks=CHECKS, environ_base=LOOPBACK)

        failures, ran = [], []
        for result in get_all_tests(schema=schema, test_func=call, settings=FUZZ, given_kwargs={}):
            assert isinstance(result, Ok), f"the OpenAPI description is invalid: {result.err()}"
            operation, test = result.ok()
            ran.append(operation.label)
            try:
                test()
            except (Exception, BaseExceptionGroup) as exc:  # a check failed: keep going, report every operation at once
                failures.append(f"{operation.label}:\n{exc}")
        assert len(ran) >= 10, ran
        assert not failures, f"{len(failures)} of {len(ran)} operations failed:\n\n" + "\n\n".join(failures)


def test_embedded_default_conforms_to_its_openapi(tmp_path):
    services = build_services(f"sqlite:///{tmp_path / 'lp.db'}", f"memory://{uuid.uuid4().hex}")
    try:
        _run_schemathesis(services)
    finally:
        services.dispose()


@pytest.mark.integration
def test_postgres_and_redis_conform_to_the_openapi(pg_url, redis_url):
    services = build_services(pg_url, redis_url, "M")
    try:
        _run_schemathesis(services)
    finally:
        services.dispose()

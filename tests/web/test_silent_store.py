"""A PostgreSQL server that goes silent (packets swallowed, nothing refused) is a fast 503, not a hang."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from application.config import Settings
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from bootstrap.read_side import build_runners, open_read_store
from tests.audit.conftest import file_complaints
from tests.web.conftest import COMPLAINT, ROOT, ROOT_SECURITY
from tests.web.tcp_proxy import CuttableProxy, proxied
from web.app import create_app

LIMIT_SECONDS = 5.0
"""The README's promise: a 503 within a few seconds."""


@pytest.fixture
def silent(fresh_postgres_url: str) -> Iterator[tuple[CuttableProxy, str]]:
    ledger = build_ledger(Settings(database_url=fresh_postgres_url), create_tables=True)
    store = open_read_store(ledger.settings)
    for runner in build_runners(ledger, store):
        runner.setup()
    store.close()
    ledger.close()
    with proxied(fresh_postgres_url) as (proxy, url):
        yield proxy, url


def _timed(call: Any) -> tuple[Any, float]:
    """Run ``call`` in a thread; its result and how long it took, or a failure if it is still waiting."""
    done: list[Any] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: done.append(call()), daemon=True)
    worker.start()
    worker.join(LIMIT_SECONDS + 5)
    assert done, f"no answer within {LIMIT_SECONDS + 5:.0f} s"
    return done[0], time.monotonic() - started


def test_a_silent_database_is_a_fast_503_and_the_service_recovers(silent: tuple[CuttableProxy, str]) -> None:
    proxy, url = silent
    ledger: CaseLedger = build_ledger(Settings(database_url=url))
    ledger.add_user(ROOT, "clerk", "clerk", "clerk", "受理窗口")
    _, token = ledger.issue_token(ROOT_SECURITY, "clerk", "silence")
    client = create_app(ledger, {"TESTING": True}).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    filed = client.post("/api/complaints", json=COMPLAINT, headers=headers | {"Idempotency-Key": "silent-1"})
    assert filed.status_code == 201, filed.get_json()
    case = filed.get_json()["id"]
    for path in ("/api/health", f"/api/cases/{case}", "/api/cases"):
        assert client.get(path, headers=headers).status_code == 200, path

    proxy.pause()
    try:
        for path in ("/api/health", f"/api/cases/{case}", "/api/cases"):
            response, elapsed = _timed(lambda p=path: client.get(p, headers=headers))
            assert response.status_code == 503, (path, response.get_json())
            assert response.content_type == "application/problem+json"
            assert elapsed < LIMIT_SECONDS, f"{path} answered after {elapsed:.1f} s"
            print(f"{path}: 503 after {elapsed:.2f} s: {response.get_json()['detail']}")
    finally:
        proxy.resume()

    deadline = time.monotonic() + 30
    while client.get("/api/health").status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.2)
    assert client.get(f"/api/cases/{case}", headers=headers).status_code == 200
    assert client.get("/api/cases", headers=headers).status_code == 200
    ledger.close()


def test_a_projection_worker_notices_a_silent_database_and_catches_up_after_it(
    silent: tuple[CuttableProxy, str], fresh_postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = silent
    direct = build_ledger(Settings(database_url=fresh_postgres_url))
    ledger = build_ledger(Settings(database_url=url))
    store = open_read_store(ledger.settings)
    runner = next(r for r in build_runners(ledger, store) if r.name == "case_index")
    runner.setup()
    stop = threading.Event()
    follower = threading.Thread(target=runner.run_forever, args=(stop, 0.2), daemon=True)
    follower.start()
    try:
        assert runner.wait_for(direct.log_position(), 10)
        proxy.pause()
        started = time.monotonic()
        while not any("unavailable" in r.getMessage() for r in caplog.records):
            assert time.monotonic() - started < LIMIT_SECONDS + 5, "the follower waits on the silent server"
            time.sleep(0.1)
        print(f"follower noticed the silence after {time.monotonic() - started:.2f} s")
        file_complaints(direct, 1, prefix="while-silent")
    finally:
        proxy.resume()
    head = direct.log_position()
    assert runner.wait_for(head, 30), "the follower did not catch up after the silence"
    stop.set()
    follower.join(30)
    store.close()
    ledger.close()
    direct.close()

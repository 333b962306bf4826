"""With PostgreSQL gone, requests fail fast with 503 problems; when it returns, the service recovers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from application.config import Settings
from bootstrap.ledger import build_ledger
from tests.web.conftest import ROOT, ROOT_SECURITY
from tests.web.tcp_proxy import CuttableProxy
from web.app import create_app

OUTAGE_LIMIT_SECONDS = 5.0


@pytest.fixture
def proxy(fresh_postgres_url: str) -> Iterator[tuple[CuttableProxy, str]]:
    parts = urlsplit(fresh_postgres_url)
    proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    proxy.start()
    yield proxy, urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    proxy.cut()


def test_an_outage_is_a_fast_503_and_the_service_recovers(proxy: tuple[CuttableProxy, str]) -> None:
    cut, url = proxy
    ledger = build_ledger(Settings(database_url=url), create_tables=True)
    ledger.add_user(ROOT, "sup", "sup", "supervisor", "监督小组")
    _, token = ledger.issue_token(ROOT_SECURITY, "sup", "outage")
    client = create_app(ledger, {"TESTING": True}).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/health").status_code == 200

    cut.cut()
    for path in ("/api/health", "/api/cases/" + "0" * 32):
        started = time.monotonic()
        response = client.get(path, headers=headers)
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.get_json()
        assert response.content_type == "application/problem+json"
        assert response.headers["Retry-After"]
        assert "Connection refused" in response.get_json()["detail"], "the detail names the cause"
        assert elapsed < OUTAGE_LIMIT_SECONDS, f"{path} took {elapsed:.1f} s"
        print(f"{path}: 503 after {elapsed:.2f} s")

    cut.start()
    deadline = time.monotonic() + 30
    while client.get("/api/health").status_code != 200:
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.2)
    assert client.get("/api/cases/" + "0" * 32, headers=headers).status_code == 404
    ledger.close()

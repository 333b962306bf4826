"""``caseledger serve`` as a client meets it: real gunicorn on a free port, spoken to over raw sockets."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from application.config import Settings
from bootstrap.ledger import build_ledger
from domain.actor import Role
from domain.complaint import ComplaintStatus
from domain.kinds import ComplaintCategory
from tests.web.conftest import COMPLAINT, ROOT, ROOT_SECURITY
from tests.web.served import (
    FIVE_LONG_FILTERS,
    THREE_CHINESE_FILTERS,
    WIDEST,
    Reply,
    exchange,
    get,
    initialise,
    longest_target,
    project,
    served,
)
from web.serving import REQUEST_LINE_LIMIT


@dataclass
class Service:
    port: int
    clerk: str
    statistician: str


def _store_with_users(directory: Path) -> tuple[str, str, str]:
    url = f"sqlite:///{directory / 'ledger.sqlite3'}"
    initialise(url)
    ledger = build_ledger(Settings(database_url=url))
    ledger.add_user(ROOT, "clerk", "clerk", Role.CLERK, "受理窗口")
    ledger.add_user(ROOT, "statistician", "statistician", Role.STATISTICIAN, "党政办")
    clerk = ledger.issue_token(ROOT_SECURITY, "clerk", "tests")[1]
    statistician = ledger.issue_token(ROOT_SECURITY, "statistician", "tests")[1]
    ledger.close()
    project(url)  # so that a read waiting for a position of the log as it stands finds it reached
    return url, clerk, statistician


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    directory = tmp_path_factory.mktemp("served")
    url, clerk, statistician = _store_with_users(directory)
    options = ("--workers", "1", "--threads", "4", "--no-projections")
    with served(url, directory, *options, CASELEDGER_FAILED_AUTH_PER_MINUTE="1000000") as port:
        yield Service(port, clerk, statistician)


def _post(token: str | None, content_type: str, body: bytes) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (
        f"POST /api/complaints HTTP/1.1\r\nHost: test\r\n{auth}Content-Type: {content_type}\r\n"
        f"Idempotency-Key: keep-alive\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def test_a_request_after_a_post_refused_before_its_body_was_read_is_answered_at_once(service: Service) -> None:
    # The body is larger than what gunicorn reads with the headers (8 KiB), so part of it is still
    # unread when the refusal is sent: before the fix, the GET that followed stalled for the keep-alive
    # timeout (2 s) in 8 to 24 of 40 pairs and the connection closed without answering it.
    body = json.dumps({**COMPLAINT, "description": "占道经营" * 1500}, ensure_ascii=False).encode()
    oversize = b" " * (300 * 1024)
    refusals = [
        (_post(None, "application/json", body), 401, "unauthenticated"),
        (_post(service.statistician, "application/json", body), 403, "forbidden"),
        (_post(service.clerk, "text/plain", body), 415, "unsupported-media-type"),
        (_post(service.clerk, "application/json", oversize), 413, "payload-too-large"),
    ]
    slow = []
    for pair in range(40):
        request, status, slug = refusals[pair % len(refusals)]
        with socket.create_connection(("127.0.0.1", service.port), timeout=5) as sock:
            refused = exchange(sock, request)
            assert (refused.status, refused.json()["type"]) == (status, f"urn:caseledger:problem:{slug}")
            assert refused.headers["connection"] == "keep-alive"
            sock.settimeout(1)
            started = time.monotonic()
            try:
                answer: Reply | str = exchange(sock, b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
            except (TimeoutError, ConnectionError) as error:
                answer = repr(error)
            if not isinstance(answer, Reply) or answer.status != 200:
                slow.append((pair, status, answer, round(time.monotonic() - started, 2)))
    assert slow == []


def test_three_filters_of_200_chinese_characters_fit_the_request_line(service: Service) -> None:
    # gunicorn's default request-line limit (4,094 bytes) answered 400 with an HTML page.
    reply = get(service.port, f"/api/cases?{THREE_CHINESE_FILTERS}", {"Authorization": f"Bearer {service.clerk}"})
    assert (reply.status, reply.headers["content-type"]) == (200, "application/json")
    assert reply.json()["items"] == []


def _request_line(target: str) -> int:
    return len(f"GET {target} HTTP/1.1".encode())


def test_the_longest_query_of_every_read_fits_the_request_line(service: Service) -> None:
    document = get(service.port, "/api/openapi.json").json()
    reads = [path for path, item in document["paths"].items() if "get" in item]
    lines = {path: _request_line(longest_target(document, path)) for path in reads}
    assert {path: n for path, n in lines.items() if n > REQUEST_LINE_LIMIT} == {}
    assert lines["/api/cases"] > REQUEST_LINE_LIMIT - 100, "its five text filters take almost all of it"


def test_the_longest_case_list_query_is_answered_by_the_app_not_refused_by_gunicorn(service: Service) -> None:
    document = get(service.port, "/api/openapi.json").json()
    clerk = {"Authorization": f"Bearer {service.clerk}"}
    position = "1".zfill(19)  # a position the log has, written as long as a position may be
    longest = longest_target(document, "/api/cases", min_position=position)
    assert _request_line(longest) > REQUEST_LINE_LIMIT - 100
    reply = get(service.port, longest, clerk)
    assert (reply.status, reply.headers["content-type"]) == (422, "application/problem+json"), reply.body[:300]
    assert [e["field"] for e in reply.json()["errors"]] == ["status"], "no such status: the app read it all"

    known = {
        "kind": "complaint",
        "status": max((s.code for s in ComplaintStatus), key=len),
        "category": max((c.code for c in ComplaintCategory), key=len),
    }
    listed = get(service.port, longest_target(document, "/api/cases", min_position=position, **known), clerk)
    assert (listed.status, listed.json()["items"]) == (200, []), listed.body[:300]

    longer = longest_target(document, "/api/cases", min_position=position, **known, text=WIDEST * 201)
    refused = get(service.port, longer, clerk)
    assert (refused.status, refused.headers["content-type"]) == (422, "application/problem+json")
    assert [e["field"] for e in refused.json()["errors"]] == ["text"]


def test_a_request_line_longer_than_the_server_reads_is_a_problem(service: Service) -> None:
    # Past gunicorn's largest request-line limit: the refusal is a problem, not gunicorn's HTML page.
    reply = get(service.port, f"/api/cases?{FIVE_LONG_FILTERS}")
    assert (reply.status, reply.headers["content-type"]) == (414, "application/problem+json")
    assert reply.json()["type"] == "urn:caseledger:problem:uri-too-long"
    assert reply.json()["title_zh"] == "请求地址过长"


def test_a_header_of_10_kb_is_a_problem(service: Service) -> None:
    reply = get(service.port, "/health", {"X-Filler": "a" * 10240})
    assert (reply.status, reply.headers["content-type"]) == (431, "application/problem+json")
    assert reply.json()["type"] == "urn:caseledger:problem:headers-too-large"


def test_a_request_gunicorn_cannot_parse_is_a_problem(service: Service) -> None:
    with socket.create_connection(("127.0.0.1", service.port), timeout=5) as sock:
        reply = exchange(sock, b"GET /health HTTP/1.1\r\nHost: test\r\nBad Header: x\r\n\r\n")
    assert (reply.status, reply.headers["content-type"]) == (400, "application/problem+json")
    assert reply.json()["type"] == "urn:caseledger:problem:malformed-request"
    assert "Bad Header" in reply.json()["detail"]

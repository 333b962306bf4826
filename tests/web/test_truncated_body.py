"""A request whose body ends before its Content-Length is refused and records nothing, as served by
gunicorn (``caseledger serve``), talked to over a raw socket that half-closes after the short body."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.config import Settings
from bootstrap.ledger import build_ledger
from tests.web.conftest import COMPLAINT, ROOT, ROOT_SECURITY, USERS

CASELEDGER = str(Path(sys.executable).with_name("caseledger"))
START_SECONDS = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, str, str]]:
    """A gunicorn-served SQLite store: its port, its URL and a clerk's token."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    ledger = build_ledger(Settings(database_url=url), create_tables=True)
    role, unit = USERS["clerk"]
    ledger.add_user(ROOT, "clerk", "clerk", role, unit)
    token = ledger.issue_token(ROOT_SECURITY, "clerk", "tests")[1]
    ledger.close()
    port = _free_port()
    command = [CASELEDGER, "serve", "--port", str(port), "--workers", "1", "--no-projections"]
    server = subprocess.Popen(
        command, env={**os.environ, "CASELEDGER_DATABASE_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "caseledger serve did not start"
                time.sleep(0.1)
        yield port, url, token
    finally:
        server.terminate()
        server.communicate(timeout=15)


def _post_cut_short(port: int, token: str, body: bytes, missing: int) -> tuple[int, str, bytes]:
    """POST ``body`` announcing ``missing`` more bytes than it has, then half-close; the response."""
    head = (
        "POST /api/complaints HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: cut-short\r\nContent-Length: {len(body) + missing}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head.encode() + body)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    headers, _, payload = rest.partition(b"\r\n\r\n")
    content_type = next(
        (
            line.split(b":", 1)[1].strip().decode()
            for line in headers.split(b"\r\n")
            if line.lower().startswith(b"content-type:")
        ),
        "",
    )
    return int(status_line.split()[1]), content_type, payload


def test_a_body_shorter_than_its_content_length_is_refused(served: tuple[int, str, str]) -> None:
    port, url, token = served
    status, content_type, payload = _post_cut_short(port, token, json.dumps(COMPLAINT).encode(), missing=40)
    assert (status, content_type) == (400, "application/problem+json"), payload
    problem = json.loads(payload)
    assert "Content-Length" in problem["detail"] and "Content-Length" in problem["detail_zh"]
    ledger = build_ledger(Settings(database_url=url))
    try:
        assert ledger.log_position() == 2, "only the user and the token were recorded"
    finally:
        ledger.close()

"""A real ``caseledger serve`` process on a free port, and a raw HTTP/1.1 client to talk to it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from web.schemas import MOMENT_TEXT

CASELEDGER = Path(sys.executable).parent / "caseledger"

# Query strings for /api/cases at the edge of the request line's limit (8,190 bytes), percent-encoded:
# three filters of 200 Chinese characters (9 bytes each) are 5.4 KB and fit; five filters of 200
# four-byte characters (12 bytes each) are 12 KB and do not (nor would the API allow them: a status and
# a category are codes of at most 30 characters).
THREE_CHINESE_FILTERS = urlencode({"village": "新" * 200, "unit": "城" * 200, "text": "占" * 200})
FIVE_LONG_FILTERS = urlencode(dict.fromkeys(("status", "category", "village", "unit", "text"), "𠮷" * 200))
WIDEST = "𠮷"
"""A character of four UTF-8 bytes: 12 bytes percent-encoded, the most any character takes."""
UNBOUNDED_PATH_TEXT = {"user_id": 64}
"""The path parameters the API document leaves unbounded, and their bound (a username has at most 64
characters)."""


def longest_value(name: str, schema: dict[str, Any]) -> str:
    """The longest text of a parameter that ``schema`` (of the API document) allows, each character the
    widest its kind can be: a valid value wherever the schema alone decides."""
    if "enum" in schema:
        return max((str(choice) for choice in schema["enum"]), key=len)
    if schema.get("type") == "integer":
        return str(schema["maximum"])
    if schema.get("format") == "uuid":
        return "00000000-0000-0000-0000-000000000000"
    if schema.get("format") == "date":
        return "2025-01-02"
    if schema.get("format") == "date-time":
        return "2025-03-10T10:00:00." + "1" * (MOMENT_TEXT - len("2025-03-10T10:00:00.+08:00")) + "+08:00"
    limit = schema.get("maxLength", UNBOUNDED_PATH_TEXT.get(name))
    assert isinstance(limit, int), f"the API document does not bound {name!r}"
    return WIDEST * limit


def longest_target(document: dict[str, Any], path: str, **fixed: str) -> str:
    """The longest request target of ``GET path`` that the API document allows, every parameter given
    (``fixed`` ones as given), percent-encoded as clients do."""
    item = document["paths"][path]
    parameters = [*item.get("parameters", []), *item["get"].get("parameters", [])]
    values = {p["name"]: fixed.get(p["name"], longest_value(p["name"], p["schema"])) for p in parameters}
    target = path.format(**{p["name"]: quote(values[p["name"]]) for p in parameters if p["in"] == "path"})
    query = urlencode({p["name"]: values[p["name"]] for p in parameters if p["in"] == "query"})
    return f"{target}?{query}" if query else target


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, seconds: float = 30) -> None:
    """Wait until something answers HTTP on ``port``, failing with ``log`` if ``process`` exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                exchange(probe, b"GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port} within {seconds} s:\n{log.read_text()}")


def initialise(store_url: str) -> None:
    """``caseledger db init``, as ``make run`` does before serving."""
    env = {**os.environ, "CASELEDGER_DATABASE_URL": store_url}
    subprocess.run([str(CASELEDGER), "db", "init"], env=env, check=True, capture_output=True)


def project(store_url: str) -> None:
    """``caseledger projections rebuild``: the read models caught up with the log as it stands."""
    env = {**os.environ, "CASELEDGER_DATABASE_URL": store_url}
    subprocess.run([str(CASELEDGER), "projections", "rebuild"], env=env, check=True, capture_output=True)


@contextmanager
def running(command: list[str], port: int, log: Path, env: dict[str, str] | None = None) -> Iterator[int]:
    """``command`` (its output in ``log``) once it answers HTTP on ``port``; stopped when the block ends."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def served(store_url: str, directory: Path, *options: str, **environment: str) -> Iterator[int]:
    """``caseledger serve`` on ``store_url`` with ``options``; yields its port and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "CASELEDGER_DATABASE_URL": store_url, **environment}
    command = [str(CASELEDGER), "serve", "--port", str(port), *options]
    with running(command, port, directory / f"serve-{port}.log", env):
        yield port


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def read_reply(sock: socket.socket) -> Reply:
    """Read one response with a Content-Length body (every response of the service and its front has one)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed after {data[:200]!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed inside the body")
        body += chunk
    return Reply(int(status_line.split()[1]), headers, body[:length])


def exchange(sock: socket.socket, request: bytes) -> Reply:
    sock.sendall(request)
    return read_reply(sock)


def get(port: int, target: str, headers: dict[str, str] | None = None, timeout: float = 5) -> Reply:
    """One GET on a new connection."""
    lines = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        return exchange(sock, f"GET {target} HTTP/1.1\r\nHost: test\r\n{lines}Connection: close\r\n\r\n".encode())

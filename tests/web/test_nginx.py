"""The production front, deploy/nginx/caseledger.conf, in front of a real ``caseledger serve``.

nginx runs in the foreground from a generated main configuration (temporary prefix, free port) that
includes the shipped site configuration with only its listen address and upstream port changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from application.config import Settings
from bootstrap.ledger import build_ledger
from domain.actor import Role
from tests.web.conftest import ROOT, ROOT_SECURITY
from tests.web.served import (
    FIVE_LONG_FILTERS,
    THREE_CHINESE_FILTERS,
    exchange,
    free_port,
    get,
    initialise,
    running,
    served,
)
from web import problems

SITE = Path(__file__).parents[2] / "deploy" / "nginx" / "caseledger.conf"
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx; .ci/run does)")


def _site(listen_port: int, upstream_port: int) -> str:
    text = SITE.read_text()
    for shipped, here in (
        ("listen 80;", f"listen 127.0.0.1:{listen_port};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
    ):
        assert text.count(shipped) == 1, f"{SITE} no longer has exactly one `{shipped}`"
        text = text.replace(shipped, here)
    return text


@contextmanager
def nginx_front(upstream_port: int, directory: Path) -> Iterator[int]:
    """nginx with the shipped site in front of ``upstream_port``; yields the port it listens on."""
    assert NGINX is not None
    port = free_port()
    prefix = directory / f"nginx-{port}"
    prefix.mkdir()
    (prefix / "caseledger.conf").write_text(_site(port, upstream_port))
    temp_paths = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi"))
    temp_paths += "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers would otherwise be nobody, shut out of the prefix
        + f"daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
        + "events { worker_connections 256; }\n"
        + f"http {{\n    access_log off;\n{temp_paths}    include {prefix / 'caseledger.conf'};\n}}\n"
    )
    command = [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf")]
    with running(command, port, prefix / "nginx.out"):
        yield port


@dataclass
class Front:
    port: int
    clerk: str


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    directory = tmp_path_factory.mktemp("front")
    url = f"sqlite:///{directory / 'ledger.sqlite3'}"
    initialise(url)
    ledger = build_ledger(Settings(database_url=url))
    ledger.add_user(ROOT, "clerk", "clerk", Role.CLERK, "受理窗口")
    clerk = ledger.issue_token(ROOT_SECURITY, "clerk", "tests")[1]
    ledger.close()
    with ExitStack() as stack:
        # Two threads: served directly, six slow clients would hold every one of them.
        backend = stack.enter_context(
            served(
                url,
                directory,
                *("--workers", "1", "--threads", "2", "--no-projections"),
                CASELEDGER_TRUSTED_PROXIES="127.0.0.1",
                CASELEDGER_FAILED_AUTH_PER_MINUTE="3",
            )
        )
        yield Front(stack.enter_context(nginx_front(backend, directory)), clerk)


def _send_slowly(port: int, stop: threading.Event) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/complaints HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        while not stop.wait(0.2):
            sock.sendall(b" ")


def test_six_clients_sending_their_bodies_slowly_do_not_hold_up_anyone_else(front: Front) -> None:
    stop = threading.Event()
    senders = [threading.Thread(target=_send_slowly, args=(front.port, stop)) for _ in range(6)]
    for sender in senders:
        sender.start()
    try:
        time.sleep(0.3)  # every slow client is connected and half-way through its body
        timings = []
        for _ in range(5):
            started = time.monotonic()
            reply = get(front.port, "/health", timeout=1)
            timings.append((reply.status, time.monotonic() - started < 1))
            time.sleep(0.2)
    finally:
        stop.set()
        for sender in senders:
            sender.join()
    assert timings == [(200, True)] * 5


def test_the_failed_authentication_throttle_counts_each_client_behind_the_proxy(front: Front) -> None:
    def attempt(source: str) -> int:
        with socket.create_connection(("127.0.0.1", front.port), timeout=5, source_address=(source, 0)) as sock:
            return exchange(sock, b"GET /api/cases HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").status

    assert [attempt("127.0.0.2") for _ in range(4)] == [401, 401, 401, 429]
    assert attempt("127.0.0.3") == 401


def test_three_filters_of_200_chinese_characters_pass_the_front(front: Front) -> None:
    reply = get(front.port, f"/api/cases?{THREE_CHINESE_FILTERS}", {"Authorization": f"Bearer {front.clerk}"})
    assert (reply.status, reply.headers["content-type"]) == (200, "application/json")


TOO_LARGE_BODY = (
    b"POST /api/complaints HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 300000\r\n\r\n"
)


@pytest.mark.parametrize(
    ("request_bytes", "status", "slug"),
    [
        (f"GET /api/cases?{FIVE_LONG_FILTERS} HTTP/1.1\r\nHost: t\r\n\r\n".encode(), 414, "uri-too-long"),
        (b"GET /health HTTP/1.1\r\nHost: t\r\nX-Filler: " + b"a" * 10240 + b"\r\n\r\n", 431, "headers-too-large"),
        (TOO_LARGE_BODY, 413, "payload-too-large"),
        (b"GARBAGE\r\n\r\n", 400, "malformed-request"),
        (b"GET /_problems/internal HTTP/1.1\r\nHost: t\r\n\r\n", 404, "not-found"),
    ],
    ids=["request-line", "header", "body", "garbage", "internal-location"],
)
def test_what_nginx_refuses_is_a_problem(front: Front, request_bytes: bytes, status: int, slug: str) -> None:
    with socket.create_connection(("127.0.0.1", front.port), timeout=5) as sock:
        reply = exchange(sock, request_bytes)
    assert (reply.status, reply.headers["content-type"]) == (status, "application/problem+json")
    assert reply.json()["type"] == f"urn:caseledger:problem:{slug}"


def test_a_service_that_is_down_is_a_problem(tmp_path: Path) -> None:
    with nginx_front(free_port(), tmp_path) as port:
        reply = get(port, "/api/health")
    assert (reply.status, reply.headers["content-type"]) == (502, "application/problem+json")
    assert reply.json()["type"] == "urn:caseledger:problem:service-unreachable"
    assert reply.headers["retry-after"] == "5"


def test_every_problem_in_the_config_is_one_of_the_catalogue() -> None:
    catalogue = {p.type: p for p in vars(problems).values() if isinstance(p, problems.Problem)}
    text = SITE.read_text()
    targets = set(re.findall(r"error_page [\d =]+ (/_problems/[\w-]+);", text))
    bodies = dict(re.findall(r"location = (/_problems/[\w-]+) \{[^}]*?return \d+ '([^']+)';", text))
    assert targets == set(bodies)
    for path, body in bodies.items():
        answer = json.loads(body)
        problem = catalogue[answer["type"]]
        assert path == f"/_problems/{problem.slug}"
        assert {k: v for k, v in answer.items() if k != "detail"} == problems.problem_document(problem)

"""``caseledger serve`` on SQLite keeps its projections follower running: killed, it is started again,
and new cases still reach the lists."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import Server, caseledger
from tests.web.conftest import COMPLAINT

WAIT_SECONDS = 20.0


def _followers(pid: int) -> list[int]:
    """The ``caseledger projections run`` children of process ``pid``."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:
                continue
            if command[-3:-1] == [b"projections", b"run"]:
                found.append(int(child))
    return found


def _until(what: str, check: Any) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while not (found := check()):
        assert time.monotonic() < deadline, f"not within {WAIT_SECONDS:.0f} s: {what}"
        time.sleep(0.1)
    return found


def _call(port: int, path: str, token: str, body: Any = None, key: str = "") -> tuple[int, Any]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method="POST" if body else "GET")
    request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
        request.add_header("Idempotency-Key", key)
        request.data = json.dumps(body).encode()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_starts_a_killed_follower_again_and_lists_stay_current(tmp_path: Path) -> None:
    env = dict(os.environ, CASELEDGER_DATABASE_URL=f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    caseledger(env, "db", "init")
    caseledger(env, "users", "add", "li", "--role", "clerk", "--unit", "受理窗口")
    token = caseledger(env, "tokens", "issue", "li").strip()
    log = tmp_path / "serve.log"
    with Server(env, workers=1, threads=2, log_path=log) as server:
        assert server.session is not None
        (first,) = _until("a follower runs", lambda: _followers(server.session))
        _until("health is ok", lambda: _call(server.port, "/health", token)[1]["status"] == "ok")

        os.kill(first, signal.SIGKILL)
        status, filed = _call(server.port, "/api/complaints", token, COMPLAINT, "after-the-kill")
        assert status == 201, filed
        (second,) = _until("a new follower runs", lambda: [p for p in _followers(server.session) if p != first])
        listed = _until(
            "the new case is listed",
            lambda: _call(server.port, f"/api/cases?min_position={filed['position']}", token)[0] == 200,
        )
        assert listed and second != first
    assert f"the projections follower (pid {first}) exited with status -9" in log.read_text()

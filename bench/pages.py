"""The cost of a console page on the office's log: each main page served by ``caseledger serve`` (one worker,
one thread: a page's own cost) against the same server's one-query ``GET /health`` in the same run; the
target is p95 ≤ 100 ms."""

from __future__ import annotations

import http.client
import os
import random
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from uuid import UUID

from application.ledger import CaseLedger
from bench.common import RESULTS_DIR, Server, latency_summary_ms
from demo.text import CITY, VILLAGES
from domain.actor import Actor, Role
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase

COOKIE = "caseledger_session"  # the console's session cookie (docs/console.md)

TARGET_PAGE_P95_MS = 100.0
PAGE_SECONDS_CAP = 10.0
SAMPLED_CASES = 500
ADMIN = Actor("bench-admin", Role.ADMIN, "系统管理")


def page_latencies(ledger: CaseLedger, url: str, repeats: int, seed: int = 11) -> dict[str, dict[str, Any]]:
    """Each page ``repeats`` times (at most :data:`PAGE_SECONDS_CAP` each), as the role that opens it, from
    a server on the store at ``url``."""
    rng = random.Random(seed)
    cookies = {role: _session(ledger, role, unit) for role, unit in _READERS.items()}
    cases: list[UUID] = ledger.created_ids(Complaint, Dispute, EnforcementCase, limit=SAMPLED_CASES)
    pages: dict[str, tuple[Role, Callable[[], str]]] = {
        "health (baseline)": (Role.SUPERVISOR, lambda: "/health"),
        "home (supervisor)": (Role.SUPERVISOR, lambda: "/"),
        "home (handler)": (Role.HANDLER, lambda: "/"),
        "queue page": (Role.SUPERVISOR, lambda: f"/queues/overdue?page={rng.choice([1, 1, 2, 5])}"),
        "queue by village": (Role.SUPERVISOR, lambda: f"/queues/due_soon?village={quote(rng.choice(VILLAGES))}"),
        "case page": (Role.SUPERVISOR, lambda: f"/cases/{rng.choice(cases)}"),
        "search by text": (
            Role.CLERK,
            lambda: f"/cases?text={quote(rng.choice(['早餐', '噪声', VILLAGES[0], '违建']))}",
        ),
        "annual report": (Role.STATISTICIAN, lambda: "/report"),
    }
    results: dict[str, dict[str, Any]] = {}
    env = dict(os.environ, CASELEDGER_DATABASE_URL=url)
    with Server(env, workers=1, threads=1, log_path=RESULTS_DIR / "pages-server.log") as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for name, (role, path) in pages.items():
            seconds = list[float]()
            started = time.perf_counter()
            while len(seconds) < repeats and time.perf_counter() - started < PAGE_SECONDS_CAP:
                before = time.perf_counter()
                connection.request("GET", path(), headers={"Cookie": f"{COOKIE}={cookies[role]}"})
                response = connection.getresponse()
                body = response.read()
                seconds.append(time.perf_counter() - before)
                if response.status != 200:
                    raise RuntimeError(f"{name}: {response.status} {body[:300]!r}")
            results[name] = latency_summary_ms(seconds) | {"runs": len(seconds)}
        connection.close()
    baseline = results["health (baseline)"]["p50_ms"]
    for figures in results.values():
        figures["p50_vs_health"] = round(figures["p50_ms"] / baseline, 1) if baseline else None
    return results


_READERS = {
    Role.SUPERVISOR: "依法行政工作监督小组",
    Role.HANDLER: CITY,
    Role.CLERK: "综治中心",
    Role.STATISTICIAN: "党政办",
}


def _session(ledger: CaseLedger, role: Role, unit: str) -> str:
    """A token's secret for a user of ``role`` in ``unit``, the value of a session cookie."""
    username = f"bench-{role.code}"
    if username not in {u.username for u in ledger.read_users(ADMIN)}:
        ledger.add_user(ADMIN, username, username, role, unit)
    return ledger.issue_token(ADMIN, username, "bench pages")[1]

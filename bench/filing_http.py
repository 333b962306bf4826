"""Filing over HTTP: ``POST /api/complaints`` through ``caseledger serve`` from keep-alive clients."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from bench.common import RESULTS_DIR, Server, ServerLog, cpu_seconds, cpu_used, in_threads, latency_summary_ms

CLIENTS = 10
COMPLAINT: dict[str, Any] = {
    "category": "breakfast_stalls",
    "channel": "hotline",
    "location": {"village": "新河社区", "address": "人民医院北门", "grid_cell": "XH-07"},
    "description": "医院北门早餐摊点占道经营，影响救护车通行",
    "parties": [{"role": "complainant", "name": "王秀兰", "phone": "13800000000"}],
}


@dataclass
class HttpRun:
    label: str
    clients: int
    requests: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of 201 responses
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # bodies of unexpected responses

    def summary(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "clients": self.clients,
            "requests": self.requests,
            "seconds": self.seconds,
            "filed": self.statuses.get(201, 0),
            "per_s": self.statuses.get(201, 0) / self.seconds if self.seconds else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "transport_errors": len(self.transport_errors),
            "first_transport_errors": self.transport_errors[:5],
            "unexpected_samples": self.samples[:5],
            **latency_summary_ms(self.latencies),
        }


class _Client:
    """One client thread's keep-alive connection, filing complaints until the shared counter runs out."""

    def __init__(self, port: int, token: str, label: str) -> None:
        self.port = port
        self.label = label
        self.body = json.dumps(COMPLAINT, ensure_ascii=False).encode("utf-8")
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.run = HttpRun(label, 0, 0)  # this client's share, merged by the caller
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def file(self, key: str) -> None:
        started = time.perf_counter()
        try:
            self.conn.request(
                "POST", "/api/complaints", body=self.body, headers=self.headers | {"Idempotency-Key": key}
            )
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.run.transport_errors.append(f"after {time.perf_counter() - started:.3f} s: {error!r}")
            self.conn.close()
            self.conn = self._connect()
            return
        elapsed = time.perf_counter() - started
        self.run.statuses[response.status] += 1
        if response.status == 201:
            self.run.latencies.append(elapsed)
        elif len(self.run.samples) < 3:
            text = data[:300].decode(errors="replace")
            self.run.samples.append(f"{response.status} after {elapsed * 1000:.0f} ms: {text}")
        if response.will_close:
            self.conn.close()
            self.conn = self._connect()


def file_over_http(port: int, token: str, requests: int, clients: int, label: str) -> HttpRun:
    """``requests`` POST /api/complaints from ``clients`` threads, one keep-alive connection each."""
    run_id = uuid.uuid4().hex[:8]
    threads = [_Client(port, token, label) for _ in range(clients)]

    def one(i: int, thread: int) -> None:
        threads[thread].file(f"bench-{label}-{run_id}-{i}")

    seconds, _, _ = in_threads(requests, clients, one)
    result = HttpRun(label, clients, requests, seconds)
    for client in threads:
        client.conn.close()
        result.latencies.extend(client.run.latencies)
        result.statuses.update(client.run.statuses)
        result.transport_errors.extend(client.run.transport_errors)
        result.samples.extend(client.run.samples)
    return result


def pg_counters(url: str) -> dict[str, int]:
    """Committed and rolled-back transactions of this database (a conflicting save rolls back)."""
    time.sleep(1.5)  # backends flush their statistics at most once a second, when idle
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return {"commits": int(row[0]), "rollbacks": int(row[1])}


def serve_and_file(
    env: dict[str, str],
    url: str,
    token: str,
    workers: int,
    threads: int,
    *,
    warmup: int,
    alone_count: int,
    filings: int,
) -> dict[str, Any]:
    """Start the server, warm it up, file from one client alone, then from all of them; read its log."""
    log_path = RESULTS_DIR / f"filing-server-{workers}x{threads}.log"
    alone: HttpRun | None = None
    summary: dict[str, Any] = {"workers": workers, "threads": threads}
    with Server(env, workers, threads, log_path) as server:
        file_over_http(server.port, token, warmup, CLIENTS, f"warmup{workers}x{threads}")
        if alone_count:
            alone = file_over_http(server.port, token, alone_count, 1, f"alone{workers}x{threads}")
        with db_delta(url, summary):
            cpu_before = cpu_seconds(server.session)
            run = file_over_http(server.port, token, filings, CLIENTS, f"run{workers}x{threads}")
            summary["cores_used"] = cpu_used(cpu_before, cpu_seconds(server.session), run.seconds)
    log = ServerLog.read(log_path)
    return (
        summary
        | run.summary()
        | {
            "alone": alone.summary() if alone else None,
            "server_log": {
                "path": str(log_path),
                "statuses": log.statuses,
                "tracebacks": log.tracebacks,
                "worker_timeouts": log.worker_timeouts,
                "error_lines": log.error_lines,
            },
        }
    )


@contextmanager
def db_delta(url: str, into: dict[str, Any]) -> Iterator[None]:
    before = pg_counters(url)
    yield
    after = pg_counters(url)
    into["db_commits"] = after["commits"] - before["commits"]
    into["db_rollbacks"] = after["rollbacks"] - before["rollbacks"]

"""The filing benchmark's baseline: single-row inserts into a table shaped like the events table, one
transaction each, by a raw psycopg loop."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from bench.common import in_threads, latency_summary_ms

RAW_TABLE = "bench_raw_inserts"
RAW_DDL = f"""
CREATE TABLE {RAW_TABLE} (
    originator_id uuid NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    PRIMARY KEY (originator_id, originator_version)
);
CREATE UNIQUE INDEX {RAW_TABLE}_notification_id ON {RAW_TABLE} (notification_id ASC)
"""
RAW_INSERT = f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)"
RAW_TOPIC = "domain.complaint:Complaint.Registered"
RAW_PAYLOAD_BYTES = 1100  # about the size of a Complaint.Registered event's state


def raw_inserts(url: str, rows: int, threads: int, *, around: str = "", payload: bytes) -> dict[str, Any]:
    """``rows`` single-row inserts, one transaction each, shared among ``threads`` connections.

    ``around="lock+notify"`` wraps each insert as the eventsourcing recorder does: in one pipelined
    transaction, ``LOCK TABLE … IN EXCLUSIVE MODE`` and ``NOTIFY`` before the insert; ``"notify"`` sends
    the ``NOTIFY`` alone (a notifying transaction takes a database-wide lock while it commits).
    """
    connections = [psycopg.connect(url, autocommit=True) for _ in range(threads)]

    def insert(i: int, thread: int) -> None:
        conn = connections[thread]
        if around:
            with conn.pipeline(), conn.transaction():
                if "lock" in around:
                    conn.execute("SET LOCAL lock_timeout = '0s'", prepare=True)
                    conn.execute(f"LOCK TABLE {RAW_TABLE} IN EXCLUSIVE MODE", prepare=True)
                conn.execute(f"NOTIFY {RAW_TABLE}")
                conn.execute(RAW_INSERT, (uuid.uuid4(), 1, RAW_TOPIC, payload), prepare=True)
        else:
            conn.execute(RAW_INSERT, (uuid.uuid4(), 1, RAW_TOPIC, payload), prepare=True)

    try:
        wall, latencies, errors = in_threads(rows, threads, insert)
    finally:
        for conn in connections:
            conn.close()
    return {
        "threads": threads,
        "around": around or "nothing",
        "rows": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": wall,
        "per_s": len(latencies) / wall,
        **latency_summary_ms(latencies),
    }

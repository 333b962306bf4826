"""Audit fixtures: a ledger with the audit reads and identity use cases, and direct access to the
store's rows as someone with the database's own credentials would have it (to tamper)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from application.ledger import CaseLedger
from audit.recorders import ChainedPostgresRecorder, ChainedSQLiteRecorder
from bootstrap.ledger import build_ledger
from tests.support import CLERK, complainant, location


def audited_ledger(url: str) -> CaseLedger:
    from tests.web.conftest import fast_settings

    return build_ledger(fast_settings(url))


def chained(ledger: CaseLedger) -> ChainedSQLiteRecorder | ChainedPostgresRecorder:
    """The ledger's recorder, which the bootstrap builds to keep the audit chain on either store."""
    recorder = ledger.recorder
    assert isinstance(recorder, ChainedSQLiteRecorder | ChainedPostgresRecorder)
    return recorder


@pytest.fixture
def audited(store_url: str) -> Iterator[CaseLedger]:
    ledger = audited_ledger(store_url)
    yield ledger
    ledger.close()


def file_complaints(ledger: CaseLedger, count: int, prefix: str = "c") -> list[Any]:
    """``count`` complaints: two events each (the number sequence's and the complaint's)."""
    return [
        ledger.file_complaint(
            f"{prefix}-{i}",
            CLERK,
            category="noise",
            channel="hotline",
            location=location(),
            description=f"夜间施工噪声 {i}",
            parties=[complainant()],
        )
        for i in range(count)
    ]


class Rows:
    """The events, chain and checkpoint tables, edited directly: on PostgreSQL as a superuser who has turned the
    append-only triggers off, the way someone with the database's own credentials could."""

    def __init__(self, url: str, recorder: ChainedSQLiteRecorder | ChainedPostgresRecorder) -> None:
        self.url = url
        self.postgres = isinstance(recorder, ChainedPostgresRecorder)
        tables = recorder.audit_tables
        self.events, self.chain, self.checkpoints = tables.events, tables.chain, tables.checkpoints
        self.id = "notification_id" if self.postgres else "rowid"

    @contextmanager
    def sql(self) -> Iterator[Any]:
        if not self.postgres:
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as db:
                yield db
            return
        with psycopg.connect(self.url, autocommit=False) as db:
            db.execute("SET session_replication_role = replica")
            for table in (self.events, self.chain, self.checkpoints):
                db.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            yield db

    def run(self, statement: str, params: Sequence[Any] = ()) -> None:
        with self.sql() as db:
            db.execute(self._dialect(statement), self._params(params))

    def _dialect(self, statement: str) -> str:
        for name, table in (("{events}", self.events), ("{chain}", self.chain), ("{checkpoints}", self.checkpoints)):
            statement = statement.replace(name, table)
        statement = statement.replace("{id}", self.id)
        return statement if self.postgres else statement.replace("%s", "?")

    def fetch(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.sql() as db:
            return [tuple(r) for r in db.execute(self._dialect(statement), self._params(params)).fetchall()]

    def _params(self, params: Sequence[Any]) -> Any:
        return tuple(params) or (None if self.postgres else ())

    def ids(self) -> list[int]:
        return [r[0] for r in self.fetch("SELECT {id} FROM {events} ORDER BY {id}")]

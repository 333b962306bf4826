"""An erased identity's key is in no file of the store afterwards: on SQLite neither the database file
nor its write-ahead log (-wal, -shm); on PostgreSQL none of the keys table's pages (its heap, its TOAST
table, its index) nor the planner's statistics, read with ``pageinspect`` as the superuser."""

from __future__ import annotations

import glob
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from flask import Flask

from application.ledger import CaseLedger
from domain.actor import Role
from tests.audit.conftest import audited_ledger, chained
from tests.web.conftest import COMPLAINT, Api, enrol
from web.app import create_app
from web.audit_cli import identities

PEOPLE = 6


@pytest.fixture
def api(store_url: str) -> Iterator[Api]:
    ledger = audited_ledger(store_url)
    app: Flask = create_app(ledger, {"TESTING": True})
    tokens = {
        "clerk": enrol(ledger, "clerk", Role.CLERK, "受理窗口"),
        "security_admin": enrol(ledger, "security_admin", Role.SECURITY_ADMIN, "系统管理"),
    }
    yield Api(app.test_client(), tokens, ledger)
    ledger.close()


def _people(api: Api) -> list[str]:
    """File one complaint per person; their party ids (the person ids of their keys)."""
    people = []
    for i in range(PEOPLE):
        party = {"role": "complainant", "name": f"王秀兰{i}", "phone": f"1380000000{i}"}
        body = COMPLAINT | {"description": f"第{i}起", "parties": [party]}
        filed = api.call("clerk", "POST", "/api/complaints", body, {"Idempotency-Key": f"disk-{i}"}).get_json()
        people.append(api.call("clerk", "GET", f"/api/cases/{filed['id']}").get_json()["parties"][0]["party_id"])
    return people


def _keys(url: str, ledger: CaseLedger) -> dict[str, bytes]:
    table = chained(ledger).audit_tables.identity_keys
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return {p: bytes(k) for p, k in db.execute(f"SELECT person_id, key FROM {table}")}
    with psycopg.connect(url) as db:
        return {p: bytes(k) for p, k in db.execute(f"SELECT person_id, key FROM {table}")}


def _store_bytes(url: str, ledger: CaseLedger) -> bytes:
    """Every byte of the store's files that could hold a key."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        files = [path, *glob.glob(f"{glob.escape(path)}-*")]
        assert f"{path}-wal" in files, "the store runs in WAL mode"
        return b"".join(Path(f).read_bytes() for f in files)
    table = chained(ledger).audit_tables.identity_keys
    with psycopg.connect(url, autocommit=True) as su:
        su.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        row = su.execute(
            "SELECT reltoastrelid::regclass::text, (SELECT array_agg(indexrelid::regclass::text) FROM pg_index"
            " WHERE indrelid = %s::regclass) FROM pg_class WHERE oid = %s::regclass",
            (table, table),
        ).fetchone()
        assert row is not None
        toast, indexes = row
        pages = b""
        for relation in (table, toast, *indexes, "pg_statistic"):
            rows = su.execute(
                "SELECT get_raw_page(%s, n) FROM generate_series(0, (pg_relation_size(%s) / 8192)::int - 1) n",
                (relation, relation),
            ).fetchall()
            pages += b"".join(bytes(r[0]) for r in rows)
        return pages


def test_an_erased_key_is_in_no_file_of_the_store(api: Api, store_url: str) -> None:
    people = _people(api)
    keys = _keys(store_url, api.ledger)
    assert set(people) <= set(keys) and all(len(keys[p]) == 32 for p in people)
    if not store_url.startswith("sqlite"):
        with psycopg.connect(store_url, autocommit=True) as su:  # what autovacuum's ANALYZE would do
            su.execute(f"ANALYZE {chained(api.ledger).audit_tables.identity_keys}")
    before = _store_bytes(store_url, api.ledger)
    assert all(keys[p] in before for p in people), "the check reads where the keys are"

    by_http, by_command = people[0], people[1]
    with ExitStack() as reading:
        if not store_url.startswith("sqlite"):  # a long reader, as audit verify or autovacuum's ANALYZE is
            reader = reading.enter_context(psycopg.connect(store_url))
            reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            reader.execute("SELECT count(*) FROM caseledger_events").fetchone()
        body = {"reason": "依法删除（当事人申请）"}
        erased = api.call("security_admin", "POST", f"/api/audit/identities/{by_http}/erasure", body)
        assert erased.status_code == 200, erased.get_json()
        result = CliRunner().invoke(
            identities, ["erase", by_command, "--reason", "依法删除"], env={"CASELEDGER_DATABASE_URL": store_url}
        )
        assert result.exit_code == 0, result.output

    after = _store_bytes(store_url, api.ledger)
    assert keys[by_http] not in after and keys[by_command] not in after, "an erased key can be read from the disk"
    assert all(keys[p] in after for p in people[2:]), "the other keys are still there"

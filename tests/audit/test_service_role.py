"""On PostgreSQL the service role appends to the log but cannot change it, nor switch off the triggers."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from application.ledger import CaseLedger
from audit.recorders import ChainedPostgresRecorder
from audit.roles import grant_service_role
from audit.verify import Outcome, verify_log
from tests.audit.conftest import audited_ledger, file_complaints
from tests.support import CLERK


@pytest.fixture
def service_url(fresh_postgres_url: str) -> Iterator[str]:
    """An initialised store and a new service role granted on it (dropped afterwards)."""
    from application.config import Settings
    from bootstrap.ledger import build_ledger

    build_ledger(Settings(database_url=fresh_postgres_url), create_tables=True).close()
    role = f"caseledger_svc_{uuid4().hex[:8]}"
    with psycopg.connect(fresh_postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(sql.Identifier(role)))
    owner = audited_ledger(fresh_postgres_url)
    assert isinstance(owner.recorder, ChainedPostgresRecorder)
    granted = grant_service_role(owner.recorder, role)
    owner.close()
    assert any("GRANT SELECT, INSERT, UPDATE ON TABLE" in s for s in granted)
    parts = urlsplit(fresh_postgres_url)
    yield urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))
    with psycopg.connect(fresh_postgres_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


REFUSED = [
    "UPDATE {events} SET topic = 'x'",
    "DELETE FROM {events}",
    "TRUNCATE {events}",
    "UPDATE {chain} SET hash = hash",
    "DELETE FROM {chain}",
    "TRUNCATE {chain}",
    "DELETE FROM {checkpoints}",
    "ALTER TABLE {events} DISABLE TRIGGER ALL",
    "ALTER TABLE {events} DISABLE TRIGGER caseledger_events_append_only",
    "DROP TRIGGER caseledger_events_append_only ON {events}",
    "ALTER TABLE {chain} DISABLE TRIGGER caseledger_event_chain_append_only",
    "SET session_replication_role = replica",
    "DROP TABLE {events}",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_service_role_cannot_change_the_log(service_url: str, statement: str) -> None:
    ledger = audited_ledger(service_url)
    file_complaints(ledger, 3)
    assert isinstance(ledger.recorder, ChainedPostgresRecorder)
    tables = ledger.recorder.audit_tables
    text = statement.format(events=tables.events, chain=tables.chain, checkpoints=tables.checkpoints)
    with psycopg.connect(service_url) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute(text)
    report = verify_log(ledger.recorder)
    assert report.outcome is Outcome.OK and report.events == 3
    ledger.close()


def test_the_owner_is_refused_too_while_the_triggers_are_on(fresh_postgres_url: str) -> None:
    ledger = audited_ledger_initialised(fresh_postgres_url)
    file_complaints(ledger, 1)
    assert isinstance(ledger.recorder, ChainedPostgresRecorder)
    events = ledger.recorder.audit_tables.events
    with psycopg.connect(fresh_postgres_url) as db:
        db.execute("SET session_replication_role = replica")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            db.execute(f"DELETE FROM {events}")
    ledger.close()


def audited_ledger_initialised(url: str) -> CaseLedger:
    from application.config import Settings
    from bootstrap.ledger import build_ledger

    build_ledger(Settings(database_url=url), create_tables=True).close()
    return audited_ledger(url)


def test_an_erasure_the_service_role_cannot_purge_says_so(service_url: str, fresh_postgres_url: str) -> None:
    from application.errors import ErasureIncomplete
    from tests.web.conftest import ROOT_SECURITY

    ledger = audited_ledger(service_url)
    (filed,) = file_complaints(ledger, 1)
    person = ledger.view_case(CLERK, filed.id)["parties"][0]["party_id"]
    assert isinstance(ledger.recorder, ChainedPostgresRecorder)
    keys = ledger.recorder.audit_tables.identity_keys
    with psycopg.connect(fresh_postgres_url, autocommit=True) as admin:  # a grant from before the purge
        role = sql.Identifier(urlsplit(service_url).username or "")
        admin.execute(sql.SQL(f"REVOKE TRUNCATE ON {keys} FROM {{}}").format(role))
    with pytest.raises(ErasureIncomplete, match="permission denied"):
        ledger.erase_identity(ROOT_SECURITY, person, "依法删除")
    assert ledger.recorder.identity_key(person) is None, "the key is deleted all the same"
    ledger.close()
    owner = audited_ledger(fresh_postgres_url)
    owner.purge_erased_keys()
    owner.close()

"""What an operator's commands run on, assembled: the one call that creates every table, the audit
store the verification walks, and the grants of the PostgreSQL service role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from application.config import Settings
from application.errors import ConfigurationError
from audit.recorders import ChainedPostgresRecorder
from audit.roles import grant_service_role as grant
from audit.store import AuditStore
from bootstrap.ledger import build_ledger, open_event_store
from bootstrap.read_side import build_runners, open_read_store


def init_store(settings: Settings) -> None:
    """Create every table the settings' store needs, on both sides of it (``caseledger db init``; safe to
    run again): the log with its chain and keys, the counters, token activity and credentials beside it, and each
    projection's tables with its runner's rows."""
    ledger = build_ledger(settings, create_tables=True)
    try:
        store = open_read_store(settings)
        try:
            for runner in build_runners(ledger, store):
                runner.setup()
        finally:
            store.close()
    finally:
        ledger.close()


@contextmanager
def audit_store(settings: Settings) -> Iterator[AuditStore]:
    """The chained log and its checkpoints on the settings' store, without the ledger; closed afterwards."""
    store = open_event_store(settings)
    try:
        yield store.recorder
    finally:
        store.close()


def grant_service_role(settings: Settings, role: str) -> list[str]:
    """Grant ``role`` what the service connects as needs (run as the tables' owner); the SQL run."""
    store = open_event_store(settings)
    try:
        if not isinstance(store.recorder, ChainedPostgresRecorder):
            raise ConfigurationError("service roles are a PostgreSQL matter; this store is not PostgreSQL")
        return grant(store.recorder, role)
    finally:
        store.close()

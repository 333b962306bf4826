"""The write side, assembled: the event store the settings name, the ports beside its log, and the ledger.

The store's recorder is the audit's chained one (:mod:`audit.recorders`), on PostgreSQL over the
persistence that fails fast (:mod:`storage.recorders`); case numbers and token activity live in tables
beside the log (:mod:`storage.numbering`, :mod:`storage.token_activity`), and so do password hashes
(:mod:`storage.credentials`). The chained recorder keeps
the identity keys and the evidence, finds an event's position and reads the log aggregate by
aggregate: it is handed to the ledger as each of those ports (:mod:`application.ports`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from eventsourcing.persistence import InfrastructureFactory, InfrastructureFactoryError
from eventsourcing.utils import Environment, TopicError, get_topic

from application.config import Settings
from application.core import store_errors
from application.errors import ConfigurationError
from application.ledger import CaseLedger
from application.ports import Persistence
from audit.recorders import ChainedPostgresRecorder, ChainedSQLiteRecorder
from domain.calendar import WorkingCalendar
from domain.rules import RuleTable
from storage.credentials import CredentialsTable
from storage.numbering import CounterTableNumbers
from storage.recorders import FailFastPostgresFactory
from storage.token_activity import TokenActivityTable

ChainedRecorder = ChainedSQLiteRecorder | ChainedPostgresRecorder


def library_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing library's settings for the settings' store: its persistence module, the chained
    recorder that extends the audit hash chain in each write's transaction, and the connection's
    parameters (tables are created by ``caseledger db init`` only)."""
    if not settings.is_postgres:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": settings.sqlite_path,
            "SQLITE_LOCK_TIMEOUT": "10",
            "CREATE_TABLE": "n",
            "APPLICATION_RECORDER_TOPIC": get_topic(ChainedSQLiteRecorder),
        }
    parts = urlsplit(settings.database_url)
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname:
        raise ConfigurationError("CASELEDGER_DATABASE_URL: postgresql:// needs a host and a database name")
    timeout = settings.statement_timeout
    return {
        "PERSISTENCE_MODULE": get_topic(FailFastPostgresFactory),
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "1",
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_STATEMENT_TIMEOUT": "" if timeout is None else str(timeout),
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "8",
        "CREATE_TABLE": "n",
        "APPLICATION_RECORDER_TOPIC": get_topic(ChainedPostgresRecorder),
    }


@contextmanager
def _loading() -> Iterator[None]:
    """The store's failures as the application's errors; classes named in the environment that cannot be
    loaded (a persistence module, a cipher) as a configuration error."""
    with store_errors():
        try:
            yield
        except (TopicError, InfrastructureFactoryError) as error:
            raise ConfigurationError(f"the store's persistence classes cannot be loaded: {error}") from None


@dataclass(frozen=True)
class EventStore:
    """The settings' store as the library opened it, on the audit's chained recorder."""

    factory: InfrastructureFactory[Any]
    recorder: ChainedRecorder

    def ports(self) -> Persistence:
        """The store as the ledger needs it: the library's parts and an implementation of each port."""
        recorder = self.recorder
        if isinstance(recorder, ChainedPostgresRecorder):  # it notifies each insert; its table lock orders commits
            channel, ordered = recorder.channel_name, not recorder.datastore.enable_db_functions
        else:  # SQLite: one writer at a time, and nothing to listen to
            channel, ordered = None, True
        return Persistence(
            factory=self.factory,
            recorder=recorder,
            numbers=CounterTableNumbers(recorder),
            token_activity=TokenActivityTable(recorder),
            credentials=CredentialsTable(recorder),
            identity_keys=recorder,
            evidence=recorder,
            positions=recorder,
            aggregate_order=recorder,
            notify_channel=channel,
            commits_in_log_order=ordered,
        )

    def close(self) -> None:
        """Close the store's connections."""
        self.factory.close()


def open_event_store(settings: Settings, *, create_tables: bool = False) -> EventStore:
    """Open the settings' store; with ``create_tables``, create every table of the write side first (the
    log, its chain and keys, the case-number counters, token activity, the credentials).

    A SQLite file that does not exist is refused unless the tables are to be created.
    """
    if not create_tables:
        settings.require_existing_store()
    # The library reads its own variables (a cipher, a compressor) from the process's environment too.
    env = os.environ | library_env(settings) | {"CREATE_TABLE": "y" if create_tables else "n"}
    with _loading():
        factory = InfrastructureFactory.construct(Environment(CaseLedger.name, env))
    try:
        with _loading():
            recorder = factory.application_recorder()
            if not isinstance(recorder, ChainedSQLiteRecorder | ChainedPostgresRecorder):
                raise ConfigurationError(f"the store's recorder {type(recorder).__qualname__} keeps no hash chain")
            if create_tables:
                CounterTableNumbers(recorder).create_table()
                TokenActivityTable(recorder).create_table()
                CredentialsTable(recorder).create_table()
    except BaseException:  # e.g. the server cannot be reached: close the pool now, not when collected
        factory.close()
        raise
    return EventStore(factory, recorder)


def build_ledger(settings: Settings | None = None, *, create_tables: bool = False) -> CaseLedger:
    """The process's one ledger on the settings' store (by default, the environment's)."""
    settings = Settings.from_env() if settings is None else settings
    calendar = WorkingCalendar.default()
    if settings.calendar_dir is not None:
        calendar = calendar.overlaid(WorkingCalendar.from_directory(settings.calendar_dir))
    rules = RuleTable.statutory().overridden(settings.rule_overrides())
    store = open_event_store(settings, create_tables=create_tables)
    try:
        with _loading():
            return CaseLedger(settings, calendar, rules, store.ports())
    except BaseException:
        store.close()
        raise

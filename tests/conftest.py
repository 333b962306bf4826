"""Store fixtures: every application scenario runs on SQLite and on PostgreSQL.

PostgreSQL tests use a fresh database (dropped afterwards) on the server named by
CASELEDGER_TEST_POSTGRES. Without a server they skip with the reason; under CI (CI=true)
an unreachable server fails the run instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from application.config import Settings
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger

ADMIN_URL = os.environ.get("CASELEDGER_TEST_POSTGRES", "postgresql://root@127.0.0.1:5432/postgres")
UNDER_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of a reachable PostgreSQL server, or a skip (a failure under CI)."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3):
            pass
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL not reachable at {ADMIN_URL}: {error}"
        if UNDER_CI:
            pytest.fail(f"{reason} (CI=true requires PostgreSQL)")
        pytest.skip(reason)
    return ADMIN_URL


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    name = f"caseledger_test_{uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def initialised_store(request: pytest.FixtureRequest, kind: str, directory: Path) -> Iterator[str]:
    """An initialised, empty store of ``kind`` ("sqlite" or "postgres")."""
    with ExitStack() as stack:
        if kind == "sqlite":
            url = f"sqlite:///{directory / 'ledger.sqlite3'}"
        else:
            url = stack.enter_context(postgres_database(request.getfixturevalue("postgres_server")))
        build_ledger(Settings(database_url=url), create_tables=True).close()
        yield url


@pytest.fixture
def fresh_postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty database, dropped after the test."""
    with postgres_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An initialised, empty store of each kind."""
    with initialised_store(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An initialised store of each kind shared by one test module."""
    with initialised_store(request, request.param, tmp_path_factory.mktemp("store")) as url:
        yield url


@pytest.fixture
def ledger(store_url: str) -> Iterator[CaseLedger]:
    app = build_ledger(Settings(database_url=store_url))
    yield app
    app.close()

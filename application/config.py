"""Settings, read from the environment only."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from application.errors import ConfigurationError, StoreNotInitialised

DEFAULT_DATABASE_URL = "sqlite:///caseledger.sqlite3"
SERVICE_STATEMENT_SECONDS = 4.0
"""How long one PostgreSQL statement of the service (web workers, projection followers) may run; a
server that does not answer within a second more is taken for gone (see docs/audit.md, "Timeouts")."""


@dataclass(frozen=True)
class Settings:
    """Where the store is and where local overrides of the calendar and time limits live."""

    database_url: str = DEFAULT_DATABASE_URL
    calendar_dir: Path | None = None
    rules_file: Path | None = None
    statement_timeout: float | None = SERVICE_STATEMENT_SECONDS
    """Seconds one PostgreSQL statement may run (None: no limit, for an operator's long commands)."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        calendar_dir = env.get("CASELEDGER_CALENDAR_DIR")
        rules_file = env.get("CASELEDGER_RULES_FILE")
        return cls(
            database_url=env.get("CASELEDGER_DATABASE_URL", DEFAULT_DATABASE_URL),
            calendar_dir=Path(calendar_dir) if calendar_dir else None,
            rules_file=Path(rules_file) if rules_file else None,
        )

    def for_maintenance(self) -> Settings:
        """The same store for an operator's command that may run long statements (init, rebuild, verify)."""
        return replace(self, statement_timeout=None)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    def require_existing_store(self) -> None:
        """Refuse a SQLite file that does not exist: opening it would create an empty store (a mistyped
        path); only ``caseledger db init`` creates one."""
        if self.is_postgres:
            return
        path = self.persistence_env()["SQLITE_DBNAME"]
        if ":memory:" not in path and "mode=memory" not in path and not Path(path).exists():
            raise StoreNotInitialised(
                f"there is no store at {Path(path).resolve()} (CASELEDGER_DATABASE_URL={self.database_url}); "
                "check the path, or run `caseledger db init` to create a new store there"
            )

    def persistence_env(self) -> dict[str, str]:
        """The eventsourcing library's settings for this store (tables are created by ``db init`` only).

        The recorders named by topic extend the audit hash chain in each write's transaction.
        """
        url = self.database_url
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if not path:
                raise ConfigurationError("CASELEDGER_DATABASE_URL: sqlite:/// needs a file path")
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": path,
                "SQLITE_LOCK_TIMEOUT": "10",
                "CREATE_TABLE": "n",
                "APPLICATION_RECORDER_TOPIC": "audit.recorders:ChainedSQLiteRecorder",
            }
        if self.is_postgres:
            parts = urlsplit(url)
            dbname = unquote(parts.path.lstrip("/"))
            if not parts.hostname or not dbname:
                raise ConfigurationError("CASELEDGER_DATABASE_URL: postgresql:// needs a host and a database name")
            return {
                "PERSISTENCE_MODULE": "storage.recorders:FailFastPostgresFactory",
                "POSTGRES_DBNAME": dbname,
                "POSTGRES_HOST": parts.hostname,
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": unquote(parts.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(parts.password or ""),
                "POSTGRES_CONNECT_TIMEOUT": "1",
                "POSTGRES_PRE_PING": "y",
                "POSTGRES_STATEMENT_TIMEOUT": "" if self.statement_timeout is None else str(self.statement_timeout),
                "POSTGRES_POOL_SIZE": "4",
                "POSTGRES_MAX_OVERFLOW": "8",
                "CREATE_TABLE": "n",
                "APPLICATION_RECORDER_TOPIC": "audit.recorders:ChainedPostgresRecorder",
            }
        raise ConfigurationError(
            f"CASELEDGER_DATABASE_URL: {url!r} is neither sqlite:///PATH nor postgresql://USER@HOST/DB"
        )

    def rule_overrides(self) -> list[Mapping[str, Any]]:
        """The time-limit overrides in ``CASELEDGER_RULES_FILE`` (a JSON list), if any."""
        if self.rules_file is None:
            return []
        try:
            data = json.loads(self.rules_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigurationError(f"CASELEDGER_RULES_FILE: cannot read {self.rules_file}: {error}") from None
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ConfigurationError("CASELEDGER_RULES_FILE: expected a JSON list of objects")
        return data

"""Settings, read from the environment only."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from application.errors import ConfigurationError, StoreNotInitialised

DEFAULT_DATABASE_URL = "sqlite:///caseledger.sqlite3"
SERVICE_STATEMENT_SECONDS = 4.0
"""How long one PostgreSQL statement of the service (web workers, projection followers) may run; a
server that does not answer within a second more is taken for gone (see docs/audit.md, "Timeouts")."""
FAILED_AUTH_PER_MINUTE = 20


@dataclass(frozen=True)
class Settings:
    """Where the store is, where local overrides of the calendar and time limits live, and how the web
    service treats its clients."""

    database_url: str = DEFAULT_DATABASE_URL
    calendar_dir: Path | None = None
    rules_file: Path | None = None
    statement_timeout: float | None = SERVICE_STATEMENT_SECONDS
    """Seconds one PostgreSQL statement may run (None: no limit, for an operator's long commands)."""
    failed_auth_per_minute: int = FAILED_AUTH_PER_MINUTE
    """Failed authentications a client address may make per minute before it is refused for a while."""
    trusted_proxies: frozenset[str] = frozenset()
    """The addresses of the proxies whose ``X-Forwarded-For`` names the client."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        calendar_dir = env.get("CASELEDGER_CALENDAR_DIR")
        rules_file = env.get("CASELEDGER_RULES_FILE")
        limit = env.get("CASELEDGER_FAILED_AUTH_PER_MINUTE", str(FAILED_AUTH_PER_MINUTE))
        if not limit.strip().isdigit():
            raise ConfigurationError(f"CASELEDGER_FAILED_AUTH_PER_MINUTE: {limit!r} is not a whole number")
        proxies = env.get("CASELEDGER_TRUSTED_PROXIES", "")
        return cls(
            database_url=env.get("CASELEDGER_DATABASE_URL", DEFAULT_DATABASE_URL),
            calendar_dir=Path(calendar_dir) if calendar_dir else None,
            rules_file=Path(rules_file) if rules_file else None,
            failed_auth_per_minute=int(limit),
            trusted_proxies=frozenset(filter(None, (a.strip() for a in proxies.split(",")))),
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
        path = self.sqlite_path
        if not self.in_memory and not Path(path).exists():
            raise StoreNotInitialised(
                f"there is no store at {Path(path).resolve()} (CASELEDGER_DATABASE_URL={self.database_url}); "
                "check the path, or run `caseledger db init` to create a new store there"
            )

    @property
    def sqlite_path(self) -> str:
        """The SQLite database the URL names (a file path, or an in-memory database)."""
        url = self.database_url
        if not url.startswith("sqlite:///"):
            raise ConfigurationError(
                f"CASELEDGER_DATABASE_URL: {url!r} is neither sqlite:///PATH nor postgresql://USER@HOST/DB"
            )
        if url == "sqlite:///":
            raise ConfigurationError("CASELEDGER_DATABASE_URL: sqlite:/// needs a file path")
        return url.removeprefix("sqlite:///")

    @property
    def in_memory(self) -> bool:
        """Whether the store is an in-memory SQLite database (gone with its last connection)."""
        return not self.is_postgres and (":memory:" in self.sqlite_path or "mode=memory" in self.sqlite_path)

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

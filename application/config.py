"""Settings, read from the environment only."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from application.errors import ConfigurationError, StoreNotInitialised
from domain.errors import InvalidValue
from domain.passwords import PasswordRules

DEFAULT_DATABASE_URL = "sqlite:///caseledger.sqlite3"
SERVICE_STATEMENT_SECONDS = 4.0
"""How long one PostgreSQL statement of the service (web workers, projection followers) may run; a
server that does not answer within a second more is taken for gone (see docs/audit.md, "Timeouts")."""
FAILED_AUTH_PER_MINUTE = 20


@dataclass(frozen=True)
class PasswordHashing:
    """The cost of argon2id (the library's defaults: 3 passes over 64 MiB, 4 lanes); a hash made with
    another cost is rehashed at the next sign-in."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4


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
    password_rules: PasswordRules = field(default_factory=PasswordRules)
    """What a new password must be (length, character classes, not the username)."""
    password_hashing: PasswordHashing = field(default_factory=PasswordHashing)
    lock_after_failures: int = 5
    """Consecutive wrong passwords that lock an account until the security administrator unlocks it."""
    sign_in_failures_per_address: int = 20
    """Failed sign-ins a client address may make per ``sign_in_failure_window_minutes`` before it is refused."""
    sign_in_failure_window_minutes: int = 15
    session_idle_minutes: int = 30
    """A session unused for longer ends (known to the minute)."""
    session_max_hours: int = 12
    """A session ends this long after its sign-in, however busy."""
    token_days: int = 90
    """How long an API token is valid unless its issue says otherwise."""
    token_max_days: int = 365
    """The longest an API token may be valid."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        calendar_dir = env.get("CASELEDGER_CALENDAR_DIR")
        rules_file = env.get("CASELEDGER_RULES_FILE")
        proxies = env.get("CASELEDGER_TRUSTED_PROXIES", "")
        defaults = cls()
        try:
            rules = PasswordRules(
                _whole(env, "CASELEDGER_PASSWORD_MIN_LENGTH", defaults.password_rules.min_length),
                _whole(env, "CASELEDGER_PASSWORD_MIN_CLASSES", defaults.password_rules.min_classes),
            )
        except InvalidValue as error:
            raise ConfigurationError(f"CASELEDGER_PASSWORD_{error.field.upper()}: {error.message}") from None
        settings = cls(
            database_url=env.get("CASELEDGER_DATABASE_URL", DEFAULT_DATABASE_URL),
            calendar_dir=Path(calendar_dir) if calendar_dir else None,
            rules_file=Path(rules_file) if rules_file else None,
            failed_auth_per_minute=_whole(env, "CASELEDGER_FAILED_AUTH_PER_MINUTE", FAILED_AUTH_PER_MINUTE),
            trusted_proxies=frozenset(filter(None, (a.strip() for a in proxies.split(",")))),
            password_rules=rules,
            lock_after_failures=_whole(env, "CASELEDGER_LOCK_AFTER_FAILURES", defaults.lock_after_failures),
            sign_in_failures_per_address=_whole(
                env, "CASELEDGER_SIGN_IN_FAILURES_PER_ADDRESS", defaults.sign_in_failures_per_address
            ),
            sign_in_failure_window_minutes=_whole(
                env, "CASELEDGER_SIGN_IN_FAILURE_WINDOW_MINUTES", defaults.sign_in_failure_window_minutes
            ),
            session_idle_minutes=_whole(env, "CASELEDGER_SESSION_IDLE_MINUTES", defaults.session_idle_minutes),
            session_max_hours=_whole(env, "CASELEDGER_SESSION_MAX_HOURS", defaults.session_max_hours),
            token_days=_whole(env, "CASELEDGER_TOKEN_DAYS", defaults.token_days),
            token_max_days=_whole(env, "CASELEDGER_TOKEN_MAX_DAYS", defaults.token_max_days),
        )
        if not 1 <= settings.token_days <= settings.token_max_days:
            raise ConfigurationError("CASELEDGER_TOKEN_DAYS: must be from 1 to CASELEDGER_TOKEN_MAX_DAYS")
        return settings

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


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    """The positive whole number the variable ``name`` holds (``default`` if unset)."""
    value = env.get(name, str(default)).strip()
    if not value.isdigit() or int(value) < 1:
        raise ConfigurationError(f"{name}: {value!r} is not a positive whole number")
    return int(value)

"""Errors the application raises; library errors are translated into these.

The domain's own :class:`~domain.errors.InvalidValue` (bad input, naming the field) and
:class:`~domain.errors.RuleViolation` (a refused transition, naming the rule) pass through
unchanged: they are already typed and meaningful to every caller.
"""

from __future__ import annotations

from uuid import UUID


class CaseLedgerError(Exception):
    """Base of the errors the application raises itself."""


class NotFound(CaseLedgerError):
    """No aggregate of the expected kind has this id; ``name`` is what the caller named it by, if not its id."""

    def __init__(self, what: str, aggregate_id: UUID, name: str | None = None) -> None:
        super().__init__(f"{what} {aggregate_id if name is None else repr(name)} not found")
        self.what = what
        self.aggregate_id = aggregate_id
        self.name = name
        self.zh = f"未找到 {aggregate_id if name is None else repr(name)}（{what}）"


class Conflict(CaseLedgerError):
    """Someone else changed the aggregate first; reload and decide again."""

    def __init__(
        self,
        aggregate_id: UUID,
        message: str = "changed concurrently by another command",
        zh: str = "已被另一操作同时修改",
    ) -> None:
        super().__init__(f"{aggregate_id}: {message}")
        self.aggregate_id = aggregate_id
        self.zh = f"{aggregate_id}：{zh}"


class StaleVersion(Conflict):
    """The command was decided against a version that is no longer current."""

    def __init__(self, aggregate_id: UUID, expected: int, current: int) -> None:
        super().__init__(
            aggregate_id,
            f"expected version {expected}, current version is {current}",
            f"所见版本为 {expected}，当前版本为 {current}",
        )
        self.expected = expected
        self.current = current


class Forbidden(CaseLedgerError):
    """The actor's role or unit does not allow the action."""

    def __init__(self, action: str, reason: str) -> None:
        super().__init__(reason)
        self.action = action
        self.reason = reason


class IdempotencyKeyReused(CaseLedgerError):
    """The filing key was already used for a different filing."""

    def __init__(self, key: str, existing: UUID) -> None:
        super().__init__(f"filing key {key!r} was already used for a different filing ({existing})")
        self.key = key
        self.existing = existing
        self.zh = f"幂等键 {key!r} 已用于另一份内容不同的登记（{existing}）"


class LogUnreadable(CaseLedgerError):
    """A stored event cannot be turned back into a domain event (unknown topic or type)."""


class StoreUnavailable(CaseLedgerError):
    """The event store cannot be reached; nothing was changed."""


class ErasureIncomplete(StoreUnavailable):
    """An erasure was recorded and its key deleted, but the key's bytes may still be in the store's files;
    running the erasure again (or ``caseledger identities purge``) finishes it."""


class StoreNotInitialised(CaseLedgerError):
    """The store's tables do not exist; run ``caseledger db init``."""


class ConfigurationError(CaseLedgerError):
    """A setting in the environment is missing or malformed."""

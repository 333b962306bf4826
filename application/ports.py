"""What the ledger needs from the store beside the library's event log, as ports.

The bootstrap (:mod:`bootstrap.ledger`) opens the store and hands the ledger a :class:`Persistence`:
the library's infrastructure and an implementation of each port. The use cases and the projection
runners call the ports; none of them knows which classes stand behind them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, Notification


class NumberSource(Protocol):
    """Hands out increasing case numbers per (kind prefix, year), each in its own tiny transaction, so
    concurrent filings never contend on one aggregate; a number taken by a filing that then fails is
    skipped, never reused."""

    def next(self, prefix: str, year: int) -> int:
        """The next number for ``prefix`` in ``year``; unique, increasing, possibly with gaps."""


class TokenActivity(Protocol):
    """What authentication keeps beside the log: the current versions of a token and its user, read in one
    query on every request (so a revocation anywhere takes effect on the next request in every process),
    and when each token was last used."""

    def versions(self, first: UUID, second: UUID) -> dict[UUID, int]:
        """The current version of each of the two aggregates (absent: no such aggregate)."""

    def record_use(self, token_id: UUID, at: datetime) -> None:
        """Note that the token authenticated at ``at`` (never moves a later time back)."""

    def last_used(self) -> dict[UUID, datetime]:
        """When each token that was ever used was last used."""

    def last_use(self, token_id: UUID) -> datetime | None:
        """When the token was last used (None: never), for a session's idle timeout."""


@dataclass(frozen=True)
class StoredCredential:
    """A user's password as the store keeps it: its argon2id hash, whether it must be changed before
    anything else (an initial password an administrator set), and when it was set."""

    password_hash: str
    must_change: bool
    set_at: datetime


class Credentials(Protocol):
    """Password hashes, kept beside the log and not in it: a hash is replaced when the password changes,
    and is no part of the evidence (the log records only that a password was set)."""

    def set(self, user_id: UUID, password_hash: str, must_change: bool, at: datetime) -> None:
        """Store the user's hash, replacing any earlier one."""

    def get(self, user_id: UUID) -> StoredCredential | None:
        """The user's stored password, or None if they have none."""

    def delete(self, user_id: UUID) -> None:
        """Forget the user's password (a deactivated user keeps none)."""


class IdentityKeyStore(Protocol):
    """Where the keys that seal confidential identities live, apart from the chained log."""

    def identity_key(self, person_id: str) -> bytes | None: ...

    def issue_identity_key(self, person_id: str, key: bytes) -> bytes:
        """The person's key: ``key`` if they had none, else the one they have."""

    def erase_identity_key(self, person_id: str) -> bool: ...

    def purge_erased_keys(self) -> str | None:
        """Remove erased keys' bytes from the store's files; why not, if it could not be done now."""


class EvidenceSource(Protocol):
    """The hash chain over the log, as the audit reads see it."""

    def evidence_bundle(self, originator_ids: Sequence[UUID]) -> dict[str, Any]: ...

    def chain_head(self) -> Any:
        """The newest link (its ``seq``, ``notification_id`` and ``hash``), or None for an empty log."""

    def latest_checkpoint(self) -> tuple[str, str] | None:
        """The latest recorded checkpoint document and the public key it names."""


class EventPositions(Protocol):
    """Finds an event's log position by aggregate and version."""

    def position_of(self, originator_id: UUID, version: int) -> int | None: ...


class AggregateOrderReader(Protocol):
    """Reads the log aggregate by aggregate, for the rebuilds of projections whose rows each follow one."""

    def events_in_aggregate_order(
        self, after: tuple[UUID, int] | None, up_to: int, limit: int
    ) -> list[Notification]: ...

    def count_events_up_to(self, up_to: int) -> int: ...


@dataclass(frozen=True)
class Persistence:
    """The store as the bootstrap opened it: the library's factory and recorder, and each port."""

    factory: InfrastructureFactory[Any]
    recorder: ApplicationRecorder
    numbers: NumberSource
    token_activity: TokenActivity
    credentials: Credentials
    identity_keys: IdentityKeyStore
    evidence: EvidenceSource
    positions: EventPositions
    aggregate_order: AggregateOrderReader
    notify_channel: str | None
    """What the store notifies on each insert (PostgreSQL ``LISTEN``); None: followers poll."""
    commits_in_log_order: bool
    """Whether events commit in notification order, as a follower that only reads forward needs."""

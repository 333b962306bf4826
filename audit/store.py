"""What the audit code reads from a store (:mod:`audit.recorders` provides it; the bootstrap opens one)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, NamedTuple, Protocol, runtime_checkable
from uuid import UUID

from audit.chain import Link


class RawEvent(NamedTuple):
    """One stored event exactly as the store holds it; ``originator`` as :func:`audit.chain.originator_bytes`."""

    notification_id: int
    originator: bytes
    originator_version: int
    topic: str
    state: bytes


class Evidence(NamedTuple):
    """What an evidence bundle is made of, read in one transaction."""

    events: list[RawEvent]
    links: list[Link]
    path: list[Link]
    """Every link from the first of ``links`` up to the checkpoint's head."""
    checkpoint: tuple[str, str] | None
    """The latest recorded checkpoint document and the public key it names."""


class LogSnapshot(ABC):
    """A consistent view of the events and the chain, read in notification-id order."""

    @abstractmethod
    def events_after(self, after: int, limit: int) -> list[RawEvent]: ...

    @abstractmethod
    def links_after(self, after: int, limit: int) -> list[Link]: ...

    @abstractmethod
    def link_with_digest(self, digest: bytes) -> int | None: ...

    @abstractmethod
    def link_with_hash(self, hash_: bytes) -> int | None: ...

    @abstractmethod
    def unlinked_events(self, limit: int) -> list[RawEvent]:
        """Up to ``limit`` events that have no link, in notification-id order."""

    @abstractmethod
    def recorded_checkpoints(self) -> list[str]:
        """The documents of every checkpoint recorded in the checkpoint table."""


@runtime_checkable
class AuditStore(Protocol):
    """What the chained recorders offer beyond the library's application recorder."""

    def snapshot(self) -> AbstractContextManager[LogSnapshot]: ...

    def chain_head(self) -> Link | None: ...

    def link_existing_events(self) -> int: ...

    def evidence(self, originator_ids: Sequence[UUID]) -> Evidence: ...

    def evidence_bundle(self, originator_ids: Sequence[UUID]) -> dict[str, Any]: ...

    def record_checkpoint(self, document: str, last_notification_id: int, log_size: int, public_key: str) -> None: ...

    def latest_checkpoint(self) -> tuple[str, str] | None: ...

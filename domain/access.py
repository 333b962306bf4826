"""Readings and erasures of confidential identities (信访工作条例 Art. 30), recorded in the log.

Reading a complainant's or whistleblower's identity is itself an act to account for: each reading
names the reader, the parties read and the reason. An erasure names the person whose identity key
was destroyed and why; the identity itself never appears in these events.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidValue
from domain.time import check_moment
from domain.values import MAX_NAME, require_text


class AccessLog(Aggregate):
    """The readings of one case's protected identities."""

    @staticmethod
    def create_id(case_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"caseledger:/access-logs/{case_id}")

    @event("Opened")
    def __init__(self, *, case_id: UUID) -> None:
        self.case_id = case_id
        self.readings = 0

    def record_reading(self, actor: Actor, at: datetime, party_ids: list[str], reason: str) -> None:
        """Record that ``actor`` read these parties' identities, and why."""
        if not party_ids:
            raise InvalidValue("party_ids", "a reading names at least one party", zh="查阅至少应指明一名当事人")
        self._identity_read(
            actor=actor,
            at=check_moment(at, None),
            party_ids=[require_text(p, "party_ids", MAX_NAME) for p in party_ids],
            reason=require_text(reason, "reason"),
        )

    @event("IdentityRead")
    def _identity_read(self, actor: Actor, at: datetime, party_ids: list[str], reason: str) -> None:
        self.readings += 1


class ErasedIdentity(Aggregate):
    """The erasure of one person's identity key: after it, their identity reads as erased everywhere."""

    @staticmethod
    def create_id(person_id: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"caseledger:/erased-identities/{person_id}")

    @event("Erased")
    def __init__(self, *, person_id: str, actor: Actor, at: datetime, reason: str) -> None:
        self.person_id = person_id
        self.erased_by = actor
        self.erased_at = at
        self.reason = reason

    @classmethod
    def erase(cls, person_id: str, actor: Actor, at: datetime, reason: str) -> ErasedIdentity:
        """Record the erasure of ``person_id``'s identity key, with the legal reason."""
        return cls(
            person_id=require_text(person_id, "person_id", MAX_NAME),
            actor=actor,
            at=check_moment(at, None),
            reason=require_text(reason, "reason"),
        )

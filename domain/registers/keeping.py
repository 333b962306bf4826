"""That an office keeps a register: from its first entry on, what the office's records name from that
register is checked against it."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.registers.refs import Register


def keeping_id(office: str, register: Register) -> UUID:
    """The id of the record that ``office`` keeps ``register`` (no entry's id: a code holds no ``/``)."""
    return uuid5(NAMESPACE_URL, f"caseledger:/registers/{office}/{register.code}")


class RegisterKept(Aggregate):
    """Recorded with the first entry of a register of an office, in the same transaction, and never
    changed: entries are retired or merged, never deleted, so a register once kept stays kept."""

    @classmethod
    def create_id(cls, office: str, register: Register) -> UUID:
        return keeping_id(office, register)

    @event("Started")
    def __init__(self, *, office: str, register: Register, actor: Actor, at: datetime) -> None:
        self.office = office
        self.register = register
        self.started_by = actor
        self.started_at = at

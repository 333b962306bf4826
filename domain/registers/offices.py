"""Offices (街道 / 乡镇): the bodies one deployment serves, each with its own registers, cases and people."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import event

from domain.actor import Actor
from domain.errors import InvalidValue
from domain.registers.entry import Opening, RegisterEntry
from domain.registers.refs import Register


class Office(RegisterEntry):
    """A subdistrict office or a township; its code is also the office every entry of its own names."""

    REGISTER = Register.OFFICE
    NOUN = "office"

    @event("Registered")
    def __init__(
        self,
        *,
        office: str,
        code: str,
        name: str,
        active_from: datetime,
        reason: str,
        fingerprint: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        self._start(office, code, name, None, active_from, fingerprint, at)

    @classmethod
    def add(cls, opening: Opening) -> Office:
        """Register an office: its entry is of its own office."""
        if opening.office != opening.code:
            raise InvalidValue(
                "office", "an office's own entry is of that office", zh="街道/乡镇条目的所属街道应为其自身"
            )
        return cls(**opening.fields)

    def _check_parent(self, parent: RegisterEntry | None) -> None:
        if parent is not None:
            raise InvalidValue("parent", "an office has no parent", zh="街道/乡镇没有上级")

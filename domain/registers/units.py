"""Units of an office: the bodies cases are dispatched to, reviewed by or ruled on by."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from eventsourcing.domain import event

from domain.actor import Actor
from domain.labels import Labelled
from domain.registers.entry import Opening, RegisterEntry, checked_parent
from domain.registers.refs import Register


class UnitKind(Labelled):
    SECTION = ("section", "科室", "Section")
    COMMUNITY = ("community", "社区/村", "Community or village committee")
    ENFORCEMENT_SQUAD = ("enforcement_squad", "执法中队", "Enforcement squad")
    SUPERVISION_GROUP = ("supervision_group", "依法行政工作监督小组", "Supervision group")
    LEGALITY_REVIEW = ("legality_review", "法制审核室", "Legality-review office")
    DISCIPLINE_COMMITTEE = ("discipline_committee", "纪工委", "Discipline committee")


class Unit(RegisterEntry):
    """A unit of an office, of one kind, optionally under another unit of the same office."""

    REGISTER = Register.UNIT
    NOUN = "unit"

    @event("Registered")
    def __init__(
        self,
        *,
        office: str,
        code: str,
        name: str,
        kind: UnitKind,
        parent: str | None,
        active_from: datetime,
        reason: str,
        fingerprint: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        self._start(office, code, name, parent, active_from, fingerprint, at)
        self.kind = kind

    @classmethod
    def add(cls, opening: Opening, *, kind: UnitKind, lineage: Sequence[RegisterEntry]) -> Unit:
        """Register a unit; ``lineage`` is its parent and the parent's ancestors, nearest first."""
        kind = UnitKind.parse(kind, "kind")
        parent = checked_parent(cls.NOUN, opening.ref(Register.UNIT), lineage, opening.moment)
        return cls(**opening.fields, kind=kind, parent=parent)

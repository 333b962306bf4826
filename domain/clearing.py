"""Clearing a falsely accused cadre (澄清正名), kept on the cadre's record."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import require
from domain.labels import Labelled
from domain.lifecycle import Acted, Lifecycle, RecordName, Transition
from domain.time import check_moment
from domain.values import MAX_NAME, require_text


class ClearingStatus(Labelled):
    PROPOSED = ("proposed", "已提出", "Proposed")
    APPROVED = ("approved", "已批准", "Approved")
    CLEARED = ("cleared", "已澄清", "Cleared")
    RECORDED = ("recorded", "已存档", "Kept on record")


class AccusationFinding(Labelled):
    FALSE = ("false", "经查失实", "Found false")
    SUBSTANTIATED = ("substantiated", "经查属实", "Found substantiated")
    UNDETERMINED = ("undetermined", "无法查实", "Could not be determined")


class ClearingMethod(Labelled):
    LETTER = ("letter", "书面函告", "By letter")
    IN_PERSON = ("in_person", "当面澄清", "In person")
    MEETING_NOTICE = ("meeting_notice", "会议通报", "By notice at a meeting")


S = ClearingStatus


class Clearing(Lifecycle, Aggregate):
    """Restoring the name of a cadre whom an investigation found falsely accused."""

    class Proposed(Aggregate.Created):
        request_key: str
        cadre_id: str
        cadre_name: str
        unit: str
        accusation: str
        investigation: str
        finding: AccusationFinding
        actor: Actor
        at: datetime

    class Approved(Acted):
        pass

    class Cleared(Acted):
        method: ClearingMethod
        scope: str

    class Recorded(Acted):
        record_reference: str

    RECORD: ClassVar[RecordName] = RecordName("clearing", "澄清正名", "Clearing")
    TERMINAL = frozenset({S.RECORDED})
    LIFECYCLE: ClassVar[dict[str, Transition]] = {
        "propose": Transition("提出", "be proposed", Proposed, frozenset(), S.PROPOSED),
        "approve": Transition("批准", "be approved", Approved, frozenset({S.PROPOSED}), S.APPROVED),
        "clear": Transition("澄清", "clear the cadre", Cleared, frozenset({S.APPROVED}), S.CLEARED),
        "record": Transition("存档", "be kept on record", Recorded, frozenset({S.CLEARED}), S.RECORDED),
    }

    @staticmethod
    def create_id(request_key: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"caseledger:/clearings/{request_key}")

    @event(Proposed)
    def __init__(
        self,
        *,
        request_key: str,
        cadre_id: str,
        cadre_name: str,
        unit: str,
        accusation: str,
        investigation: str,
        finding: AccusationFinding,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.cadre_id = cadre_id
        self.cadre_name = cadre_name
        self.unit = unit
        self._moved("propose", at)

    @classmethod
    def propose(
        cls,
        *,
        request_key: str,
        cadre_id: str,
        cadre_name: str,
        unit: str,
        accusation: str,
        investigation: str,
        finding: AccusationFinding,
        actor: Actor,
        at: datetime,
    ) -> Clearing:
        """Propose clearing, citing the investigation; only a finding that the accusation is false allows it."""
        finding = AccusationFinding.parse(finding, "finding")
        require(
            finding is AccusationFinding.FALSE,
            "clearing.propose.finding",
            "只有经调查认定举报失实的，才能澄清正名",
            "a cadre can be cleared only after investigation finds the accusation false",
        )
        return cls(
            request_key=request_key,
            cadre_id=require_text(cadre_id, "cadre_id", MAX_NAME),
            cadre_name=require_text(cadre_name, "cadre_name", MAX_NAME),
            unit=require_text(unit, "unit", MAX_NAME),
            accusation=require_text(accusation, "accusation"),
            investigation=require_text(investigation, "investigation"),
            finding=finding,
            actor=actor,
            at=check_moment(at, None),
        )

    def approve(self, actor: Actor, at: datetime) -> None:
        at = self._guard("approve", at)
        self._approved(actor=actor, at=at)

    @event(Approved)
    def _approved(self, actor: Actor, at: datetime) -> None:
        self._moved("approve", at)

    def clear(self, actor: Actor, at: datetime, method: ClearingMethod, scope: str) -> None:
        """Clear the cadre's name by letter, in person or at a meeting, within the stated scope."""
        at = self._guard("clear", at)
        self._cleared(
            actor=actor, at=at, method=ClearingMethod.parse(method, "method"), scope=require_text(scope, "scope")
        )

    @event(Cleared)
    def _cleared(self, actor: Actor, at: datetime, method: ClearingMethod, scope: str) -> None:
        self._moved("clear", at)

    def record(self, actor: Actor, at: datetime, record_reference: str) -> None:
        """Keep the clearing on the cadre's record."""
        at = self._guard("record", at)
        self._recorded(
            actor=actor, at=at, record_reference=require_text(record_reference, "record_reference", MAX_NAME)
        )

    @event(Recorded)
    def _recorded(self, actor: Actor, at: datetime, record_reference: str) -> None:
        self._moved("record", at)

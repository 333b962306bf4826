"""Cases that end with a follow-up visit (回访) and a closure that says whether they were resolved."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import event

from domain.actor import Actor
from domain.case import Case
from domain.errors import InvalidValue
from domain.lifecycle import Acted
from domain.outcomes import Satisfaction
from domain.values import optional_text, require_text


class FollowedUpCase(Case):
    """Complaints and disputes: visited, then closed as resolved or not (each kind's ``visit`` and ``close``
    transitions say from which statuses, and to which)."""

    class Visited(Acted):
        satisfaction: Satisfaction
        note: str

    class Closed(Acted):
        resolved: bool
        reason: str

    def _start_follow_up(self) -> None:
        self.satisfaction: Satisfaction | None = None
        self.resolved: bool | None = None

    def visit(self, actor: Actor, at: datetime, satisfaction: Satisfaction, note: str = "") -> None:
        """Record the follow-up visit and the resident's satisfaction."""
        at = self._guard("visit", at)
        self._visited(
            actor=actor,
            at=at,
            satisfaction=Satisfaction.parse(satisfaction, "satisfaction"),
            note=optional_text(note, "note"),
        )

    @event(Visited)
    def _visited(self, actor: Actor, at: datetime, satisfaction: Satisfaction, note: str) -> None:
        self.satisfaction = satisfaction
        self._moved("visit", at)

    def close(self, actor: Actor, at: datetime, resolved: bool, reason: str = "") -> None:
        """Approve closure (办结), saying whether the case was resolved; over a dissatisfied resident, say why."""
        at = self._guard("close", at)
        if not isinstance(resolved, bool):
            raise InvalidValue("resolved", "must be true or false", zh="应为 true 或 false")
        if self.satisfaction is Satisfaction.DISSATISFIED:
            reason = require_text(reason, "reason")
        self._closed(actor=actor, at=at, resolved=resolved, reason=optional_text(reason, "reason"))

    @event(Closed)
    def _closed(self, actor: Actor, at: datetime, resolved: bool, reason: str) -> None:
        self.resolved = resolved
        self._moved("close", at)

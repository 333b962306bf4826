"""Use cases every kind of case shares: supervision, reminders, links, corrections, clocks."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.core import CommandResult
from application.permissions import corrected_parties
from application.register_checks import RegisterChecks
from application.sealing import protect_parties
from domain.actor import Actor
from domain.case import Case
from domain.kinds import Channel
from domain.labels import Labelled
from domain.outcomes import ClockPause
from domain.registers.refs import DEFAULT_OFFICE
from domain.values import Location, Party


class SharedUseCases(RegisterChecks):
    def supervise(
        self, case_id: UUID, expected_version: int, actor: Actor, reason: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Put a case under supervision (督办)."""
        return self.update(
            Case, case_id, expected_version, actor, "supervise", lambda c, t: c.supervise(actor, t, reason), at
        )

    def remind(
        self, case_id: UUID, expected_version: int, actor: Actor, note: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Send a reminder (催办)."""
        return self.update(Case, case_id, expected_version, actor, "remind", lambda c, t: c.remind(actor, t, note), at)

    def link_cases(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        related_case_id: UUID,
        relation: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record that another existing case is related to this one."""
        return self.update(
            Case,
            case_id,
            expected_version,
            actor,
            "link_cases",
            lambda c, t: c.link(actor, t, related_case_id, relation),
            at,
            related=lambda: self.load(Case, related_case_id, "related case"),
        )

    def correct_case(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        corrects_version: int,
        reason: str,
        *,
        category: Labelled | str | None = None,
        channel: Channel | str | None = None,
        location: Location | None = None,
        description: str | None = None,
        parties: list[Party] | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        """Correct registered details by a new event naming the event corrected and why."""
        return self.update(
            Case,
            case_id,
            expected_version,
            actor,
            "correct_case",
            lambda c, t: c.correct(
                actor,
                t,
                corrects_version,
                reason,
                category=None if category is None else self._corrected_category(c, category, t),
                channel=None if channel is None else Channel.parse(channel, "channel"),
                location=None if location is None else self._corrected_location(location, t),
                description=description,
                parties=None if parties is None else self._corrected_parties(actor, c, parties),
            ),
            at,
        )

    def _corrected_category(self, case: Case, category: Labelled | str, at: datetime) -> Labelled:
        """The corrected category, if the office's register has it in force at the correction."""
        chosen = case.CATEGORY.parse(category, "category")
        self.check_category(DEFAULT_OFFICE, case.KIND, chosen.code, at)
        return chosen

    def _corrected_location(self, location: Location, at: datetime) -> Location:
        """The corrected location, if the office's register has its places in force at the correction."""
        self.check_location(DEFAULT_OFFICE, location, at)
        return location

    def _corrected_parties(self, actor: Actor, case: Case, parties: list[Party]) -> list[Party]:
        """The corrected parties, sealed: protected ones only from a reader of the case's identities."""
        return protect_parties(self, corrected_parties(actor, case, parties), case.parties)

    def pause_clock(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        pause: ClockPause | str,
        reason: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Pause the running time limit (hearing, expert testing, waiting on a party, public notice)."""
        kind = ClockPause.parse(pause, "pause")
        return self.update(
            Case,
            case_id,
            expected_version,
            actor,
            "pause_clock",
            lambda c, t: c.pause_clock(actor, t, kind, reason, self.rules),
            at,
        )

    def resume_clock(
        self, case_id: UUID, expected_version: int, actor: Actor, *, at: datetime | None = None
    ) -> CommandResult:
        """Restart a paused time limit."""
        return self.update(
            Case, case_id, expected_version, actor, "resume_clock", lambda c, t: c.resume_clock(actor, t), at
        )

    def extend_deadline(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        days: int,
        reason: str,
        *,
        parties_consent: bool = False,
        at: datetime | None = None,
    ) -> CommandResult:
        """Extend the running stage's time limit within the rule table's cap; ``actor`` approves."""
        return self.update(
            Case,
            case_id,
            expected_version,
            actor,
            "extend_deadline",
            lambda c, t: c.extend_deadline(actor, t, days, reason, self.rules, parties_consent),
            at,
        )

"""Use cases of disputes (纠纷) and their mediation."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from application.core import CommandResult
from application.filing import Filing
from domain.actor import Actor
from domain.dispute import Dispute
from domain.kinds import Channel, DisputeType
from domain.outcomes import Performance, RefusalGround, Satisfaction, SessionOutcome
from domain.registers.refs import DEFAULT_OFFICE
from domain.values import Location, Party


class DisputeUseCases(Filing):
    def file_dispute(
        self,
        filing_key: str,
        actor: Actor,
        *,
        category: DisputeType | str,
        channel: Channel | str,
        location: Location,
        description: str,
        parties: list[Party],
        at: datetime | None = None,
    ) -> CommandResult:
        """Register a dispute (applied, found by screening or referred)."""
        content = {
            "category": category,
            "channel": channel,
            "location": location,
            "description": description,
            "parties": parties,
        }
        return self.file_case(Dispute, filing_key, actor, at, content, "file_dispute")

    def accept_dispute(
        self, case_id: UUID, expected_version: int, actor: Actor, *, at: datetime | None = None
    ) -> CommandResult:
        """Accept a dispute for mediation."""
        return self.update(
            Dispute, case_id, expected_version, actor, "accept_dispute", lambda d, t: d.accept(actor, t), at
        )

    def refuse_dispute(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        ground: RefusalGround | str,
        competent_body: str,
        reason: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Refuse mediation, naming where the dispute belongs."""
        g = RefusalGround.parse(ground, "ground")
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "refuse_dispute",
            lambda d, t: d.refuse(actor, t, g, competent_body, reason),
            at,
        )

    def assign_mediator(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        mediator: str,
        unit: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Assign a mediator of a mediating unit (recusals honoured)."""
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "assign_mediator",
            self.naming_units(DEFAULT_OFFICE, lambda d, t: d.assign_mediator(actor, t, mediator, unit), unit=unit),
            at,
        )

    def recuse_mediator(
        self, case_id: UUID, expected_version: int, actor: Actor, reason: str, *, at: datetime | None = None
    ) -> CommandResult:
        """The mediator withdraws (回避)."""
        return self.update(
            Dispute, case_id, expected_version, actor, "recuse_mediator", lambda d, t: d.recuse(actor, t, reason), at
        )

    def investigate_dispute(
        self, case_id: UUID, expected_version: int, actor: Actor, summary: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Record the mediator's investigation."""
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "investigate_dispute",
            lambda d, t: d.investigate(actor, t, summary),
            at,
        )

    def hold_mediation_session(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        held_on: date,
        participants: list[str],
        notes: str,
        outcome: SessionOutcome | str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record one mediation session."""
        o = SessionOutcome.parse(outcome, "outcome")
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "hold_mediation_session",
            lambda d, t: d.hold_session(actor, t, held_on, participants, notes, o),
            at,
        )

    def record_agreement(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        parties: list[str],
        facts: str,
        responsibilities: str,
        terms: str,
        performance: str,
        perform_by: date,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record the mediation agreement (调解协议)."""
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "record_agreement",
            lambda d, t: d.agree(actor, t, parties, facts, responsibilities, terms, performance, perform_by),
            at,
        )

    def end_mediation(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        reason: str,
        advised_route: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """End mediation without agreement (终止), advising the route onward."""
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "end_mediation",
            lambda d, t: d.end_mediation(actor, t, reason, advised_route),
            at,
        )

    def apply_for_confirmation(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        court: str,
        jointly: bool,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record the parties' joint application for judicial confirmation (司法确认)."""
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "apply_for_confirmation",
            lambda d, t: d.apply_for_confirmation(actor, t, court, jointly, self.rules),
            at,
        )

    def record_confirmation(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        confirmed: bool,
        reference: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record the court's ruling on the confirmation."""
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "record_confirmation",
            lambda d, t: d.record_confirmation(actor, t, confirmed, reference),
            at,
        )

    def check_performance(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        result: Performance | str,
        note: str = "",
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record whether the agreement was performed (履行)."""
        r = Performance.parse(result, "result")
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "check_performance",
            lambda d, t: d.check_performance(actor, t, r, note),
            at,
        )

    def visit_dispute_parties(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        satisfaction: Satisfaction | str,
        note: str = "",
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record the follow-up visit (回访)."""
        s = Satisfaction.parse(satisfaction, "satisfaction")
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "visit_dispute_parties",
            lambda d, t: d.visit(actor, t, s, note),
            at,
        )

    def close_dispute(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        resolved: bool,
        reason: str = "",
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Close the dispute, saying whether it was resolved."""
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "close_dispute",
            lambda d, t: d.close(actor, t, resolved, reason),
            at,
        )

    def flag_dispute_risk(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        reason: str,
        reported_to: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Flag a dispute at risk of escalating and record to whom it was reported."""
        return self.update(
            Dispute,
            case_id,
            expected_version,
            actor,
            "flag_dispute_risk",
            lambda d, t: d.flag_risk(actor, t, reason, reported_to),
            at,
        )

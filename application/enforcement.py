"""Use cases of enforcement cases (执法案件)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from application.core import CommandResult
from application.filing import Filing
from domain.actor import Actor
from domain.enforcement import EnforcementCase
from domain.kinds import Channel, GridLevel, ViolationType
from domain.outcomes import DecisionType, EvidenceKind, ExecutionResult, PartyType, ReviewResult
from domain.registers.refs import DEFAULT_OFFICE
from domain.values import Location, Party


class EnforcementUseCases(Filing):
    def record_clue(
        self,
        filing_key: str,
        actor: Actor,
        *,
        category: ViolationType | str,
        channel: Channel | str,
        location: Location,
        description: str,
        parties: list[Party],
        grid_level: GridLevel | str | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record an enforcement clue (patrol, complaint referral, inspection, transfer)."""
        level = None if grid_level is None else GridLevel.parse(grid_level, "grid_level")
        content = {
            "category": category,
            "channel": channel,
            "location": location,
            "description": description,
            "parties": parties,
        }
        return self.file_case(EnforcementCase, filing_key, actor, at, content, "record_clue", grid_level=level)

    def file_enforcement_case(
        self, case_id: UUID, expected_version: int, actor: Actor, reason: str, unit: str, *, at: datetime | None = None
    ) -> CommandResult:
        """File the case (立案) and give it to an enforcement unit."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "file_enforcement_case",
            self.naming_units(DEFAULT_OFFICE, lambda e, t: e.file(actor, t, reason, unit), unit=unit),
            at,
        )

    def decline_enforcement_case(
        self, case_id: UUID, expected_version: int, actor: Actor, reason: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Decide not to file (不予立案)."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "decline_enforcement_case",
            lambda e, t: e.decline(actor, t, reason),
            at,
        )

    def start_investigation(
        self, case_id: UUID, expected_version: int, actor: Actor, officers: list[str], *, at: datetime | None = None
    ) -> CommandResult:
        """Assign at least two investigating officers."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "start_investigation",
            lambda e, t: e.start_investigation(actor, t, officers),
            at,
        )

    def add_evidence(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        kind: EvidenceKind | str,
        description: str,
        sha256: str,
        collected_by: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record an evidence item by its content hash."""
        k = EvidenceKind.parse(kind, "evidence.kind")
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "add_evidence",
            lambda e, t: e.add_evidence(actor, t, k, description, sha256, collected_by),
            at,
        )

    def conclude_investigation(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        proposed: DecisionType | str,
        major: bool,
        complex_case: bool,
        summary: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Conclude the investigation with a proposed outcome."""
        p = DecisionType.parse(proposed, "proposed")
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "conclude_investigation",
            lambda e, t: e.conclude_investigation(actor, t, p, major, complex_case, summary),
            at,
        )

    def submit_for_review(
        self, case_id: UUID, expected_version: int, actor: Actor, *, at: datetime | None = None
    ) -> CommandResult:
        """Send the case to legality review (法制审核)."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "submit_for_review",
            lambda e, t: e.submit_for_review(actor, t),
            at,
        )

    def review_legality(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        result: ReviewResult | str,
        opinions: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Approve, or return with opinions."""
        r = ReviewResult.parse(result, "result")
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "review_legality",
            lambda e, t: e.review_legality(actor, t, r, opinions),
            at,
        )

    def give_prior_notice(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        intended: DecisionType | str,
        fine: Decimal | None,
        rights: str,
        *,
        party_type: PartyType | str = PartyType.INDIVIDUAL,
        hearing_offered: bool = False,
        at: datetime | None = None,
    ) -> CommandResult:
        """Give prior notice of the intended penalty and the party's rights; a large fine (by the rule
        table's amounts for ``party_type``) or another heavy penalty needs ``hearing_offered``."""
        i = DecisionType.parse(intended, "intended")
        party = PartyType.parse(party_type, "party_type")
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "give_prior_notice",
            lambda e, t: e.give_prior_notice(
                actor,
                t,
                i,
                fine,
                rights,
                party_type=party,
                hearing_offered=hearing_offered,
                large_fines=self.rules.large_fines,
            ),
            at,
        )

    def request_hearing(
        self, case_id: UUID, expected_version: int, actor: Actor, *, at: datetime | None = None
    ) -> CommandResult:
        """Record the party's request for a hearing."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "request_hearing",
            lambda e, t: e.request_hearing(actor, t, self.calendar, self.rules),
            at,
        )

    def hold_hearing(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        chair: str,
        participants: list[str],
        record: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record the hearing; its chair is not an investigator."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "hold_hearing",
            lambda e, t: e.hold_hearing(actor, t, chair, participants, record),
            at,
        )

    def hold_collective_discussion(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        participants: list[str],
        conclusion: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record the collective discussion (集体讨论)."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "hold_collective_discussion",
            lambda e, t: e.discuss(actor, t, participants, conclusion),
            at,
        )

    def decide_case(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        decision: DecisionType | str,
        fine: Decimal | None,
        reasons: str,
        legal_basis: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Decide the case."""
        d = DecisionType.parse(decision, "decision")
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "decide_case",
            lambda e, t: e.decide(actor, t, d, fine, reasons, legal_basis),
            at,
        )

    def serve_decision(
        self, case_id: UUID, expected_version: int, actor: Actor, method: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Record service of the decision (送达)."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "serve_decision",
            lambda e, t: e.serve(actor, t, method),
            at,
        )

    def publish_decision(
        self, case_id: UUID, expected_version: int, actor: Actor, where: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Record publication of the decision (执法公示)."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "publish_decision",
            lambda e, t: e.publish(actor, t, where),
            at,
        )

    def execute_decision(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        result: ExecutionResult | str,
        note: str = "",
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record the decision carried out."""
        r = ExecutionResult.parse(result, "result")
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "execute_decision",
            lambda e, t: e.execute(actor, t, r, note),
            at,
        )

    def close_enforcement_case(
        self, case_id: UUID, expected_version: int, actor: Actor, reason: str = "", *, at: datetime | None = None
    ) -> CommandResult:
        """Close the case (结案)."""
        return self.update(
            EnforcementCase,
            case_id,
            expected_version,
            actor,
            "close_enforcement_case",
            lambda e, t: e.close(actor, t, reason),
            at,
        )

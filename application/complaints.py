"""Use cases of complaints (投诉)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.core import CommandResult
from application.filing import Filing
from domain.actor import Actor
from domain.complaint import Complaint
from domain.errors import require
from domain.kinds import Channel, ComplaintCategory
from domain.outcomes import Finding, ReplyOpinion, Satisfaction
from domain.registers.refs import DEFAULT_OFFICE
from domain.values import Location, Party


class ComplaintUseCases(Filing):
    def file_complaint(
        self,
        filing_key: str,
        actor: Actor,
        *,
        category: ComplaintCategory | str,
        channel: Channel | str,
        location: Location,
        description: str,
        parties: list[Party],
        anonymous: bool = False,
        at: datetime | None = None,
    ) -> CommandResult:
        """Register a complaint; the same ``filing_key`` always returns the same complaint."""
        content = {
            "category": category,
            "channel": channel,
            "location": location,
            "description": description,
            "parties": parties,
        }
        return self.file_case(Complaint, filing_key, actor, at, content, "file_complaint", anonymous=bool(anonymous))

    def accept_complaint(
        self, case_id: UUID, expected_version: int, actor: Actor, *, at: datetime | None = None
    ) -> CommandResult:
        """Accept a registered complaint (受理)."""
        return self.update(
            Complaint, case_id, expected_version, actor, "accept_complaint", lambda c, t: c.accept(actor, t), at
        )

    def refuse_complaint(
        self, case_id: UUID, expected_version: int, actor: Actor, reason: str, route: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Refuse acceptance, naming the right route for the resident (不予受理)."""
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "refuse_complaint",
            lambda c, t: c.not_accept(actor, t, reason, route),
            at,
        )

    def answer_complaint(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        opinion: ReplyOpinion | str,
        answer: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Answer a complaint directly on registration (当场答复)."""
        op = ReplyOpinion.parse(opinion, "opinion")
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "answer_complaint",
            lambda c, t: c.answer_directly(actor, t, op, answer),
            at,
        )

    def dispatch_complaint(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        lead_unit: str,
        assisting_units: list[str],
        note: str = "",
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Dispatch to a lead unit and assisting units (交办)."""
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "dispatch_complaint",
            self.naming_units(
                DEFAULT_OFFICE,
                lambda c, t: c.dispatch(actor, t, lead_unit, assisting_units, note),
                lead_unit=lead_unit,
                assisting_units=assisting_units,
            ),
            at,
        )

    def return_complaint(
        self, case_id: UUID, expected_version: int, actor: Actor, reason: str, *, at: datetime | None = None
    ) -> CommandResult:
        """The lead unit returns a complaint outside its remit (退回)."""
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "return_complaint",
            lambda c, t: c.return_to_dispatcher(actor, t, reason, self.calendar, self.rules),
            at,
        )

    def investigate_complaint(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        finding: Finding | str,
        summary: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record the investigation's finding (调查核实)."""
        f = Finding.parse(finding, "finding")
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "investigate_complaint",
            lambda c, t: c.investigate(actor, t, f, summary),
            at,
        )

    def dispose_complaint(
        self, case_id: UUID, expected_version: int, actor: Actor, action_taken: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Record the action taken (处置)."""
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "dispose_complaint",
            lambda c, t: c.dispose(actor, t, action_taken),
            at,
        )

    def reply_to_complaint(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        opinion: ReplyOpinion | str,
        facts: str,
        reasons: str,
        legal_basis: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Reply with opinion, facts, reasons and legal basis (答复)."""
        op = ReplyOpinion.parse(opinion, "opinion")
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "reply_to_complaint",
            lambda c, t: c.reply(actor, t, op, facts, reasons, legal_basis),
            at,
        )

    def visit_complainant(
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
            Complaint,
            case_id,
            expected_version,
            actor,
            "visit_complainant",
            lambda c, t: c.visit(actor, t, s, note),
            at,
        )

    def close_complaint(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        resolved: bool,
        reason: str = "",
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Approve closure (办结), saying whether the complaint was resolved."""
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "close_complaint",
            lambda c, t: c.close(actor, t, resolved, reason),
            at,
        )

    def reopen_complaint(
        self, case_id: UUID, expected_version: int, actor: Actor, reason: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Reopen after a dissatisfied visit (重办); the third reopening escalates it."""
        return self.update(
            Complaint, case_id, expected_version, actor, "reopen_complaint", lambda c, t: c.reopen(actor, t, reason), at
        )

    def merge_complaint(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        duplicate_of: UUID,
        reason: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Merge into the open complaint this one duplicates (并案)."""
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "merge_complaint",
            lambda c, t: c.merge_into(actor, t, duplicate_of, reason),
            at,
            related=lambda: self._open_merge_target(duplicate_of),
        )

    def _open_merge_target(self, duplicate_of: UUID) -> None:
        target = self.load(Complaint, duplicate_of, "duplicate complaint")
        require(
            target.is_open,
            "complaint.merge.target_open",
            f"只能并入仍在办理中的投诉（{target.number}为「{target.status.zh}」）",
            f"a complaint can only be merged into one still open ({target.number} is {target.status.en.lower()})",
        )

    def transfer_complaint(
        self,
        case_id: UUID,
        expected_version: int,
        actor: Actor,
        agency: str,
        reason: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Transfer to the competent agency (转办)."""
        return self.update(
            Complaint,
            case_id,
            expected_version,
            actor,
            "transfer_complaint",
            lambda c, t: c.transfer_out(actor, t, agency, reason),
            at,
        )

"""Use cases of tolerated-error rulings (容错免责) and clearings (澄清正名)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from application.core import CommandResult, fingerprint
from application.errors import IdempotencyKeyReused
from application.register_checks import RegisterChecks
from domain.actor import Actor
from domain.case import Case
from domain.clearing import AccusationFinding, Clearing, ClearingMethod
from domain.registers.refs import DEFAULT_OFFICE
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect, ToleranceRuling
from domain.values import require_text

RULING = "tolerated-error ruling"
CLEARING = "clearing"


class RulingUseCases(RegisterChecks):
    def request_ruling(
        self,
        request_key: str,
        actor: Actor,
        *,
        cadre_id: str,
        cadre_name: str,
        unit: str,
        case_ids: list[UUID],
        error: str,
        consequences: str,
        circumstances: str,
        motive: str,
        proposed_by_unit: bool,
        at: datetime | None = None,
    ) -> CommandResult:
        """Open a tolerated-error ruling; the same ``request_key`` returns the same ruling."""
        self.authorize(actor, "request_ruling")
        key = require_text(request_key, "request_key", 200)
        for case_id in case_ids:
            self.load(Case, case_id, "case")
        moment = self.moment(at)
        ruling = ToleranceRuling.request(
            request_key=key,
            cadre_id=cadre_id,
            cadre_name=cadre_name,
            unit=unit,
            case_ids=list(case_ids),
            error=error,
            consequences=consequences,
            circumstances=circumstances,
            motive=motive,
            proposed_by_unit=proposed_by_unit,
            actor=actor,
            at=moment,
        )
        return self._create_once(ruling, key, RULING, lambda: self.check_units(DEFAULT_OFFICE, moment, unit=unit))

    def review_appeal(
        self, appealed_ruling_id: UUID, request_key: str, actor: Actor, *, at: datetime | None = None
    ) -> CommandResult:
        """Open the new ruling that reviews an appealed one; it names the ruling it reviews."""
        self.authorize(actor, "review_appeal")
        old = self.load(ToleranceRuling, appealed_ruling_id, RULING)
        old.check_reviewable()
        key = require_text(request_key, "request_key", 200)
        first = self.events_of(appealed_ruling_id)[0]
        ruling = ToleranceRuling.request(
            request_key=key,
            cadre_id=old.cadre_id,
            cadre_name=old.cadre_name,
            unit=old.unit,
            case_ids=old.case_ids,
            error=first.error,
            consequences=first.consequences,
            circumstances=first.circumstances,
            motive=first.motive,
            proposed_by_unit=first.proposed_by_unit,
            supersedes=appealed_ruling_id,
            actor=actor,
            at=self.moment(at),
        )
        return self._create_once(ruling, key, RULING)

    def accept_ruling(
        self, ruling_id: UUID, expected_version: int, actor: Actor, *, at: datetime | None = None
    ) -> CommandResult:
        return self.update(
            ToleranceRuling, ruling_id, expected_version, actor, "accept_ruling", lambda r, t: r.accept(actor, t), at
        )

    def decline_ruling(
        self, ruling_id: UUID, expected_version: int, actor: Actor, reason: str, *, at: datetime | None = None
    ) -> CommandResult:
        return self.update(
            ToleranceRuling,
            ruling_id,
            expected_version,
            actor,
            "decline_ruling",
            lambda r, t: r.decline(actor, t, reason),
            at,
        )

    def verify_ruling(
        self,
        ruling_id: UUID,
        expected_version: int,
        actor: Actor,
        conditions_met: list[ToleranceCondition | str],
        negative_list_hit: bool,
        notes: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Record each condition checked and whether the negative list applies."""
        met = ToleranceCondition.parse_many(conditions_met, "conditions_met")
        return self.update(
            ToleranceRuling,
            ruling_id,
            expected_version,
            actor,
            "verify_ruling",
            lambda r, t: r.verify(actor, t, met, negative_list_hit, notes),
            at,
        )

    def deliberate_ruling(
        self,
        ruling_id: UUID,
        expected_version: int,
        actor: Actor,
        participants: list[str],
        summary: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        return self.update(
            ToleranceRuling,
            ruling_id,
            expected_version,
            actor,
            "deliberate_ruling",
            lambda r, t: r.deliberate(actor, t, participants, summary),
            at,
        )

    def issue_ruling(
        self,
        ruling_id: UUID,
        expected_version: int,
        actor: Actor,
        outcome: RulingOutcome | str,
        effects: list[ToleranceEffect | str],
        basis: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Rule: exempted, mitigated or not tolerated, with the effects granted and the basis."""
        o = RulingOutcome.parse(outcome, "outcome")
        granted = ToleranceEffect.parse_many(effects, "effects")
        return self.update(
            ToleranceRuling,
            ruling_id,
            expected_version,
            actor,
            "issue_ruling",
            lambda r, t: r.rule(actor, t, o, granted, basis),
            at,
        )

    def notify_ruling(
        self, ruling_id: UUID, expected_version: int, actor: Actor, notified: str, *, at: datetime | None = None
    ) -> CommandResult:
        return self.update(
            ToleranceRuling,
            ruling_id,
            expected_version,
            actor,
            "notify_ruling",
            lambda r, t: r.notify(actor, t, notified),
            at,
        )

    def file_ruling_upward(
        self, ruling_id: UUID, expected_version: int, actor: Actor, authority: str, *, at: datetime | None = None
    ) -> CommandResult:
        return self.update(
            ToleranceRuling,
            ruling_id,
            expected_version,
            actor,
            "file_ruling_upward",
            lambda r, t: r.file_upward(actor, t, authority),
            at,
        )

    def appeal_ruling(
        self, ruling_id: UUID, expected_version: int, actor: Actor, grounds: str, *, at: datetime | None = None
    ) -> CommandResult:
        return self.update(
            ToleranceRuling,
            ruling_id,
            expected_version,
            actor,
            "appeal_ruling",
            lambda r, t: r.appeal(actor, t, grounds),
            at,
        )

    def propose_clearing(
        self,
        request_key: str,
        actor: Actor,
        *,
        cadre_id: str,
        cadre_name: str,
        unit: str,
        accusation: str,
        investigation: str,
        finding: AccusationFinding | str,
        at: datetime | None = None,
    ) -> CommandResult:
        """Propose clearing a cadre an investigation found falsely accused."""
        self.authorize(actor, "propose_clearing")
        key = require_text(request_key, "request_key", 200)
        moment = self.moment(at)
        clearing = Clearing.propose(
            request_key=key,
            cadre_id=cadre_id,
            cadre_name=cadre_name,
            unit=unit,
            accusation=accusation,
            investigation=investigation,
            finding=AccusationFinding.parse(finding, "finding"),
            actor=actor,
            at=moment,
        )
        return self._create_once(clearing, key, CLEARING, lambda: self.check_units(DEFAULT_OFFICE, moment, unit=unit))

    def approve_clearing(
        self, clearing_id: UUID, expected_version: int, actor: Actor, *, at: datetime | None = None
    ) -> CommandResult:
        return self.update(
            Clearing, clearing_id, expected_version, actor, "approve_clearing", lambda c, t: c.approve(actor, t), at
        )

    def clear_cadre(
        self,
        clearing_id: UUID,
        expected_version: int,
        actor: Actor,
        method: ClearingMethod | str,
        scope: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        m = ClearingMethod.parse(method, "method")
        return self.update(
            Clearing, clearing_id, expected_version, actor, "clear_cadre", lambda c, t: c.clear(actor, t, m, scope), at
        )

    def record_clearing(
        self,
        clearing_id: UUID,
        expected_version: int,
        actor: Actor,
        record_reference: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        return self.update(
            Clearing,
            clearing_id,
            expected_version,
            actor,
            "record_clearing",
            lambda c, t: c.record(actor, t, record_reference),
            at,
        )

    def _create_once(
        self, aggregate: ToleranceRuling | Clearing, key: str, what: str, check: Callable[[], None] | None = None
    ) -> CommandResult:
        """Save a new ruling or clearing once ``check`` passes (the unit it names in force); a retry with the
        same key and content returns the first one, the same key with other content raises
        :class:`IdempotencyKeyReused`."""
        if self.exists(aggregate.id):
            existing = self.load(type(aggregate), aggregate.id, what)
            if _content(self.events_of(aggregate.id)[0]) != _content(aggregate.pending_events[0]):
                raise IdempotencyKeyReused(key, aggregate.id)
            return self.retried(existing)
        if check is not None:
            check()
        return self.commit(aggregate)


_NOT_CONTENT = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic", "actor", "at"})


def _content(created: Any) -> str:
    """The fingerprint of what a creating event records, leaving out who recorded it and when."""
    return fingerprint({name: value for name, value in vars(created).items() if name not in _NOT_CONTENT})

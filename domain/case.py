"""The case core shared by complaints, disputes and enforcement cases.

Every command method checks its guards, then triggers exactly one event; the private
``_…`` methods decorated with ``@event`` are the only places state changes, so replaying
the log rebuilds the same case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidValue, RuleViolation, require
from domain.kinds import CHANNELS_BY_KIND, CaseKind, Channel
from domain.labels import Labelled
from domain.outcomes import ClockPause
from domain.rules import ClockRule, RuleTable, Stage
from domain.time import check_moment
from domain.values import Location, Party, require_text


def case_id_for(kind: CaseKind, filing_key: str) -> UUID:
    """The id of the case filed with ``filing_key``: the same key always names the same case."""
    return uuid5(NAMESPACE_URL, f"caseledger:/cases/{kind.code}/{filing_key}")


@dataclass(frozen=True)
class Step:
    """One action of a lifecycle: its labels and the statuses it may start from."""

    zh: str
    en: str
    allowed: frozenset[Any]


class Case(Aggregate):
    """A case of any kind: number, category, channel, location, parties, links and status."""

    KIND: ClassVar[CaseKind]
    CATEGORY: ClassVar[type[Labelled]]
    EXTENDABLE_STAGE: ClassVar[Stage]
    LIFECYCLE: ClassVar[dict[str, Step]]
    TERMINAL: ClassVar[frozenset[Any]]
    MIN_PARTIES: ClassVar[int] = 0

    @classmethod
    def create_id(cls, filing_key: str) -> UUID:
        return case_id_for(cls.KIND, filing_key)

    def _file(
        self,
        number: str,
        filing_key: str,
        category: Labelled,
        channel: Channel,
        location: Location,
        description: str,
        parties: list[Party],
        fingerprint: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        self.number = number
        self.filing_key = filing_key
        self.fingerprint = fingerprint
        self.category = category
        self.channel = channel
        self.location = location
        self.description = description
        self.parties = list(parties)
        self.filed_by = actor
        self.filed_at = at
        self.last_at = at
        self.links: list[tuple[str, str]] = []
        self.supervised = False
        self.reminders = 0
        self.paused: ClockPause | None = None
        self.extensions: list[int] = []
        self.corrections: list[int] = []

    @classmethod
    def check_filing(
        cls,
        *,
        category: object,
        channel: object,
        location: object,
        description: object,
        parties: object,
        at: object,
    ) -> None:
        """Refuse bad filing input, naming the field, before anything is created."""
        cls.CATEGORY.parse(category, "category")
        chosen = Channel.parse(channel, "channel")
        if chosen not in CHANNELS_BY_KIND[cls.KIND]:
            allowed = ", ".join(sorted(c.code for c in CHANNELS_BY_KIND[cls.KIND]))
            raise InvalidValue(
                "channel",
                f"{_article(cls.KIND)} cannot come by {chosen.code}; use one of: {allowed}",
                zh=f"{cls.KIND.zh}不能经由 {chosen.code} 渠道登记，可选：{allowed}",
            )
        if not isinstance(location, Location):
            raise InvalidValue("location", "must be a location", zh="应为地点")
        require_text(description, "description")
        if not isinstance(parties, list) or not all(isinstance(p, Party) for p in parties):
            raise InvalidValue("parties", "must be a list of parties", zh="应为当事人列表")
        if len(parties) < cls.MIN_PARTIES:
            raise InvalidValue(
                "parties",
                f"{_article(cls.KIND)} needs at least {cls.MIN_PARTIES} parties",
                zh=f"{cls.KIND.zh}至少需要 {cls.MIN_PARTIES} 名当事人",
            )
        check_moment(at, None)

    # -- guards ---------------------------------------------------------------------------

    @property
    def handling_units(self) -> frozenset[str]:
        """The units whose handlers act on this case."""
        return frozenset()

    @property
    def is_open(self) -> bool:
        return self.status not in self.TERMINAL

    def _guard(self, action: str, at: datetime) -> datetime:
        step = self.LIFECYCLE[action]
        if self.status not in step.allowed:
            allowed_zh = "、".join(s.zh for s in sorted(step.allowed, key=_code))
            allowed_en = ", ".join(s.en for s in sorted(step.allowed, key=_code))
            raise RuleViolation(
                f"{self.KIND.code}.{action}.status",
                f"{self.KIND.zh}当前状态为「{self.status.zh}」，不能{step.zh}（仅限：{allowed_zh}）",
                f"{_article(self.KIND)} cannot {step.en} while {self.status.en.lower()} (only when: {allowed_en})",
            )
        return check_moment(at, self.last_at)

    def _require(self, condition: bool, rule: str, zh: str, en: str) -> None:
        require(condition, f"{self.KIND.code}.{rule}", zh, en)

    def _require_open(self, at: datetime) -> datetime:
        self._require(
            self.is_open,
            "closed",
            f"{self.KIND.zh}已处于「{self.status.zh}」，不能再办理",
            f"the {self.KIND.en.lower()} is {self.status.en.lower()} and takes no further action",
        )
        return check_moment(at, self.last_at)

    def _moved(self, status: Labelled, at: datetime) -> None:
        self.status = status
        self.last_at = at

    # -- behaviour every kind shares ------------------------------------------------------

    def supervise(self, actor: Actor, at: datetime, reason: str) -> None:
        """Put the case under supervision (督办)."""
        at = self._require_open(at)
        self._require(not self.supervised, "supervise.already", "该案件已在督办中", "the case is already supervised")
        self._supervised(actor=actor, at=at, reason=require_text(reason, "reason"))

    @event("Supervised")
    def _supervised(self, actor: Actor, at: datetime, reason: str) -> None:
        self.supervised = True
        self.last_at = at

    def remind(self, actor: Actor, at: datetime, note: str) -> None:
        """Send a reminder (催办) to whoever holds the case."""
        at = self._require_open(at)
        self._reminded(actor=actor, at=at, note=require_text(note, "note"))

    @event("Reminded")
    def _reminded(self, actor: Actor, at: datetime, note: str) -> None:
        self.reminders += 1
        self.last_at = at

    def link(self, actor: Actor, at: datetime, related_case_id: UUID, relation: str) -> None:
        """Record that another case is related to this one."""
        at = check_moment(at, self.last_at)
        relation = require_text(relation, "relation", 200)
        self._require(related_case_id != self.id, "link.self", "案件不能关联自身", "a case cannot be linked to itself")
        self._linked(actor=actor, at=at, related_case_id=related_case_id, relation=relation)

    @event("Linked")
    def _linked(self, actor: Actor, at: datetime, related_case_id: UUID, relation: str) -> None:
        self.links.append((related_case_id.hex, relation))
        self.last_at = at

    def correct(
        self,
        actor: Actor,
        at: datetime,
        corrects_version: int,
        reason: str,
        *,
        category: Labelled | None = None,
        channel: Channel | None = None,
        location: Location | None = None,
        description: str | None = None,
        parties: list[Party] | None = None,
    ) -> None:
        """Correct what was registered; the correction names the event it corrects and why."""
        at = check_moment(at, self.last_at)
        if not isinstance(corrects_version, int) or not 1 <= corrects_version <= self.version:
            raise InvalidValue(
                "corrects_version",
                f"must name an event of this case (1..{self.version})",
                zh=f"应为本案的事件版本（1..{self.version}）",
            )
        if all(v is None for v in (category, channel, location, description, parties)):
            raise InvalidValue("changes", "a correction must change at least one field", zh="更正至少应修改一项")
        if category is not None:
            category = self.CATEGORY.parse(category, "category")
        if channel is not None:
            channel = Channel.parse(channel, "channel")
            if channel not in CHANNELS_BY_KIND[self.KIND]:
                raise InvalidValue(
                    "channel", f"not a channel for a {self.KIND.en.lower()}", zh=f"不是{self.KIND.zh}的登记渠道"
                )
        if location is not None and not isinstance(location, Location):
            raise InvalidValue("location", "must be a location", zh="应为地点")
        if description is not None:
            description = require_text(description, "description")
        if parties is not None and not all(isinstance(p, Party) for p in parties):
            raise InvalidValue("parties", "must be a list of parties", zh="应为当事人列表")
        self._corrected(
            actor=actor,
            at=at,
            corrects_version=corrects_version,
            reason=require_text(reason, "reason"),
            category=category,
            channel=channel,
            location=location,
            description=description,
            parties=parties,
        )

    @event("Corrected")
    def _corrected(
        self,
        actor: Actor,
        at: datetime,
        corrects_version: int,
        reason: str,
        category: Labelled | None,
        channel: Channel | None,
        location: Location | None,
        description: str | None,
        parties: list[Party] | None,
    ) -> None:
        if category is not None:
            self.category = category
        if channel is not None:
            self.channel = channel
        if location is not None:
            self.location = location
        if description is not None:
            self.description = description
        if parties is not None:
            self.parties = list(parties)
        self.corrections.append(corrects_version)
        self.last_at = at

    def pause_clock(self, actor: Actor, at: datetime, pause: ClockPause, reason: str, rules: RuleTable) -> None:
        """Stop the running time limit for a reason the rule table lets pause it."""
        at = self._require_open(at)
        pause = ClockPause.parse(pause, "pause")
        self._require(self.paused is None, "pause.already", "时限已暂停", "the time limit is already paused")
        rule = rules.rule(self.KIND, self.EXTENDABLE_STAGE, self.category.code)
        self._require(
            pause in rule.pauses,
            "pause.not_allowed",
            f"「{pause.zh}」不计入{rule.stage.zh}期限的规定不适用于本案",
            f"{pause.en.lower()} does not pause the time limit to {rule.stage.en.lower()} ({rule.basis})",
        )
        self._clock_paused(actor=actor, at=at, pause=pause, reason=require_text(reason, "reason"))

    @event("ClockPaused")
    def _clock_paused(self, actor: Actor, at: datetime, pause: ClockPause, reason: str) -> None:
        self.paused = pause
        self.last_at = at

    def resume_clock(self, actor: Actor, at: datetime) -> None:
        """Restart a paused time limit."""
        at = self._require_open(at)
        self._require(self.paused is not None, "resume.not_paused", "时限未暂停", "the time limit is not paused")
        self._clock_resumed(actor=actor, at=at)

    @event("ClockResumed")
    def _clock_resumed(self, actor: Actor, at: datetime) -> None:
        self.paused = None
        self.last_at = at

    def extend_deadline(
        self, actor: Actor, at: datetime, days: int, reason: str, rules: RuleTable, parties_consent: bool = False
    ) -> None:
        """Extend the running stage's time limit, within the rule's cap (approver = ``actor``)."""
        at = self._guard("extend", at)
        rule = rules.rule(self.KIND, self.EXTENDABLE_STAGE, self.category.code)
        check_extension(rule, days, len(self.extensions), parties_consent, self.KIND)
        self._deadline_extended(
            actor=actor,
            at=at,
            stage=rule.stage,
            days=days,
            reason=require_text(reason, "reason"),
            parties_consent=parties_consent,
        )

    @event("DeadlineExtended")
    def _deadline_extended(
        self, actor: Actor, at: datetime, stage: Stage, days: int, reason: str, parties_consent: bool
    ) -> None:
        self.extensions.append(days)
        self.last_at = at


def check_extension(rule: ClockRule, days: object, used: int, consent: bool, kind: CaseKind) -> None:
    """Refuse an extension the rule does not allow: beyond its cap, too often, or without consent."""
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise InvalidValue("days", "must be a positive whole number of days", zh="应为正整数天数")
    if days > rule.extension_cap:
        raise InvalidValue(
            "days",
            f"an extension of {rule.stage.en.lower()} may be at most {rule.extension_cap} days ({rule.basis})",
            zh=f"「{rule.stage.zh}」最多可延长 {rule.extension_cap} 天（{rule.basis}）",
        )
    if used >= rule.max_extensions:
        raise RuleViolation(
            f"{kind.code}.extend.limit",
            f"该时限最多延长{rule.max_extensions}次，已延长{used}次",
            f"this time limit may be extended at most {rule.max_extensions} time(s); already extended {used}",
        )
    if rule.needs_consent and not consent:
        raise RuleViolation(
            f"{kind.code}.extend.consent",
            "延长调解期限须经双方当事人同意",
            "extending this time limit needs the consent of both parties",
        )


def _article(kind: CaseKind) -> str:
    noun = kind.en.lower()
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _code(member: Labelled) -> str:
    return member.code

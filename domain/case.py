"""The case core shared by complaints, disputes and enforcement cases.

Every command method checks its guards, then triggers exactly one event; the private
``_…`` methods decorated with ``@event`` are the only places state changes, so replaying
the log rebuilds the same case.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidValue, RuleViolation, require
from domain.kinds import CHANNELS_BY_KIND, CaseKind, Channel
from domain.labels import Labelled
from domain.lifecycle import Acted, Lifecycle, Transition, article
from domain.outcomes import ClockPause
from domain.registers.categories import TimeLimit
from domain.rules import ClockRule, RuleTable, Stage
from domain.time import check_moment
from domain.values import Location, Party, require_text


def case_id_for(kind: CaseKind, filing_key: str) -> UUID:
    """The id of the case filed with ``filing_key``: the same key always names the same case."""
    return uuid5(NAMESPACE_URL, f"caseledger:/cases/{kind.code}/{filing_key}")


class Case(Lifecycle, Aggregate):
    """A case of any kind: number, category, channel, location, parties, links and status.

    :data:`SHARED` is the part of every kind's lifecycle that the kinds share; a kind narrows ``extend``
    to the statuses its running time limit may be extended in.
    """

    class Supervised(Acted):
        reason: str

    class Reminded(Acted):
        note: str

    class Linked(Acted):
        related_case_id: UUID
        relation: str

    class Corrected(Acted):
        corrects_version: int
        reason: str
        category: Labelled | None
        channel: Channel | None
        location: Location | None
        description: str | None
        parties: list[Party] | None

    class ClockPaused(Acted):
        pause: ClockPause
        reason: str

    class ClockResumed(Acted):
        pass

    class DeadlineExtended(Acted):
        stage: Stage
        days: int
        reason: str
        parties_consent: bool

    SHARED: ClassVar[dict[str, Transition]] = {
        "supervise": Transition("督办", "be supervised", Supervised, open_only=True),
        "remind": Transition("催办", "get a reminder", Reminded, open_only=True),
        "link": Transition("关联案件", "be linked", Linked),
        "correct": Transition("更正", "be corrected", Corrected),
        "pause": Transition("暂停计时", "have its time limit paused", ClockPaused, open_only=True),
        "resume": Transition("恢复计时", "have its time limit resumed", ClockResumed, open_only=True),
        "extend": Transition("延期", "have its time limit extended", DeadlineExtended, open_only=True),
    }
    LIFECYCLE: ClassVar[dict[str, Transition]] = SHARED
    KIND: ClassVar[CaseKind]
    RECORD: ClassVar[CaseKind]
    CATEGORY: ClassVar[type[Labelled]]
    EXTENDABLE_STAGE: ClassVar[Stage]
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
        limits: tuple[TimeLimit, ...],
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
        self.limits = list(limits)
        """The time limits its category set when it was filed, which its clocks run on."""
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
                f"{article(cls.KIND)} cannot come by {chosen.code}; use one of: {allowed}",
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
                f"{article(cls.KIND)} needs at least {cls.MIN_PARTIES} parties",
                zh=f"{cls.KIND.zh}至少需要 {cls.MIN_PARTIES} 名当事人",
            )
        check_moment(at, None)

    # -- guards ---------------------------------------------------------------------------

    @property
    def handling_units(self) -> frozenset[str]:
        """The units whose handlers act on this case."""
        return frozenset()

    def _require(self, condition: bool, rule: str, zh: str, en: str) -> None:
        require(condition, f"{self.KIND.code}.{rule}", zh, en)

    # -- behaviour every kind shares ------------------------------------------------------

    def supervise(self, actor: Actor, at: datetime, reason: str) -> None:
        """Put the case under supervision (督办)."""
        at = self._guard("supervise", at)
        self._require(not self.supervised, "supervise.already", "该案件已在督办中", "the case is already supervised")
        self._supervised(actor=actor, at=at, reason=require_text(reason, "reason"))

    @event(Supervised)
    def _supervised(self, actor: Actor, at: datetime, reason: str) -> None:
        self.supervised = True
        self._moved("supervise", at)

    def remind(self, actor: Actor, at: datetime, note: str) -> None:
        """Send a reminder (催办) to whoever holds the case."""
        at = self._guard("remind", at)
        self._reminded(actor=actor, at=at, note=require_text(note, "note"))

    @event(Reminded)
    def _reminded(self, actor: Actor, at: datetime, note: str) -> None:
        self.reminders += 1
        self._moved("remind", at)

    def link(self, actor: Actor, at: datetime, related_case_id: UUID, relation: str) -> None:
        """Record that another case is related to this one."""
        at = self._guard("link", at)
        relation = require_text(relation, "relation", 200)
        self._require(related_case_id != self.id, "link.self", "案件不能关联自身", "a case cannot be linked to itself")
        self._linked(actor=actor, at=at, related_case_id=related_case_id, relation=relation)

    @event(Linked)
    def _linked(self, actor: Actor, at: datetime, related_case_id: UUID, relation: str) -> None:
        self.links.append((related_case_id.hex, relation))
        self._moved("link", at)

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
        at = self._guard("correct", at)
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

    @event(Corrected)
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
        self._moved("correct", at)

    def pause_clock(self, actor: Actor, at: datetime, pause: ClockPause, reason: str, rules: RuleTable) -> None:
        """Stop the running time limit for a reason the rule table lets pause it."""
        at = self._guard("pause", at)
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

    @event(ClockPaused)
    def _clock_paused(self, actor: Actor, at: datetime, pause: ClockPause, reason: str) -> None:
        self.paused = pause
        self._moved("pause", at)

    def resume_clock(self, actor: Actor, at: datetime) -> None:
        """Restart a paused time limit."""
        at = self._guard("resume", at)
        self._require(self.paused is not None, "resume.not_paused", "时限未暂停", "the time limit is not paused")
        self._clock_resumed(actor=actor, at=at)

    @event(ClockResumed)
    def _clock_resumed(self, actor: Actor, at: datetime) -> None:
        self.paused = None
        self._moved("resume", at)

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

    @event(DeadlineExtended)
    def _deadline_extended(
        self, actor: Actor, at: datetime, stage: Stage, days: int, reason: str, parties_consent: bool
    ) -> None:
        self.extensions.append(days)
        self._moved("extend", at)


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

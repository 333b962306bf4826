"""What every register entry shares: a code that names it forever, and its names, parents and active
period as they change over time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actor import Actor
from domain.errors import InvalidValue, RuleViolation, require
from domain.registers.refs import EntryRef, NotInRegister, Register, entry_id_for, require_code, shown
from domain.time import check_moment, require_aware
from domain.values import MAX_NAME, require_text

T = TypeVar("T")


class RegisterEntry(Aggregate):
    """One entry of a register. Its code never changes; a change of name, parent, period or limits is an
    event with its actor and reason, and every question is asked "as of" a moment."""

    REGISTER: ClassVar[Register]
    NOUN: ClassVar[str]
    """The first part of this register's rule codes."""

    @classmethod
    def create_id(cls, office: str, code: str) -> UUID:
        return entry_id_for(office, cls.REGISTER, code)

    def _start(
        self,
        office: str,
        code: str,
        name: str,
        parent: str | None,
        active_from: datetime,
        fingerprint: str,
        at: datetime,
    ) -> None:
        self.office = office
        self.code = code
        self.fingerprint = fingerprint
        self.names: list[tuple[datetime, str]] = [(at, name)]
        self.parents: list[tuple[datetime, str | None]] = [(at, parent)]
        self.active_from = active_from
        self.active_to: datetime | None = None
        self.merged_into: str | None = None
        self.last_at = at

    # -- queries ----------------------------------------------------------------------------

    @property
    def register(self) -> Register:
        return self.REGISTER

    @property
    def ref(self) -> EntryRef:
        return EntryRef(self.office, self.register, self.code)

    @property
    def name(self) -> str:
        return self.names[-1][1]

    @property
    def parent(self) -> str | None:
        return self.parents[-1][1]

    def name_at(self, at: datetime) -> str:
        """The name in force at ``at`` (the first name for any time before the first rename)."""
        return as_of(self.names, at)

    def parent_at(self, at: datetime) -> str | None:
        """The code of the parent at ``at``."""
        return as_of(self.parents, at)

    def active_at(self, at: datetime) -> bool:
        """Whether the entry is in force at ``at``: from ``active_from``, until (excluding) ``active_to``."""
        return self.active_from <= at and (self.active_to is None or at < self.active_to)

    @property
    def open_ended(self) -> bool:
        """Neither retired nor merged, nor due to be."""
        return self.active_to is None

    def require_active(self, at: datetime, field: str) -> None:
        """Refuse, naming ``field``, unless the entry is in force at ``at``."""
        if self.active_at(at):
            return
        what, code = self.register, self.code
        if at < self.active_from:
            en = f"is in force only from {shown(self.active_from)}"
            zh = f"自 {shown(self.active_from)} 起才启用"
        else:
            en, zh = self._end_text()
        raise NotInRegister(
            field,
            self.ref,
            f"{what.en.lower()} {code!r} ({self.name_at(at)}) {en}",
            zh=f"{what.zh}「{code}」（{self.name_at(at)}）{zh}",
        )

    def _end_text(self) -> tuple[str, str]:
        ended = shown(self.active_to) if self.active_to else ""
        if self.merged_into is not None:
            return f"was merged into {self.merged_into!r} on {ended}", f"已于 {ended} 并入「{self.merged_into}」"
        return f"was retired on {ended}", f"已于 {ended} 停用"

    def check_retry(self, fingerprint: str) -> None:
        """Refuse a registration under this entry's code that is not a retry of the one that created it."""
        require(
            self.fingerprint == fingerprint,
            f"{self.NOUN}.register.code_taken",
            f"编码「{self.code}」已用于{self.register.zh}「{self.name}」，编码一经使用不再分配给其他条目",
            f"the code {self.code!r} already names the {self.register.en.lower()} {self.name!r}; "
            "a code names one entry forever",
        )

    # -- guards -----------------------------------------------------------------------------

    def _require(self, condition: bool, rule: str, zh: str, en: str) -> None:
        require(condition, f"{self.NOUN}.{rule}", zh, en)

    def _changing(self, action: str, at: datetime) -> datetime:
        """The moment of a change, refused once the entry has been retired or merged."""
        moment = check_moment(at, self.last_at)
        if self.active_to is not None and self.active_to <= moment:
            en, zh = self._end_text()
            raise RuleViolation(
                f"{self.NOUN}.{action}.ended",
                f"{self.register.zh}「{self.code}」{zh}，不能再修改",
                f"the {self.register.en.lower()} {self.code!r} {en} and takes no further change",
            )
        return moment

    def _check_parent(self, parent: RegisterEntry | None) -> None:
        """A register's own rule on what may be an entry's parent (none by default)."""

    def _check_merge_target(self, target: RegisterEntry) -> None:
        """A register's own rule on what an entry may be merged into (none by default)."""

    def _check_children(self, entries: Iterable[RegisterEntry], end: datetime, action: str) -> None:
        outliving = sorted(
            e.code
            for e in entries
            if e.ref.sibling(self.code) == self.ref
            and e.parent == self.code
            and e.code != self.code
            and (e.active_to is None or e.active_to > end)
        )
        self._require(
            not outliving,
            f"{action}.children",
            f"{self.register.zh}「{self.code}」仍有下级在用：{'、'.join(outliving)}；请先调整或停用下级",
            f"the {self.register.en.lower()} {self.code!r} still has entries under it: {', '.join(outliving)}; "
            "move or retire them first",
        )

    # -- changes ----------------------------------------------------------------------------

    def rename(self, actor: Actor, at: datetime, name: str, reason: str) -> None:
        """Give the entry a new name from now on; its code and its past names stay."""
        moment = self._changing("rename", at)
        name = require_text(name, "name", MAX_NAME)
        self._require(
            name != self.name,
            "rename.unchanged",
            f"{self.register.zh}「{self.code}」的名称已是「{name}」",
            f"the {self.register.en.lower()} {self.code!r} is already named {name!r}",
        )
        self._renamed(actor=actor, at=moment, name=name, reason=require_text(reason, "reason"))

    @event("Renamed")
    def _renamed(self, actor: Actor, at: datetime, name: str, reason: str) -> None:
        self.names.append((at, name))
        self.last_at = at

    def move(self, actor: Actor, at: datetime, lineage: Sequence[RegisterEntry], reason: str) -> None:
        """Put the entry under another parent from now on: ``lineage`` is the new parent and its ancestors,
        nearest first; empty puts the entry at the top of its register."""
        moment = self._changing("move", at)
        parent = checked_parent(self.NOUN, self.ref, lineage, moment, self._check_parent)
        self._require(
            parent != self.parent,
            "move.unchanged",
            f"{self.register.zh}「{self.code}」的上级已是「{parent or '无'}」",
            f"the {self.register.en.lower()} {self.code!r} is already under {parent or 'no parent'}",
        )
        self._moved(actor=actor, at=moment, parent=parent, reason=require_text(reason, "reason"))

    @event("Moved")
    def _moved(self, actor: Actor, at: datetime, parent: str | None, reason: str) -> None:
        self.parents.append((at, parent))
        self.last_at = at

    def merge(
        self, actor: Actor, at: datetime, into: RegisterEntry, entries: Iterable[RegisterEntry], reason: str
    ) -> None:
        """End the entry now by merging it into ``into``; ``entries`` are its register's entries, none of
        which may still be under it."""
        moment = self._changing("merge", at)
        what = self.register
        self._require(
            self.active_at(moment),
            "merge.inactive",
            f"{what.zh}「{self.code}」尚未启用，不能合并",
            f"the {what.en.lower()} {self.code!r} is not in force yet and cannot be merged",
        )
        if into.ref.register is not what or into.office != self.office:
            raise InvalidValue(
                "into", f"must be a {what.en.lower()} of office {self.office!r}", zh=f"应为 {self.office} 的{what.zh}"
            )
        self._require(into.code != self.code, "merge.self", "不能并入自身", "an entry cannot be merged into itself")
        self._require(
            into.active_at(moment) and into.open_ended,
            "merge.target_inactive",
            f"并入的{what.zh}「{into.code}」未在用或已定停用",
            f"the {what.en.lower()} {into.code!r} to merge into is not in force or is due to end",
        )
        self._check_merge_target(into)
        self._check_children(entries, moment, "merge")
        self._merged(actor=actor, at=moment, into=into.code, reason=require_text(reason, "reason"))

    @event("Merged")
    def _merged(self, actor: Actor, at: datetime, into: str, reason: str) -> None:
        self.merged_into = into
        self.active_to = at
        self.last_at = at

    def retire(
        self, actor: Actor, at: datetime, reason: str, active_to: datetime | None, entries: Iterable[RegisterEntry]
    ) -> None:
        """End the entry at ``active_to`` (now, if not given; never in the past); ``entries`` are its
        register's entries, none of which may outlive it under it. Records filed under it keep it."""
        moment = self._changing("retire", at)
        self._require(
            self.active_to is None,
            "retire.already",
            f"{self.register.zh}「{self.code}」已定于 {shown(self.active_to or moment)} 停用",
            f"the {self.register.en.lower()} {self.code!r} is already due to end on {shown(self.active_to or moment)}",
        )
        end = moment if active_to is None else require_aware(active_to, "active_to")
        if end < moment:
            raise InvalidValue("active_to", "must not be in the past: nothing is backdated", zh="不能早于当前时间")
        self._check_children(entries, end, "retire")
        self._retired(actor=actor, at=moment, active_to=end, reason=require_text(reason, "reason"))

    @event("Retired")
    def _retired(self, actor: Actor, at: datetime, active_to: datetime, reason: str) -> None:
        self.active_to = active_to
        self.last_at = at


@dataclass(frozen=True)
class Opening:
    """The checked fields of every registration: who registers what under which code, why, and from when;
    ``fingerprint`` digests the request, to tell a retry from another registration of the code."""

    office: str
    code: str
    name: str
    active_from: datetime
    reason: str
    fingerprint: str
    actor: Actor
    at: datetime

    @classmethod
    def of(
        cls,
        *,
        office: str,
        code: str,
        name: str,
        active_from: datetime | None,
        reason: str,
        fingerprint: str,
        actor: Actor,
        at: datetime,
    ) -> Opening:
        moment = check_moment(at, None)
        return cls(
            office=require_code(office, "office"),
            code=require_code(code, "code"),
            name=require_text(name, "name", MAX_NAME),
            active_from=moment if active_from is None else require_aware(active_from, "active_from"),
            reason=require_text(reason, "reason"),
            fingerprint=fingerprint,
            actor=actor,
            at=moment,
        )

    @property
    def moment(self) -> datetime:
        """When the entry first takes effect: its start, or its registration if that is later."""
        return max(self.at, self.active_from)

    def ref(self, register: Register) -> EntryRef:
        return EntryRef(self.office, register, self.code)

    @property
    def fields(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in ("office", "code", "name", "active_from", "reason", "fingerprint")} | {
            "actor": self.actor,
            "at": self.at,
        }


def checked_parent(
    noun: str,
    child: EntryRef,
    lineage: Sequence[RegisterEntry],
    moment: datetime,
    rule: Callable[[RegisterEntry | None], None] | None = None,
) -> str | None:
    """The code of ``lineage[0]`` as the parent of ``child`` from ``moment``, or None for no parent.

    The parent is an entry of the same register and office, in force at ``moment`` with no end date,
    and ``child`` is not among its ancestors (``lineage``); ``rule`` adds the register's own rule."""
    parent = lineage[0] if lineage else None
    if rule is not None:
        rule(parent)
    if parent is None:
        return None
    what = child.register
    if parent.ref.register is not what or parent.office != child.office:
        raise InvalidValue(
            "parent", f"must be a {what.en.lower()} of office {child.office!r}", zh=f"应为 {child.office} 的{what.zh}"
        )
    require(
        parent.active_at(moment) and parent.open_ended,
        f"{noun}.parent.inactive",
        f"上级{what.zh}「{parent.code}」在 {shown(moment)} 未在用或已定停用",
        f"the parent {what.en.lower()} {parent.code!r} is not in force on {shown(moment)} or is due to end",
    )
    require(
        child.code not in {e.code for e in lineage},
        f"{noun}.parent.cycle",
        f"「{parent.code}」在「{child.code}」之下，不能作为其上级",
        f"{parent.code!r} is under {child.code!r} and cannot be its parent",
    )
    return parent.code


def as_of(history: Sequence[tuple[datetime, T]], at: datetime) -> T:
    """The value of a history of ``(since, value)`` in force at ``at``; the first value before any."""
    value = history[0][1]
    for since, item in history:
        if since > at:
            break
        value = item
    return value

"""Lifecycles: each kind of record's state machine as one table of transitions, and the guard that keeps to it.

A transition names the event it records, the statuses it may start from and the status it leads to. The
command methods check their transition before they trigger its event (:meth:`Lifecycle._guard`), and the
event handlers move the record to the transition's target (:meth:`Lifecycle._moved`), so the table is the
only place a status is written. The read side derives its status maps from the same tables
(:func:`transitions_by_event`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from eventsourcing.domain import Aggregate

from domain.actor import Actor
from domain.errors import RuleViolation
from domain.labels import Labelled
from domain.time import check_moment

V = TypeVar("V")

Decided = Callable[[Any, Any], Any]
"""A target decided when the event happens: from the event's ``result`` and the status the record left for the
step now ending, or None (a legality review approved or returned, after a submission from one of several)."""


class Acted(Aggregate.Event):
    """An event someone recorded: who (``actor``) and when (``at``), the first fields of a transition's event.

    Each record's event classes derive from it; eventsourcing makes each a subclass of its record's own
    ``Event`` class too, and names it (its topic) by the record's class and its own name.
    """

    actor: Actor
    at: datetime


@dataclass(frozen=True)
class Transition:
    """One action of a lifecycle: its labels, the event it records, where it may start and where it leads.

    ``sources``: the statuses it may start from; None, any status (an open one only, if ``open_only``);
    empty, none: the event creates the record. ``target``: the status it leads to; None, the status
    stays; a :data:`Decided` function, the event decides. ``event`` None: the action records nothing
    on this record (another record names it).
    """

    zh: str
    en: str
    event: type[Any] | None
    sources: frozenset[Any] | None = None
    target: Labelled | Decided | None = None
    open_only: bool = False

    def within(self, sources: Iterable[Any]) -> Transition:
        """The same action, allowed only from ``sources``."""
        return replace(self, sources=frozenset(sources))

    @property
    def creates(self) -> bool:
        """Whether the transition's event creates the record."""
        return self.sources is not None and not self.sources


class Named(Protocol):
    """What a refusal calls the kind of record: a code for its rule and Chinese and English names."""

    @property
    def code(self) -> str: ...

    @property
    def zh(self) -> str: ...

    @property
    def en(self) -> str: ...


@dataclass(frozen=True)
class RecordName:
    """The name of a kind of record that is not a case (a case's is its :class:`~domain.kinds.CaseKind`)."""

    code: str
    zh: str
    en: str


class Lifecycle:
    """A record whose status follows its :data:`LIFECYCLE` table (a mixin of the aggregate classes)."""

    RECORD: ClassVar[Named]
    LIFECYCLE: ClassVar[Mapping[str, Transition]]
    TERMINAL: ClassVar[frozenset[Any]]
    status: Labelled
    last_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status not in self.TERMINAL

    def _check(self, action: str) -> None:
        """Refuse ``action`` unless the record's status allows it, naming the rule ``<record>.<action>.status``
        (or ``<record>.closed`` for an action any open record allows)."""
        transition = self.LIFECYCLE[action]
        record, status = self.RECORD, self.status
        if transition.sources is not None and status not in transition.sources:
            allowed = sorted(transition.sources, key=_code)
            allowed_zh, allowed_en = "、".join(s.zh for s in allowed), ", ".join(s.en for s in allowed)
            raise RuleViolation(
                f"{record.code}.{action}.status",
                f"{record.zh}当前状态为「{status.zh}」，不能{transition.zh}（仅限：{allowed_zh}）",
                f"{article(record)} cannot {transition.en} while {status.en.lower()} (only when: {allowed_en})",
            )
        if transition.open_only and not self.is_open:
            raise RuleViolation(
                f"{record.code}.closed",
                f"{record.zh}已处于「{status.zh}」，不能再办理",
                f"the {record.en.lower()} is {status.en.lower()} and takes no further action",
            )

    def allows(self, action: str) -> bool:
        """Whether the record's status allows ``action`` now (the check :meth:`_check` makes, without refusing)."""
        try:
            self._check(action)
        except RuleViolation:
            return False
        return True

    def _guard(self, action: str, at: datetime) -> datetime:
        """Check ``action`` (:meth:`_check`) and its moment, which must not be before the record's last event."""
        self._check(action)
        return check_moment(at, self.last_at)

    def _moved(self, action: str, at: datetime) -> None:
        """Apply ``action``'s event: the record takes the transition's target status."""
        target = self.LIFECYCLE[action].target
        if isinstance(target, Labelled):
            self.status = target
        self.last_at = at


class EventTable(Generic[V]):
    """Values keyed by event class, found for an event of that class.

    The domain declares its event classes; eventsourcing records events as instances of classes it derives
    from them, so a lookup walks the event's classes to the nearest one in the table (and remembers it).
    """

    def __init__(self, entries: Mapping[type[Any], V]) -> None:
        self._entries = dict(entries)
        self._found: dict[type[Any], V | None] = {}

    def get(self, event: object) -> V | None:
        """The value for ``event``'s class, or None when the table has none."""
        klass = type(event)
        try:
            return self._found[klass]
        except KeyError:
            found = next((self._entries[c] for c in klass.__mro__ if c in self._entries), None)
            self._found[klass] = found
            return found

    def __iter__(self) -> Iterator[type[Any]]:
        return iter(self._entries)

    def items(self) -> Iterable[tuple[type[Any], V]]:
        return self._entries.items()


def transitions_by_event(lifecycle: Mapping[str, Transition]) -> EventTable[Transition]:
    """The transition each event of a lifecycle records."""
    return EventTable({t.event: t for t in lifecycle.values() if t.event is not None})


def status_after(transitions: EventTable[Transition], event: object) -> Labelled | None:
    """The status ``event`` leads to when its transition names one (None: it stays, or the event decides)."""
    transition = transitions.get(event)
    target = None if transition is None else transition.target
    return target if isinstance(target, Labelled) else None


def article(record: Named) -> str:
    """``a complaint``, ``an enforcement case``: the record's English name with its article."""
    noun = record.en.lower()
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _code(member: Labelled) -> str:
    return member.code

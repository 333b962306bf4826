"""Adopting a log kept before the registers: the units, villages and categories its records name as free
text or codes are registered in an office (the default one), so that those records name register entries.

What is read, from every event of the log (never from a read model, which may lag or be rebuilt):

- **units**: the lead and assisting units a complaint was dispatched to, the unit a dispute's mediator was
  assigned from, the unit an enforcement case was filed to, and the unit of a tolerated-error ruling's
  or a clearing's cadre. Its kind is ``enforcement_squad`` if an enforcement case was filed to it,
  else ``community`` if a mediator was assigned from it, else ``section``;
- **places**: the village of every case's location, as filed or corrected; a ``community`` if its name
  ends in 社区, else a ``village``. Grid cells are not adopted: the log does not say their grid level;
- **categories**: the category of every case, as filed or corrected, in its kind's register, named by its
  label.

Each value is registered under itself as the code (records store the value), with the value as its name
(a category: its label), in force from the earliest moment a record named it. A value already registered
is left as it is, so adopting again registers nothing new; a value that cannot be a code (white space,
``/``, longer than 64 characters) is reported and not registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.utils import TopicError, resolve_topic

from application.core import CASE_CLASSES
from application.registers import CATEGORY_KINDS, RegisterUseCases
from domain.actor import Actor
from domain.case import Case
from domain.clearing import Clearing
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.errors import DomainError
from domain.labels import Labelled
from domain.registers.places import PlaceKind
from domain.registers.refs import DEFAULT_OFFICE, EntryRef, Register
from domain.registers.units import UnitKind
from domain.tolerance import ToleranceRuling

ADOPTION_REASON = "登记已有记录中使用的名称（registers adopt）"
_READ = (Case.Event, ToleranceRuling.Requested, Clearing.Proposed)
_UNIT_KINDS = (UnitKind.ENFORCEMENT_SQUAD, UnitKind.COMMUNITY, UnitKind.SECTION)
"""The order of precedence of a unit's kind when records name it in several roles."""
_REGISTER_OF_CATEGORY = {case_class.CATEGORY: Register.for_kind(case_class.KIND) for case_class in CASE_CLASSES}


@dataclass
class Found:
    """A value the log names in a register: its name, the first moment it was named, and for a unit its kind."""

    register: Register
    code: str
    name: str
    since: datetime
    kind: UnitKind | PlaceKind | None = None


@dataclass(frozen=True)
class Adoption:
    """What adopting did with one value: ``registered``, ``already registered``, or why it was not."""

    register: Register
    code: str
    name: str
    since: datetime
    outcome: str
    registered: bool = False


@dataclass
class _Values:
    found: dict[tuple[Register, str], Found] = field(default_factory=dict)

    def add(self, register: Register, code: str, name: str, at: datetime, kind: Any = None) -> None:
        if not code:
            return
        seen = self.found.get((register, code))
        if seen is None:
            self.found[(register, code)] = Found(register, code, name, at, kind)
            return
        seen.since = min(seen.since, at)
        if isinstance(kind, UnitKind) and _UNIT_KINDS.index(kind) < _UNIT_KINDS.index(seen.kind):
            seen.kind = kind

    def unit(self, code: str, at: datetime, kind: UnitKind = UnitKind.SECTION) -> None:
        self.add(Register.UNIT, code, code, at, kind)

    def place(self, village: str, at: datetime) -> None:
        kind = PlaceKind.COMMUNITY if village.endswith("社区") else PlaceKind.VILLAGE
        self.add(Register.PLACE, village, village, at, kind)

    def category(self, category: Labelled, at: datetime) -> None:
        self.add(_REGISTER_OF_CATEGORY[type(category)], category.code, category.zh, at)


def logged_values(ledger: RegisterUseCases) -> list[Found]:
    """Every unit, village and category the log's records name, in the order they were first recorded."""
    values = _Values()
    classes: dict[str, bool] = {}

    def wanted(notification: Notification) -> bool:
        if notification.topic not in classes:
            try:
                event_class = resolve_topic(notification.topic)
            except TopicError:
                event_class = None
            classes[notification.topic] = isinstance(event_class, type) and issubclass(event_class, _READ)
        return classes[notification.topic]

    for notification in ledger.scan_notifications(wanted):
        _collect(values, ledger.mapper.to_domain_event(notification))
    return list(values.found.values())


def _collect(values: _Values, event: Any) -> None:
    at: datetime = getattr(event, "at", None) or event.timestamp
    match event:
        case Complaint.Dispatched():
            for unit in (event.lead_unit, *event.assisting_units):
                values.unit(unit, at)
        case Dispute.MediatorAssigned():
            values.unit(event.unit, at, UnitKind.COMMUNITY)
        case EnforcementCase.Filed():
            values.unit(event.unit, at, UnitKind.ENFORCEMENT_SQUAD)
        case ToleranceRuling.Requested() | Clearing.Proposed():
            values.unit(event.unit, at)
        case Case.Created() | Case.Corrected():
            changed: Any = event  # a filing names both; a correction either or neither
            if changed.location is not None:
                values.place(changed.location.village, at)
            if changed.category is not None:
                values.category(changed.category, at)


def adopt_logged_values(
    ledger: RegisterUseCases, actor: Actor, office: str = DEFAULT_OFFICE, reason: str = ADOPTION_REASON
) -> list[Adoption]:
    """Register in ``office`` each value :func:`logged_values` finds that is not registered yet."""
    for action in ("register_unit", "register_place", "register_category"):
        ledger.authorize(actor, action)
    done = []
    for found in logged_values(ledger):
        try:
            ref = EntryRef(office, found.register, found.code)
            if ledger.exists(ref.id):
                done.append(Adoption(found.register, found.code, found.name, found.since, "already registered"))
                continue
            _register(ledger, actor, office, found, reason)
        except DomainError as error:
            done.append(Adoption(found.register, found.code, found.name, found.since, f"not registered: {error}"))
            continue
        done.append(Adoption(found.register, found.code, found.name, found.since, "registered", registered=True))
    return done


def _register(ledger: RegisterUseCases, actor: Actor, office: str, found: Found, reason: str) -> None:
    code, name, since = found.code, found.name, found.since
    if found.register is Register.UNIT:
        kind = found.kind or UnitKind.SECTION
        ledger.register_unit(actor, office, code, name, kind.code, reason, active_from=since)
    elif found.register is Register.PLACE:
        kind = found.kind or PlaceKind.VILLAGE
        ledger.register_place(actor, office, code, name, kind.code, reason, active_from=since)
    else:
        ledger.register_category(actor, office, CATEGORY_KINDS[found.register], code, name, reason, active_from=since)

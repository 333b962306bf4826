"""Use cases of the registers (offices, units, places, categories), and the port that finds an entry in
force, which validation of records will ask."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from application.config import Settings
from application.core import CommandResult, LedgerCore, fingerprint
from application.errors import Conflict, NotFound
from application.ports import Persistence
from domain.actor import Actor
from domain.calendar import WorkingCalendar
from domain.errors import DomainError, InvalidValue
from domain.kinds import CaseKind, GridLevel
from domain.registers.categories import Category, TimeLimit
from domain.registers.entry import Opening, RegisterEntry
from domain.registers.keeping import RegisterKept, keeping_id
from domain.registers.offices import Office
from domain.registers.places import Place, PlaceKind
from domain.registers.refs import DEFAULT_OFFICE, EntryRef, NotInRegister, Register
from domain.registers.units import Unit, UnitKind
from domain.rules import RuleTable
from domain.time import require_aware

E = TypeVar("E", bound=RegisterEntry)

ENTRY_CLASSES: dict[Register, type[RegisterEntry]] = {
    Register.OFFICE: Office,
    Register.UNIT: Unit,
    Register.PLACE: Place,
    **{Register.for_kind(kind): Category for kind in CaseKind},
}
CATEGORY_KINDS: dict[Register, CaseKind] = {Register.for_kind(kind): kind for kind in CaseKind}
"""The kind of case each register of categories is of."""


_BATCH: ContextVar[dict[UUID, RegisterEntry] | None] = ContextVar("register_batch", default=None)
"""The entries an import has built but not saved yet, by id: registrations read them as if stored."""


class RowRefused(Exception):
    """Row ``row`` (from 0) of an import was refused, so none was registered; ``field`` names its input if
    the refusal names one."""

    def __init__(self, row: int, error: DomainError) -> None:
        super().__init__(str(error))
        self.row = row
        self.error = error
        self.field = error.field if isinstance(error, InvalidValue) else None


@dataclass(frozen=True)
class Imported:
    """What an import recorded: the entries it registered, those already registered exactly so, and the log
    position of its transaction (None when it registered nothing)."""

    registered: list[EntryRef]
    already: list[EntryRef]
    position: int | None


class RegisterLookup(Protocol):
    """Finds the entry a record names, as the register stood at the record's moment."""

    def active_entry(
        self, office: str, register: Register, code: str, at: datetime, *, field: str | None = None
    ) -> RegisterEntry:
        """The entry ``code`` of ``register`` in ``office`` if it is in force at ``at`` (and so is its
        office); otherwise :class:`NotInRegister` naming ``field`` (the register's code if not given) and
        the value, and why: unknown, not yet in force, retired or merged into another."""
        ...


class RegisterUseCases(LedgerCore):
    def __init__(
        self, settings: Settings, calendar: WorkingCalendar, rules: RuleTable, persistence: Persistence
    ) -> None:
        super().__init__(settings, calendar, rules, persistence)
        self._kept: set[UUID] = set()

    # -- reading ----------------------------------------------------------------------------

    def active_entry(
        self, office: str, register: Register, code: str, at: datetime, *, field: str | None = None
    ) -> RegisterEntry:
        """See :class:`RegisterLookup`."""
        ref = EntryRef(office, register, code)
        named = field or ref.register.code
        moment = require_aware(at)
        if ref.register is not Register.OFFICE:
            self._office_in_force(office, moment)
        entry = self._referenced(ref, named)
        entry.require_active(moment, named)
        return entry

    def keeps(self, office: str, register: Register) -> bool:
        """Whether ``office`` keeps ``register``: whether the register has ever held an entry of the office
        (see :mod:`application.register_checks`). Remembered once true, which it then stays; never once
        false, so that a first entry registered by another process counts on the next call."""
        kept = keeping_id(office, register)
        if kept in self._kept:
            return True
        if not self.exists(kept):
            return False
        self._kept.add(kept)
        return True

    def read_register(self, actor: Actor, office: str, register: Register | str) -> list[RegisterEntry]:
        """Every entry of a register of an office, in force or not, in the order they were registered."""
        self.authorize(actor, "read_register")
        return self._entries(office, Register.parse(register, "register"))

    def read_register_entry(self, actor: Actor, ref: EntryRef) -> RegisterEntry:
        """One entry, in force or not, with its history of names, parents and period."""
        self.authorize(actor, "read_register_entry")
        return self._entry(ref)

    def read_offices(self, actor: Actor) -> list[Office]:
        """Every registered office, in the order they were registered."""
        self.authorize(actor, "read_offices")
        return [self.load(Office, i, "office") for i in self.created_ids(Office)]

    # -- registering ------------------------------------------------------------------------

    def import_register(
        self, actor: Actor, office: str, register: Register | str, rows: Sequence[Mapping[str, Any]]
    ) -> Imported:
        """Register the entries ``rows`` describe (each the keyword arguments of the register's registration
        but office and actor: code, name, kind, reason, parent, …) in one transaction, or none of them: the
        first refused row raises :class:`RowRefused`. A row may name as parent an entry of an earlier row; a
        row already registered exactly so is left as it is."""
        self.authorize(actor, "import_register")
        chosen = Register.parse(register, "register")
        registration = self._registration(chosen)
        built: dict[UUID, RegisterEntry] = {}
        already: list[EntryRef] = []
        token = _BATCH.set(built)
        try:
            for number, row in enumerate(rows):
                try:
                    result = registration(actor, office, **row)
                except DomainError as error:
                    raise RowRefused(number, error) from None
                if result.retried:
                    already.append(EntryRef(office, chosen, str(row.get("code"))))
        finally:
            _BATCH.reset(token)
        keeping = self._keeping(office, chosen, actor, self.moment(None)) if built else []
        position = self.commit(*keeping, *built.values()).position if built else None
        return Imported([e.ref for e in built.values()], already, position)

    def _registration(self, register: Register) -> Callable[..., CommandResult]:
        if register is Register.UNIT:
            return self.register_unit
        if register is Register.PLACE:
            return self.register_place
        if register in CATEGORY_KINDS:
            kind = CATEGORY_KINDS[register]
            return lambda actor, office, **row: self.register_category(actor, office, kind, **row)
        raise InvalidValue("register", "offices are registered one by one", zh="街道/乡镇须逐个登记")

    def register_office(
        self,
        actor: Actor,
        code: str,
        name: str,
        reason: str,
        *,
        active_from: datetime | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        """Register an office; the same request again answers the office it registered."""
        self.authorize(actor, "register_office")
        ref = EntryRef(code, Register.OFFICE, code)
        return self._create(ref, actor, name, reason, active_from, at, {}, Office.add)

    def register_unit(
        self,
        actor: Actor,
        office: str,
        code: str,
        name: str,
        kind: UnitKind | str,
        reason: str,
        *,
        parent: str | None = None,
        active_from: datetime | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        """Register a unit of an office, of a kind, optionally under another of its units."""
        self.authorize(actor, "register_unit")
        ref = EntryRef(office, Register.UNIT, code)
        chosen = UnitKind.parse(kind, "kind")
        return self._create(
            ref,
            actor,
            name,
            reason,
            active_from,
            at,
            {"kind": chosen, "parent": parent},
            lambda opening: Unit.add(opening, kind=chosen, lineage=self._lineage(ref, parent)),
        )

    def register_place(
        self,
        actor: Actor,
        office: str,
        code: str,
        name: str,
        kind: PlaceKind | str,
        reason: str,
        *,
        grid_level: GridLevel | str | None = None,
        parent: str | None = None,
        active_from: datetime | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        """Register a village or community, or a grid cell (with its level) under one."""
        self.authorize(actor, "register_place")
        ref = EntryRef(office, Register.PLACE, code)
        chosen = PlaceKind.parse(kind, "kind")
        level = None if grid_level is None else GridLevel.parse(grid_level, "grid_level")
        return self._create(
            ref,
            actor,
            name,
            reason,
            active_from,
            at,
            {"kind": chosen, "grid_level": level, "parent": parent},
            lambda opening: Place.add(opening, kind=chosen, grid_level=level, lineage=self._lineage(ref, parent)),
        )

    def register_category(
        self,
        actor: Actor,
        office: str,
        kind: CaseKind | str,
        code: str,
        name: str,
        reason: str,
        *,
        parent: str | None = None,
        limits: Sequence[TimeLimit] = (),
        active_from: datetime | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        """Register a category of a kind of case, optionally under another of that kind, with its time
        limits (none above the statutory ones)."""
        self.authorize(actor, "register_category")
        chosen = CaseKind.parse(kind, "kind")
        ref = EntryRef(office, Register.for_kind(chosen), code)
        return self._create(
            ref,
            actor,
            name,
            reason,
            active_from,
            at,
            {"parent": parent, "limits": list(limits)},
            lambda opening: Category.add(
                opening, kind=chosen, lineage=self._lineage(ref, parent), limits=limits, calendar=self.calendar
            ),
        )

    # -- changing ---------------------------------------------------------------------------

    def rename_register_entry(
        self, ref: EntryRef, expected_version: int, actor: Actor, name: str, reason: str, *, at: datetime | None = None
    ) -> CommandResult:
        """Rename an entry from now on; its code, its earlier names and what records name it by stay."""
        return self._change(
            RegisterEntry,
            ref,
            expected_version,
            actor,
            "rename_register_entry",
            lambda e, t: e.rename(actor, t, name, reason),
            at,
        )

    def move_register_entry(
        self,
        ref: EntryRef,
        expected_version: int,
        actor: Actor,
        parent: str | None,
        reason: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Put an entry under another parent of its register (None: at the top) from now on."""
        return self._change(
            RegisterEntry,
            ref,
            expected_version,
            actor,
            "move_register_entry",
            lambda e, t: e.move(actor, t, self._lineage(ref, parent), reason),
            at,
        )

    def merge_register_entry(
        self, ref: EntryRef, expected_version: int, actor: Actor, into: str, reason: str, *, at: datetime | None = None
    ) -> CommandResult:
        """End an entry now by merging it into another of its register; nothing may be left under it."""
        return self._change(
            RegisterEntry,
            ref,
            expected_version,
            actor,
            "merge_register_entry",
            lambda e, t: e.merge(
                actor, t, self._referenced(ref.sibling(into), "into"), self._entries(ref.office, ref.register), reason
            ),
            at,
        )

    def retire_register_entry(
        self,
        ref: EntryRef,
        expected_version: int,
        actor: Actor,
        reason: str,
        *,
        active_to: datetime | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        """End an entry at ``active_to`` (now if not given); records filed under it keep naming it."""
        return self._change(
            RegisterEntry,
            ref,
            expected_version,
            actor,
            "retire_register_entry",
            lambda e, t: e.retire(actor, t, reason, active_to, self._entries(ref.office, ref.register)),
            at,
        )

    def change_category_limits(
        self,
        ref: EntryRef,
        expected_version: int,
        actor: Actor,
        limits: Sequence[TimeLimit],
        reason: str,
        *,
        at: datetime | None = None,
    ) -> CommandResult:
        """Replace a category's time limits from now on (none above the statutory ones)."""
        if ENTRY_CLASSES[ref.register] is not Category:
            raise InvalidValue("register", "only categories have time limits", zh="只有类别设有办理时限")
        return self._change(
            Category,
            ref,
            expected_version,
            actor,
            "change_category_limits",
            lambda c, t: c.change_limits(actor, t, limits, reason, self.calendar),
            at,
        )

    # -- plumbing ---------------------------------------------------------------------------

    def _create(
        self,
        ref: EntryRef,
        actor: Actor,
        name: str,
        reason: str,
        active_from: datetime | None,
        at: datetime | None,
        details: dict[str, Any],
        build: Callable[[Opening], RegisterEntry],
    ) -> CommandResult:
        """Save a new entry once: a retry of the request that made it answers it, another request under its
        code is refused; the office it belongs to must be in force when it takes effect. The first entry
        of a register of an office is saved with the record that the office keeps it."""
        request = {"office": ref.office, "register": ref.register, "code": ref.code, "name": name, "reason": reason}
        digest = fingerprint(request | {"active_from": active_from} | details)
        batch = _BATCH.get()
        if batch is not None and ref.id in batch:
            batch[ref.id].check_retry(digest)
            return CommandResult(ref.id, 1, None, retried=True)
        if self.exists(ref.id):
            return self._retry(ref, digest)
        opening = Opening.of(
            office=ref.office,
            code=ref.code,
            name=name,
            active_from=active_from,
            reason=reason,
            fingerprint=digest,
            actor=actor,
            at=self.moment(at),
        )
        if ref.register is not Register.OFFICE:
            self._office_in_force(ref.office, opening.moment)
        if batch is not None:
            entry = batch[ref.id] = build(opening)
            return CommandResult(ref.id, entry.version, None)
        try:
            return self.commit(*self._keeping(ref.office, ref.register, opening.actor, opening.at), build(opening))
        except Conflict:
            if self.exists(ref.id):
                return self._retry(ref, digest)
        return self.commit(build(opening))  # another first entry of the register was saved meanwhile

    def _keeping(self, office: str, register: Register, actor: Actor, at: datetime) -> list[RegisterKept]:
        """The record that ``office`` keeps ``register``, if it does not yet (offices are kept by the
        deployment, not by an office): saved with the register's first entry or first import."""
        if register is Register.OFFICE or self.keeps(office, register):
            return []
        return [RegisterKept(office=office, register=register, actor=actor, at=at)]

    def _retry(self, ref: EntryRef, digest: str) -> CommandResult:
        entry = self._entry(ref)
        entry.check_retry(digest)
        return self.retried(entry)

    def _change(
        self,
        entry_class: type[E],
        ref: EntryRef,
        expected_version: int,
        actor: Actor,
        action: str,
        change: Callable[[E, datetime], None],
        at: datetime | None,
    ) -> CommandResult:
        try:
            return self.update(entry_class, ref.id, expected_version, actor, action, change, at)
        except NotFound as error:
            if error.aggregate_id != ref.id:
                raise
            raise NotFound(error.what, ref.id, ref.code) from None

    def _entry(self, ref: EntryRef) -> RegisterEntry:
        """The entry ``ref`` names; :class:`NotFound` naming its code if there is none."""
        return self.load(ENTRY_CLASSES[ref.register], ref.id, ref.register.en.lower(), ref.code)

    def _referenced(self, ref: EntryRef, field: str) -> RegisterEntry:
        """The entry an input names (one an import has built, too); :class:`NotInRegister` naming ``field``
        if there is none."""
        built = (_BATCH.get() or {}).get(ref.id)
        if built is not None:
            return built
        try:
            return self._entry(ref)
        except NotFound:
            raise NotInRegister.unknown(ref, field) from None

    def _office_in_force(self, office: str, at: datetime) -> None:
        """Refuse unless ``office`` is registered and in force at ``at``, or is the unregistered default."""
        ref = EntryRef(office, Register.OFFICE, office)
        if office == DEFAULT_OFFICE and not self.exists(ref.id):
            return
        self._referenced(ref, "office").require_active(at, "office")

    def _lineage(self, ref: EntryRef, parent: str | None) -> list[RegisterEntry]:
        """``parent`` and its ancestors, nearest first; they stop where ``ref`` itself is met (the domain
        refuses that move)."""
        lineage: list[RegisterEntry] = []
        code = parent
        while code is not None:
            entry = self._referenced(ref.sibling(code), "parent")
            lineage.append(entry)
            code = None if entry.code == ref.code else entry.parent
        return lineage

    def _entries(self, office: str, register: Register) -> list[RegisterEntry]:
        """Every entry of a register of an office (registers are small; each is read from the log)."""
        entry_class = ENTRY_CLASSES[register]
        entries = (self.load(entry_class, i, register.en.lower()) for i in self.created_ids(entry_class))
        return [e for e in entries if e.office == office and e.register is register]

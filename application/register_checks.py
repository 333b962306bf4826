"""What records name from the registers, checked against them as they stood at the record's moment.

**When a register is enforced.** A register is enforced for an office once it holds an entry: the
office has started keeping it. Until then the field takes free text exactly as before registers existed,
so a single-office install works with no configuration and a store filled earlier keeps working until its
values are registered. Registering the first entry of a register of an office records, in the same
transaction, that the office keeps it (:class:`~domain.registers.keeping.RegisterKept`); whether a
register is kept is one read of that record. Entries are retired or merged, never deleted, so a register
once kept stays kept: each process remembers the registers it has found kept, never one it found not
kept, and a first entry registered by another process takes effect on the next command everywhere.
Whether a register is kept is asked as the store stands now; whether an entry is in force, at the
command's moment.

**What is checked.** A unit (a complaint's lead and assisting units, a dispute's mediating unit, an
enforcement case's unit, the cadre's unit of a ruling or clearing), a place (a location's village or
community and its grid cell, which must lie within it) and a category of a kind of case: each must be an
entry of its office's register in force at the command's moment, else :class:`NotInRegister` names the
field and the value, and why (unknown, not yet in force, retired, merged). A unit of another office is
unknown in this one. Categories are also one of the kind's fixed codes (:mod:`domain.kinds`), the floor
of valid codes whether or not the office keeps a category register.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from application.errors import NotFound
from application.registers import RegisterUseCases
from domain.errors import InvalidValue
from domain.kinds import CaseKind
from domain.registers.categories import Category, TimeLimit
from domain.registers.entry import RegisterEntry
from domain.registers.places import Place, PlaceKind
from domain.registers.refs import EntryRef, Register, require_code
from domain.values import Location

A = TypeVar("A")
TOP_PLACES = frozenset({PlaceKind.VILLAGE, PlaceKind.COMMUNITY})


class RegisterNames(Protocol):
    """The names the registers give the codes records store, for the read side to show."""

    def entry_name(self, office: str, register: Register, code: str) -> str | None:
        """The name the entry ``code`` has now, in force or not; None if the office's register has no such
        entry (free text from before the office kept the register)."""
        ...


class RegisterChecks(RegisterUseCases):
    # -- the checks of the use cases --------------------------------------------------------

    def check_units(self, office: str, at: datetime, **fields: str | Sequence[str]) -> None:
        """Refuse, naming the field, any unit (or list of units) not in force at ``at`` in a kept register."""
        if not self.keeps(office, Register.UNIT):
            return
        for field, given in fields.items():
            for code in [given] if isinstance(given, str) else list(given) if isinstance(given, list) else []:
                self._in_force(office, Register.UNIT, code, at, field)

    def naming_units(
        self, office: str, change: Callable[[A, datetime], None], **units: str | Sequence[str]
    ) -> Callable[[A, datetime], None]:
        """``change``, once the units it names are checked as of its moment (:meth:`check_units`)."""

        def checked(aggregate: A, at: datetime) -> None:
            self.check_units(office, at, **units)
            change(aggregate, at)

        return checked

    def check_location(self, office: str, location: Location, at: datetime) -> None:
        """Refuse a location whose village or community, or grid cell, is not a place in force at ``at`` in a
        kept register, or whose grid cell does not lie within its village or community."""
        if not self.keeps(office, Register.PLACE) or not isinstance(location, Location):
            return
        village = self._in_force(office, Register.PLACE, location.village, at, "location.village")
        if not isinstance(village, Place) or village.kind not in TOP_PLACES:
            raise InvalidValue(
                "location.village",
                f"{location.village!r} is a grid cell, not a village or community",
                zh=f"「{location.village}」是网格，不是村或社区",
            )
        if not location.grid_cell:
            return
        cell = self._in_force(office, Register.PLACE, location.grid_cell, at, "location.grid_cell")
        if self._top_place(cell, at) != village.code:
            raise InvalidValue(
                "location.grid_cell",
                f"{location.grid_cell!r} is not a grid cell of {location.village!r}",
                zh=f"「{location.grid_cell}」不是「{location.village}」的网格",
            )

    def check_category(self, office: str, kind: CaseKind, code: str, at: datetime) -> list[TimeLimit]:
        """Refuse a category not in force at ``at`` in the office's kept register of ``kind``'s categories;
        else the time limits it sets at ``at`` (none if the office keeps no such register)."""
        register = Register.for_kind(kind)
        if not self.keeps(office, register):
            return []
        entry = self._in_force(office, register, code, at, "category")
        return entry.limits_at(at) if isinstance(entry, Category) else []

    # -- names ------------------------------------------------------------------------------

    def entry_name(self, office: str, register: Register, code: str) -> str | None:
        """See :class:`RegisterNames`."""
        if not self.keeps(office, register):
            return None
        try:
            return self._entry(EntryRef(office, register, code)).name
        except (InvalidValue, NotFound):  # free text that is no code, or a code never registered
            return None

    # -- plumbing ---------------------------------------------------------------------------

    def _in_force(self, office: str, register: Register, code: object, at: datetime, field: str) -> RegisterEntry:
        return self.active_entry(office, register, require_code(code, field), at, field=field)

    def _top_place(self, place: RegisterEntry, at: datetime) -> str | None:
        """The village or community a grid cell lies within at ``at``; None for a village or community."""
        parent = place.parent_at(at)
        while parent is not None:
            above = self._entry(place.ref.sibling(parent))
            if above.parent_at(at) is None:
                return above.code
            parent = above.parent_at(at)
        return None

"""Places of an office: villages and communities, and the cells of the patrol grid within them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from eventsourcing.domain import event

from domain.actor import Actor
from domain.errors import InvalidValue, require
from domain.kinds import GridLevel
from domain.labels import Labelled
from domain.registers.entry import Opening, RegisterEntry, checked_parent
from domain.registers.refs import Register


class PlaceKind(Labelled):
    VILLAGE = ("village", "村", "Village")
    COMMUNITY = ("community", "社区", "Community")
    GRID_CELL = ("grid_cell", "网格", "Grid cell")


_RANK = {GridLevel.STREET: 1, GridLevel.AREA: 2, GridLevel.DISTRICT: 3}
"""Coarser grid levels hold finer ones: a district's cells hold areas, an area's hold streets."""


class Place(RegisterEntry):
    """A village or community at the top of an office's places, or a grid cell under one of them (directly
    or under a cell of a coarser grid level)."""

    REGISTER = Register.PLACE
    NOUN = "place"

    @event("Registered")
    def __init__(
        self,
        *,
        office: str,
        code: str,
        name: str,
        kind: PlaceKind,
        grid_level: GridLevel | None,
        parent: str | None,
        active_from: datetime,
        reason: str,
        fingerprint: str,
        actor: Actor,
        at: datetime,
    ) -> None:
        self._start(office, code, name, parent, active_from, fingerprint, at)
        self.kind = kind
        self.grid_level = grid_level

    @classmethod
    def add(
        cls, opening: Opening, *, kind: PlaceKind, grid_level: GridLevel | None, lineage: Sequence[RegisterEntry]
    ) -> Place:
        """Register a place; a grid cell names its level, a village or community names none."""
        kind = PlaceKind.parse(kind, "kind")
        level = None if grid_level is None else GridLevel.parse(grid_level, "grid_level")
        if (kind is PlaceKind.GRID_CELL) != (level is not None):
            raise InvalidValue(
                "grid_level",
                "a grid cell has a grid level, and only a grid cell has one",
                zh="网格须设层级，其他地点不设层级",
            )
        parent = checked_parent(
            cls.NOUN, opening.ref(Register.PLACE), lineage, opening.moment, lambda p: _check_parent(kind, level, p)
        )
        return cls(**opening.fields, kind=kind, grid_level=level, parent=parent)

    @property
    def is_grid_cell(self) -> bool:
        return self.kind is PlaceKind.GRID_CELL

    def _check_parent(self, parent: RegisterEntry | None) -> None:
        _check_parent(self.kind, self.grid_level, parent)

    def _check_merge_target(self, target: RegisterEntry) -> None:
        same = isinstance(target, Place) and (
            target.grid_level is self.grid_level if self.is_grid_cell else not target.is_grid_cell
        )
        self._require(
            same,
            "merge.target_kind",
            "村、社区只能并入村或社区，网格只能并入同一层级的网格",
            "a village or community merges into a village or community, a grid cell into a cell of its level",
        )


def _check_parent(kind: PlaceKind, level: GridLevel | None, parent: RegisterEntry | None) -> None:
    if kind is not PlaceKind.GRID_CELL or level is None:
        require(
            parent is None,
            "place.parent.top",
            "村、社区是最上级的地点，不设上级",
            "a village or community is a top-level place and has no parent",
        )
        return
    fits = isinstance(parent, Place) and (
        not parent.is_grid_cell or (parent.grid_level is not None and _RANK[parent.grid_level] > _RANK[level])
    )
    require(
        fits,
        "place.parent.grid",
        f"「{level.zh}」层级的网格须在村、社区或更高层级的网格之下",
        f"a grid cell of the {level.code} level lies under a village, a community or a coarser grid cell",
    )

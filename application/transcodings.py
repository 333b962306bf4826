"""How domain values are stored: every enum by its code and every value object by its fields,
each under a registered name so it comes back as the same type."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

import domain.values
from domain.actor import Actor
from domain.labels import Labelled, labelled_enums
from domain.registers.categories import TimeLimit


class LabelledAsCode(Transcoding):
    def __init__(self, enum_class: type[Labelled]) -> None:
        self.type = enum_class
        self.name = f"enum:{enum_class.__name__}"
        self._enum = enum_class

    def encode(self, obj: Labelled) -> str:
        return obj.code

    def decode(self, data: str) -> Labelled:
        return self._enum.parse(data, self.name)


class ValueObjectAsDict(Transcoding):
    def __init__(self, value_class: type) -> None:
        self.type = value_class
        self.name = f"value:{value_class.__name__}"
        self._fields = [f.name for f in dataclasses.fields(value_class)]

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Register every Labelled enum and value object the domain defines."""
    register = transcoder.register
    register(DateAsISO())
    for enum_class in labelled_enums():
        register(LabelledAsCode(enum_class))
    for value_class in (Actor, *domain.values.VALUE_OBJECTS, TimeLimit):
        register(ValueObjectAsDict(value_class))

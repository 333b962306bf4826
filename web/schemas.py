"""marshmallow schemas of every request and response body; unknown fields are refused, sizes bounded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import marshmallow as ma
from marshmallow import fields, post_load, validate

from domain.labels import Labelled
from domain.outcomes import PartyRole
from domain.values import MAX_NAME, MAX_TEXT, Location, Party

SHORT = validate.Length(min=1, max=MAX_NAME)
LONG = validate.Length(min=1, max=MAX_TEXT)


def text(required: bool = True, long: bool = True, **metadata: Any) -> fields.String:
    """A non-empty, bounded text field (optional ones may be empty)."""
    bound = LONG if long else SHORT
    if required:
        return fields.String(required=True, validate=bound, metadata=metadata)
    return fields.String(load_default="", validate=validate.Length(max=bound.max), metadata=metadata)


class StrictBoolean(fields.Boolean):
    """Only JSON true or false (marshmallow's Boolean would also take 0, 1, "yes"…)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def boolean(**kwargs: Any) -> fields.Boolean:
    return StrictBoolean(**kwargs)


def code(enum: type[Labelled], required: bool = True, **kwargs: Any) -> fields.String:
    """One code of a Labelled enum; the OpenAPI document lists the codes and their labels."""
    codes = [m.code for m in enum]
    labels = "; ".join(f"{m.code} = {m.zh} / {m.en}" for m in enum)
    return fields.String(required=required, validate=validate.OneOf(codes), metadata={"description": labels}, **kwargs)


def codes(enum: type[Labelled], **kwargs: Any) -> fields.List[Any]:
    return fields.List(code(enum), validate=validate.Length(max=len(list(enum))), **kwargs)


def names(minimum: int = 1, maximum: int = 50) -> fields.List[Any]:
    return fields.List(fields.String(validate=SHORT), required=True, validate=validate.Length(min=minimum, max=maximum))


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


class LocationSchema(Strict):
    village = text(long=False)
    address = text(long=False)
    grid_cell = text(required=False, long=False)
    latitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Location:
        return Location(**data)


class PartySchema(Strict):
    role = code(PartyRole)
    name = text(long=False)
    phone = fields.String(load_default="", validate=validate.Length(max=40))
    id_number = fields.String(load_default="", validate=validate.Length(max=40))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Party:
        return Party(PartyRole.parse(data.pop("role"), "role"), **data)


def filing_schema(
    name: str,
    category: type[Labelled],
    channels: Iterable[str],
    extra: dict[str, fields.Field[Any]],
    min_parties: int = 0,
) -> type[ma.Schema]:
    """The body of a filing of one kind of case."""
    return Strict.from_dict(
        {
            "category": code(category),
            "channel": fields.String(required=True, validate=validate.OneOf(sorted(channels))),
            "location": fields.Nested(LocationSchema, required=True),
            "description": text(),
            "parties": _parties(min_parties),
            "at": fields.AwareDateTime(load_default=None, metadata={"description": "when it happened (default: now)"}),
            **extra,
        },
        name=name,
    )


def _parties(minimum: int) -> fields.List[Any]:
    bound = validate.Length(min=minimum, max=20)
    if minimum:
        return fields.List(fields.Nested(PartySchema), required=True, validate=bound)
    return fields.List(fields.Nested(PartySchema), load_default=list, validate=bound)


def action_schema(name: str, body: dict[str, fields.Field[Any]]) -> type[ma.Schema]:
    """The body of one lifecycle action; ``at`` (when it happened) is optional on every action."""
    return Strict.from_dict(
        {**body, "at": fields.AwareDateTime(load_default=None, metadata={"description": "when it happened"})},
        name=name,
    )


class LabelSchema(ma.Schema):
    code = fields.String(required=True)
    zh = fields.String(required=True)
    en = fields.String(required=True)


class CommandResultSchema(ma.Schema):
    id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    position = fields.Integer(allow_none=True, metadata={"description": "log position of the last event"})
    number = fields.String()


class CaseSchema(ma.Schema):
    """A case as the reader may see it; ``state`` carries the kind's own fields."""

    id = fields.UUID(required=True)
    number = fields.String(required=True)
    version = fields.Integer(required=True)
    kind = fields.Nested(LabelSchema, required=True)
    status = fields.Nested(LabelSchema, required=True)
    category = fields.Nested(LabelSchema, required=True)
    channel = fields.Nested(LabelSchema, required=True)
    open = fields.Boolean(required=True)
    description = fields.String(required=True)
    location = fields.Dict(required=True)
    parties = fields.List(fields.Dict(), required=True)
    clocks = fields.List(fields.Dict(), required=True)
    filed_at = fields.String(required=True)
    last_at = fields.String(required=True)
    state = fields.Dict(required=True)


class EventSchema(ma.Schema):
    version = fields.Integer(required=True)
    type = fields.String(required=True)
    recorded_at = fields.String(required=True)
    at = fields.String(required=True)
    actor = fields.Dict(allow_none=True)
    data = fields.Dict(required=True)


class RecordSchema(ma.Schema):
    """A tolerated-error ruling or a clearing: its id, version and current state."""

    id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    status = fields.Nested(LabelSchema, required=True)
    state = fields.Dict(required=True)


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    title_zh = fields.String()
    status = fields.Integer(required=True)
    detail = fields.String()
    detail_zh = fields.String()
    instance = fields.String()
    rule = fields.String()
    action = fields.String()
    current_version = fields.Integer()
    errors = fields.List(fields.Dict())


class HealthSchema(ma.Schema):
    status = fields.String(required=True)
    store = fields.String(required=True)
    log_position = fields.Integer()

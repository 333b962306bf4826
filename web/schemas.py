"""marshmallow schemas of every request and response body; unknown fields are refused, sizes bounded."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, post_load, pre_load, validate

from domain.errors import InvalidValue
from domain.kinds import Channel
from domain.labels import Labelled
from domain.outcomes import PartyRole
from domain.time import require_aware
from domain.values import MAX_NAME, MAX_TEXT, Location, Party
from web.messages import Message

SHORT = validate.Length(min=1, max=MAX_NAME)
LONG = validate.Length(min=1, max=MAX_TEXT)
MAX_CODE = 30
CODE = validate.Length(min=1, max=MAX_CODE)
"""A code typed as text where its enum is not known in advance (a status or category of any kind): the
longest today has 25 characters, and 30 keeps the longest query of ``GET /api/cases`` within the request
line the server reads (tests/web/test_serving.py)."""
MOMENT_TEXT = 40
"""The most characters of a date-time in a query string (2025-03-10T10:00:00.123456+08:00 has 32): the
parser would take any number of digits of a second."""
MAX_POSITION = 2**63 - 1
"""The largest log position a store holds (notification ids are signed 64-bit integers)."""


def text(required: bool = True, long: bool = True, **metadata: Any) -> fields.String:
    """A non-empty, bounded text field (optional ones may be empty)."""
    bound = LONG if long else SHORT
    if required:
        return fields.String(required=True, validate=bound, metadata=metadata)
    return fields.String(load_default="", validate=validate.Length(max=bound.max), metadata=metadata)


UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
"""Characters no text a client sends may hold: control characters other than tab, line feed and carriage
return (PostgreSQL cannot store NUL in text; the others are invisible wherever clerks read and type, so
no one could see or correct them), and lone surrogates (not text at all: they have no UTF-8 form)."""


def unstorable(text: str) -> Message | None:
    """Why ``text`` is refused (see :data:`UNSTORABLE`), or None when every character of it may be kept."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    code, where = f"U+{ord(found.group()):04X}", found.start() + 1
    return Message(
        f"must not contain control characters or lone surrogates ({code} at character {where})",
        f"不能包含控制字符或不成对的代理码位（第 {where} 个字符为 {code}）",
    )


def unstorable_in(data: Mapping[Any, Any]) -> dict[str, list[Message]] | None:
    """Every text in ``data``, however deeply nested, and every key that :func:`unstorable` refuses, by
    dotted path (``parties.0.name``, as the problems name fields); None when there are none.

    Iterative, as JSON may nest almost as deeply as the parser's recursion limit."""
    errors: dict[str, list[Message]] = {}
    pending: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            refused = unstorable(value)
            if refused is not None:
                errors[".".join(path)] = [refused]
        elif isinstance(value, Mapping):
            for key, item in value.items():
                name = str(key)
                refused = unstorable(name)
                if refused is None:
                    pending.append(((*path, name), item))
                else:
                    errors[".".join((*path, name.encode("utf-8", "backslashreplace").decode("utf-8")))] = [refused]
        elif isinstance(value, list):
            pending.extend(((*path, str(i)), item) for i, item in enumerate(value))
    return errors or None


class StrictBoolean(fields.Boolean):
    """Only JSON true or false (marshmallow's Boolean would also take 0, 1, "yes"…)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def boolean(**kwargs: Any) -> fields.Boolean:
    return StrictBoolean(**kwargs)


class StrictInteger(fields.Integer):
    """Only a JSON integer (marshmallow's Integer would also take 1.9 as 1, "30" and true)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def whole(**kwargs: Any) -> fields.Integer:
    """A whole number in a JSON body. (Query strings are text: their integers are fields.Integer, which
    parses "30" and refuses "1.5".)"""
    return StrictInteger(**kwargs)


class StrictFloat(fields.Float):
    """Only a JSON number, not a string or a boolean."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Moment(fields.AwareDateTime):
    """A date-time with an offset that the ledger can hold: its UTC and China-time days exist."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            require_aware(moment, attr or "at")
        except InvalidValue as error:
            raise ma.ValidationError(Message(error.message, error.zh)) from None
        return moment


def moment(**kwargs: Any) -> fields.AwareDateTime:
    """A date-time with an offset, in a body or a query string."""
    return Moment(**kwargs)


def code(enum: type[Labelled], required: bool = True, **kwargs: Any) -> fields.String:
    """One code of a Labelled enum; the OpenAPI document lists the codes and their labels."""
    codes = [m.code for m in enum]
    labels = "; ".join(f"{m.code} = {m.zh} / {m.en}" for m in enum)
    metadata = {"description": labels, "labelled": enum}  # a form lists the labels; the document, the codes
    return fields.String(required=required, validate=validate.OneOf(codes), metadata=metadata, **kwargs)


def codes(enum: type[Labelled], **kwargs: Any) -> fields.List[Any]:
    return fields.List(code(enum), validate=validate.Length(max=len(list(enum))), **kwargs)


def names(minimum: int = 1, maximum: int = 50) -> fields.List[Any]:
    return fields.List(fields.String(validate=SHORT), required=True, validate=validate.Length(min=minimum, max=maximum))


class Strict(ma.Schema):
    """The base of every request schema: unknown fields are refused, and so is text no store can hold
    (:func:`unstorable`) in any field, however deeply nested."""

    class Meta:
        unknown = ma.RAISE

    @pre_load
    def _refuse_unstorable_text(self, data: Any, **_: Any) -> Any:
        errors = unstorable_in(data) if isinstance(data, Mapping) else None
        if errors:
            raise ma.ValidationError(errors)
        return data


class QueryArgs(Strict):
    """The base of every query-string schema. Its text fields are bounded by their own validators; here the
    others are too (:func:`query_text_limit`), since "0…01" is a whole number and a moment may carry any
    number of digits: so that every query the schema allows fits the request line the server reads
    (web/serving.py)."""

    @pre_load
    def _refuse_long_values(self, data: Any, **_: Any) -> Any:
        errors = {
            name: [Message(f"must be at most {limit} characters", f"不能超过 {limit} 个字符")]
            for name, field in self.fields.items()
            if not isinstance(field, fields.String)
            and isinstance(value := data.get(name), str)
            and len(value) > (limit := query_text_limit(field))
        }
        if errors:
            raise ma.ValidationError(errors)
        return data


def query_text_limit(field: fields.Field[Any]) -> int:
    """The most characters a query-string value of ``field`` may have: its longest choice, its length
    bound, the digits of its range, or the longest text of a day or a moment."""
    for validator in field.validators:
        if isinstance(validator, validate.OneOf):
            return max(len(str(choice)) for choice in validator.choices)
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
        if isinstance(validator, validate.Range) and validator.min is not None and validator.max is not None:
            return max(len(str(validator.min)), len(str(validator.max)))
    if isinstance(field, fields.DateTime):
        return MOMENT_TEXT
    if isinstance(field, fields.Date):
        return len("2025-01-02")
    raise TypeError(f"the query field {field.name!r} has no bound on its text")


def position_field(description: str, minimum: int = 0) -> fields.Integer:
    """A read's read-your-writes position: wait until the read model has caught up with it (a command's)."""
    return fields.Integer(
        load_default=None,
        validate=validate.Range(min=minimum, max=MAX_POSITION),
        metadata={"description": description},
    )


class LocationSchema(Strict):
    village = text(long=False)
    address = text(long=False)
    grid_cell = text(required=False, long=False)
    latitude = StrictFloat(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    longitude = StrictFloat(load_default=None, allow_none=True, validate=validate.Range(-180, 180))

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
            "channel": fields.String(
                required=True, validate=validate.OneOf(sorted(channels)), metadata={"labelled": Channel}
            ),
            "location": fields.Nested(LocationSchema, required=True),
            "description": text(),
            "parties": _parties(min_parties),
            "at": moment(load_default=None, metadata={"description": "when it happened (default: now)"}),
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
        {**body, "at": moment(load_default=None, metadata={"description": "when it happened"})},
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
    description = fields.String(
        metadata={"description": "left out for statisticians, and for handlers on cases their unit does not handle"}
    )
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
    action = fields.Dict(metadata={"description": "the action the event records, in Chinese (zh) and English (en)"})


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


class FollowerSchema(ma.Schema):
    """One projection: how far it has got, and whether its follower keeps it up with the log."""

    name = fields.String(required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(["following", "stale", "rebuilding", "outdated", "not set up"]),
        metadata={"description": "stale: its follower has not caught up with the log for 30 s (stopped or failing)"},
    )
    position = fields.Integer(required=True, allow_none=True, metadata={"description": "null while replaying"})
    behind = fields.Integer(required=True, metadata={"description": "log positions behind the head"})
    seen_seconds_ago = fields.Float(
        required=True, allow_none=True, metadata={"description": "since its follower last caught up; null: never"}
    )
    detail = fields.String(required=True)


class HealthSchema(ma.Schema):
    status = fields.String(
        required=True,
        validate=validate.OneOf(["ok", "degraded"]),
        metadata={"description": "degraded: the store answers, but some projection is not current (lists lag)"},
    )
    store = fields.String(required=True)
    log_position = fields.Integer()
    projections = fields.List(fields.Nested(FollowerSchema), required=True)

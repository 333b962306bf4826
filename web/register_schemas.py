"""The request and response bodies of the registers' routes (web/blueprints/registers.py)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, post_load, validate

from domain.kinds import GridLevel
from domain.labels import Labelled
from domain.registers.categories import TimeLimit
from domain.registers.refs import MAX_CODE
from domain.rules import DayUnit, Stage
from projections.case_listing import MAX_PER_PAGE
from web.schemas import SHORT, LabelSchema, QueryArgs, Strict, code, moment, text, whole

ENTRY_CODE = [validate.Length(min=1, max=MAX_CODE), validate.Regexp(r"^[^\s/]+$")]
"""A register code as the domain takes it: 1 to 64 characters, no white space and no ``/``."""
MAX_LIMIT_DAYS = 3650


def entry_code(required: bool = True, description: str = "", **kwargs: Any) -> fields.String:
    """The code of an entry (its own, its parent's, the one it merges into)."""
    said = f"{description}: " if description else ""
    metadata = {"description": f"{said}a register code of 1 to 64 characters, no white space, no '/'"}
    if not required:
        return fields.String(load_default=None, allow_none=True, validate=ENTRY_CODE, metadata=metadata, **kwargs)
    return fields.String(required=True, validate=ENTRY_CODE, metadata=metadata, **kwargs)


class TimeLimitSchema(Strict):
    stage = code(Stage)
    days = whole(required=True, validate=validate.Range(min=1, max=MAX_LIMIT_DAYS))
    unit = code(DayUnit)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> TimeLimit:
        return TimeLimit(Stage.parse(data["stage"], "stage"), data["days"], DayUnit.parse(data["unit"], "unit"))


def limits_field(**kwargs: Any) -> fields.List[Any]:
    return fields.List(
        fields.Nested(TimeLimitSchema),
        validate=validate.Length(max=len(Stage)),
        metadata={"description": "the category's time limit per stage; none above the statutory one"},
        **kwargs,
    )


def registration_schema(name: str, extra: dict[str, fields.Field[Any]]) -> type[ma.Schema]:
    """The body of a registration: code, name, reason, when it is in force from, and the register's own fields."""
    return Strict.from_dict(
        {
            "code": entry_code(),
            "name": text(long=False),
            "reason": text(),
            "active_from": moment(load_default=None, metadata={"description": "in force from (default: now)"}),
            **extra,
        },
        name=name,
    )


def grid_level_field() -> fields.String:
    return code(GridLevel, required=False, load_default=None, allow_none=True)


def listing_args(name: str, kinds: type[Labelled] | None) -> type[ma.Schema]:
    """The query of a register's list: its filters and its page."""
    extra: dict[str, fields.Field[Any]] = {}
    if kinds is not None:
        extra["kind"] = code(kinds, required=False)
    return QueryArgs.from_dict(
        {
            "in_force_at": moment(metadata={"description": "only the entries in force at this moment"}),
            "parent": fields.String(
                validate=ENTRY_CODE, metadata={"description": "only the entries under this code (at in_force_at)"}
            ),
            "text": fields.String(validate=SHORT, metadata={"description": "a part of the code or of any name"}),
            "page": fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000)),
            "per_page": fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE)),
            **extra,
        },
        name=name,
    )


RenameBody = Strict.from_dict({"name": text(long=False), "reason": text()}, name="RenameRegisterEntryBody")
MoveBody = Strict.from_dict(
    {"parent": entry_code(required=True, allow_none=True), "reason": text()}, name="MoveRegisterEntryBody"
)
MergeBody = Strict.from_dict({"into": entry_code(), "reason": text()}, name="MergeRegisterEntryBody")
RetireBody = Strict.from_dict(
    {"reason": text(), "active_to": moment(load_default=None, metadata={"description": "the end (default: now)"})},
    name="RetireRegisterEntryBody",
)
LimitsBody = Strict.from_dict({"limits": limits_field(required=True), "reason": text()}, name="ChangeLimitsBody")


class DatedNameSchema(ma.Schema):
    since = fields.String(required=True)
    name = fields.String(required=True)


class DatedParentSchema(ma.Schema):
    since = fields.String(required=True)
    parent = fields.String(required=True, allow_none=True)


class DatedLimitsSchema(ma.Schema):
    since = fields.String(required=True)
    limits = fields.List(fields.Dict(), required=True)


class RegisterEntrySchema(ma.Schema):
    """An entry: what it is now, whether it is in force, and the history of its names, parents and limits."""

    office = fields.String(required=True)
    register = fields.Nested(LabelSchema, required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    parent = fields.String(required=True, allow_none=True)
    active_from = fields.String(required=True)
    active_to = fields.String(required=True, allow_none=True)
    merged_into = fields.String(required=True, allow_none=True)
    in_force = fields.Boolean(required=True, metadata={"description": "at in_force_at if asked, else now"})
    version = fields.Integer(required=True)
    names = fields.List(fields.Nested(DatedNameSchema), required=True)
    parents = fields.List(fields.Nested(DatedParentSchema), required=True)
    kind = fields.Nested(LabelSchema, metadata={"description": "units and places"})
    grid_level = fields.Nested(LabelSchema, allow_none=True, metadata={"description": "places"})
    limits = fields.List(fields.Dict(), metadata={"description": "categories"})
    limit_history = fields.List(fields.Nested(DatedLimitsSchema), metadata={"description": "categories"})


class RegisterPageSchema(ma.Schema):
    items = fields.List(fields.Nested(RegisterEntrySchema), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)

"""A page's form for a request schema: its fields as the page shows them, and a posted form read back as
the body the API would have been sent, so that the console and the API load the same schema."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict

from domain.labels import Labelled
from web.console.labels import FIELD_LABELS
from web.problems import field_errors
from web.schemas import Moment, StrictBoolean, StrictFloat, StrictInteger

PARTY_ROWS = 3
"""How many rows of parties a form offers (the API takes up to 20)."""
SHANGHAI_OFFSET = "+08:00"
"""A moment typed in a form is China time (Asia/Shanghai keeps no daylight saving time)."""


@dataclass(frozen=True)
class Option:
    code: str
    zh: str


@dataclass(frozen=True)
class FormField:
    """One input: ``name`` as the form posts it (``location.village``, ``parties.0.name``), its labels, the
    widget that shows it, whether it must be filled, and the choices of a select."""

    name: str
    zh: str
    en: str
    widget: str
    required: bool
    options: tuple[Option, ...] = ()
    maxlength: int | None = None
    group: str = ""


def form_fields(schema: type[ma.Schema]) -> list[FormField]:
    """The inputs of a form for ``schema``, in the schema's order; nested fields become fieldsets."""
    found: list[FormField] = []
    for name, field in schema().fields.items():
        found.extend(_inputs(name, field, ""))
    return found


def _inputs(name: str, field: fields.Field[Any], group: str) -> list[FormField]:
    if isinstance(field, fields.Nested):
        nested = field.schema
        return [f for sub, inner in nested.fields.items() for f in _inputs(f"{name}.{sub}", inner, name)]
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        nested = field.inner.schema
        return [  # a row left blank is no party: none of its inputs must be filled before sending
            replace(f, required=False)
            for row in range(PARTY_ROWS)
            for sub, inner in nested.fields.items()
            for f in _inputs(f"{name}.{row}.{sub}", inner, f"{name}.{row}")
        ]
    zh, en = FIELD_LABELS[name.rsplit(".", 1)[-1]]
    required = bool(field.required)
    if isinstance(field, fields.List):
        options = _options(field.inner)
        return [FormField(name, zh, en, "choices" if options else "lines", required, options, group=group)]
    options = _options(field)
    if options:
        return [FormField(name, zh, en, "select", required, options, group=group)]
    return [FormField(name, zh, en, _widget(field), required, maxlength=_maxlength(field), group=group)]


def _widget(field: fields.Field[Any]) -> str:
    if isinstance(field, StrictBoolean):
        return "checkbox"
    if isinstance(field, StrictInteger):
        return "number"
    if isinstance(field, fields.Decimal | StrictFloat):
        return "decimal"
    if isinstance(field, Moment):
        return "datetime"
    if isinstance(field, fields.Date):
        return "date"
    if isinstance(field, fields.String) and (_maxlength(field) or 0) > 200:
        return "textarea"
    return "text"


def _options(field: fields.Field[Any]) -> tuple[Option, ...]:
    choices = next((v.choices for v in field.validators if isinstance(v, validate.OneOf)), None)
    if choices is None:
        return ()
    enum: type[Labelled] | None = field.metadata.get("labelled")
    labels = {m.code: m.zh for m in enum} if enum is not None else {}
    return tuple(Option(str(c), labels.get(str(c), str(c))) for c in choices)


def _maxlength(field: fields.Field[Any]) -> int | None:
    return next((v.max for v in field.validators if isinstance(v, validate.Length)), None)


def read_form(schema: type[ma.Schema], form: MultiDict[str, str]) -> dict[str, Any]:
    """The body ``form`` stands for: left-out optional fields are left out (so their defaults apply), a
    fieldset with nothing filled in is left out, and the types are the JSON ones the schema expects."""
    body: dict[str, Any] = {}
    for field in form_fields(schema):
        value = _value(field, form)
        if value is None:
            continue
        *path, last = field.name.split(".")
        target: Any = body
        for step in path:
            target = target.setdefault(step, {})
        target[last] = value
    rows = body.get("parties")
    if isinstance(rows, dict):
        body["parties"] = [row for _, row in sorted(rows.items(), key=lambda item: int(item[0]))]
    return body


def _value(field: FormField, form: MultiDict[str, str]) -> Any:
    if field.widget == "checkbox":
        return field.name in form
    if field.widget == "choices":
        chosen = form.getlist(field.name)
        return chosen if chosen or field.required else None
    text = form.get(field.name, "")
    if text == "":
        return None
    if field.widget == "lines":
        return [line for line in text.splitlines() if line.strip()]
    if field.widget == "number":
        return int(text) if text.lstrip("-").isdigit() else text
    if field.widget == "decimal" and field.name.endswith(("latitude", "longitude")):
        try:
            return float(text)
        except ValueError:
            return text
    if field.widget == "datetime":
        return f"{text}:00{SHANGHAI_OFFSET}" if len(text) == len("2025-03-10T10:00") else text
    return text


def load_form(schema: type[ma.Schema], form: MultiDict[str, str]) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """The loaded body of ``form``, or None with the refused fields as a problem lists them (by form name)."""
    try:
        return schema().load(read_form(schema, form)), []
    except ma.ValidationError as error:
        return None, refused_fields(error)


def refused_fields(error: ma.ValidationError) -> list[dict[str, str]]:
    """A schema's refusal as a problem's ``errors``: each field with why, in English and Chinese."""
    return field_errors(error.messages if isinstance(error.messages, Mapping) else {"": error.messages})

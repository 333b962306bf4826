"""The registers of an office: offices, units, places and each kind's categories, read, registered and changed.

``/api/offices`` lists and registers offices; under ``/api/offices/{office}/`` each register of the office
is a collection (``units``, ``places``, ``complaint-categories``, ``dispute-categories``,
``enforcement-categories``) whose entries are named by code. Every change is a POST with If-Match (the
entry's version, its ETag) and a reason, recorded as an event of the entry; its history is served like a
case's. A registration needs no Idempotency-Key: the same registration again answers the entry it made
(200), another under a used code is refused (409).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import marshmallow as ma
from flask import request
from marshmallow import fields

from application.register_listing import EntryFilter, entry_view
from application.registers import CATEGORY_KINDS
from domain.kinds import CaseKind
from domain.labels import Labelled
from domain.registers.entry import RegisterEntry
from domain.registers.places import PlaceKind
from domain.registers.refs import MAX_CODE, EntryRef, Register, require_code
from domain.registers.units import UnitKind
from web.api import Blueprint
from web.auth import current_actor
from web.blueprints.kinds import FILING_ERRORS
from web.register_schemas import (
    LimitsBody,
    MergeBody,
    MoveBody,
    RegisterEntrySchema,
    RegisterPageSchema,
    RenameBody,
    RetireBody,
    entry_code,
    grid_level_field,
    limits_field,
    listing_args,
    registration_schema,
)
from web.routing import (
    ERRORS_OF_ACTIONS,
    IF_MATCH_PARAMETER,
    READ_ERRORS,
    authorized,
    command_response,
    created_response,
    etag,
    expected_version,
    problems,
)
from web.schemas import CommandResultSchema, EventSchema, code
from web.state import ledger

TAG = "Registers"
LIST_ERRORS = (400, 401, 403, 422, 429, 503)
ENTRY_READ_ERRORS = (*READ_ERRORS, 422)

blp = Blueprint(
    "registers",
    __name__,
    tag=TAG,
    url_prefix="/api/offices",
    description="The registers of each office: offices, units, places and categories (登记簿)",
)


@dataclass(frozen=True)
class RegisterRoutes:
    """One register's collection under an office: its path, its register, and what its entries have."""

    segment: str
    register: Register
    use_case: str
    fields: dict[str, fields.Field[Any]]
    kinds: type[Labelled] | None = None

    @property
    def name(self) -> str:
        return self.segment.replace("-", "_")

    @property
    def title(self) -> str:
        return self.register.en.lower()

    def register_entry(self, office: str, data: dict[str, Any]) -> Any:
        use_case = getattr(ledger(), self.use_case)
        if self.register in CATEGORY_KINDS:
            return use_case(current_actor(), office, CATEGORY_KINDS[self.register], **data)
        return use_case(current_actor(), office, **data)


def _parent() -> fields.String:
    return entry_code(required=False, description="the entry it is under (default: none)")


REGISTERS: list[RegisterRoutes] = [
    RegisterRoutes("units", Register.UNIT, "register_unit", {"kind": code(UnitKind), "parent": _parent()}, UnitKind),
    RegisterRoutes(
        "places",
        Register.PLACE,
        "register_place",
        {"kind": code(PlaceKind), "grid_level": grid_level_field(), "parent": _parent()},
        PlaceKind,
    ),
    *[
        RegisterRoutes(
            f"{kind.code}-categories",
            Register.for_kind(kind),
            "register_category",
            {"parent": _parent(), "limits": limits_field(load_default=list)},
        )
        for kind in CaseKind
    ],
]


def _page(entries: Sequence[RegisterEntry], args: dict[str, Any]) -> dict[str, Any]:
    page, per_page = args.pop("page"), args.pop("per_page")
    chosen = EntryFilter(**args)
    found = [entry_view(e, chosen.in_force_at) for e in entries if chosen.selects(e)]
    start = (page - 1) * per_page
    return {"items": found[start : start + per_page], "total": len(found), "page": page, "per_page": per_page}


def _entry_response(ref: EntryRef) -> Any:
    entry = ledger().read_register_entry(current_actor(), ref)
    return entry_view(entry), 200, {"ETag": etag(entry.version)}


def _history(ref: EntryRef) -> Any:
    actor = current_actor()
    ledger().read_register_entry(actor, ref)  # not found: named by its code
    return ledger().view_history(actor, RegisterEntry, ref.id)


def _named(view: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
    view.__name__ = name
    view.__doc__ = doc
    return view


# -- offices ------------------------------------------------------------------------------------

OfficeListArgs = listing_args("OfficeListArgs", None)
OfficeBody = registration_schema("RegisterOfficeBody", {})


def _path_parameter(name: str, what: str) -> dict[str, Any]:
    return {
        "in": "path",
        "name": name,
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CODE, "pattern": r"^[^\s/]+$"},
        "description": what,
    }


_PATH_PARAMETERS = {
    "office": _path_parameter("office", "the office's code"),
    "code": _path_parameter("code", "the entry's code"),
}


@blp.before_request
def _codes_in_path() -> None:
    """An office's or an entry's code in the path is held to the rule of codes (422 naming it), as documented."""
    for name in _PATH_PARAMETERS:
        value = (request.view_args or {}).get(name)
        if value is not None:
            require_code(value, name)


def _route(rule: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``blp.route`` with the office and entry codes in the path documented with their bounds."""
    named = [p for n, p in _PATH_PARAMETERS.items() if f"<{n}>" in rule]
    decorate: Callable[[Callable[..., Any]], Callable[..., Any]] = (
        blp.route(rule, parameters=named, **options) if named else blp.route(rule, **options)
    )
    return decorate


@_route("", endpoint="list_offices")
@authorized("read_register")
@problems(blp, *LIST_ERRORS)
@blp.arguments(OfficeListArgs, location="query", unknown=ma.RAISE)
@blp.response(200, RegisterPageSchema, description="One page of offices, in the order they were registered")
def list_offices(args: dict[str, Any]) -> Any:
    """The offices this deployment serves, filtered by the moment they are in force at and by text; paged.

    The default office of a single-office install is valid without being registered and is listed once
    it is registered."""
    return _page(ledger().read_offices(current_actor()), args)


@_route("", methods=["POST"], endpoint="register_office")
@authorized("register_office")
@problems(blp, *FILING_ERRORS)
@blp.arguments(OfficeBody)
@blp.response(201, CommandResultSchema, description="Registered")
@blp.alt_response(200, schema=CommandResultSchema, description="A retry: the office this registration made")
def register_office(data: dict[str, Any]) -> Any:
    """Register an office (街道 / 乡镇) under its code."""
    result = ledger().register_office(current_actor(), **data)
    return created_response(result, f"/api/offices/{quote(data['code'])}")


def _office(office: str) -> EntryRef:
    return EntryRef(office, Register.OFFICE, office)


@_route("/<office>", endpoint="read_office")
@authorized("read_register")
@problems(blp, *ENTRY_READ_ERRORS)
@blp.response(200, RegisterEntrySchema, description="The office; its version is also the ETag")
def read_office(office: str) -> Any:
    """An office's entry, with the history of its names and its active period."""
    return _entry_response(_office(office))


@_route("/<office>/history", endpoint="office_history")
@authorized("read_register")
@problems(blp, *ENTRY_READ_ERRORS)
@blp.response(200, EventSchema(many=True), description="Every event, oldest first")
def office_history(office: str) -> Any:
    """Who registered, renamed or retired the office, when, and why."""
    return _history(_office(office))


def _change_route(
    path: str, endpoint: str, use_case: str, schema: type[ma.Schema], summary: str, ref_of: Callable[..., EntryRef]
) -> None:
    """``POST {path}``: the change ``use_case`` to the entry ``ref_of`` names from the path, with If-Match."""

    def view(data: dict[str, Any], **path_args: str) -> Any:
        change = getattr(ledger(), use_case)
        return command_response(change(ref_of(**path_args), expected_version(), current_actor(), **data))

    documented = blp.doc(parameters=[IF_MATCH_PARAMETER])(
        _named(view, endpoint, f"{summary}\n\nRuns the use case `{use_case}`; needs If-Match.")
    )
    documented = blp.arguments(schema)(documented)
    documented = blp.response(200, CommandResultSchema, description="The new version and log position")(documented)
    _route(path, methods=["POST"], endpoint=endpoint)(
        authorized(use_case)(problems(blp, *ERRORS_OF_ACTIONS)(documented))
    )


_change_route("/<office>/rename", "rename_office", "rename_register_entry", RenameBody, "Rename the office.", _office)
_change_route("/<office>/retire", "retire_office", "retire_register_entry", RetireBody, "Retire the office.", _office)


# -- the registers of an office -----------------------------------------------------------------


def _collection(routes: RegisterRoutes) -> None:
    base, name, title = f"/<office>/{routes.segment}", routes.name, routes.title
    pascal = "".join(part.title() for part in name.split("_"))
    args_schema = listing_args(f"{pascal}ListArgs", routes.kinds)
    body_schema = registration_schema(f"Register{pascal}Body", routes.fields)

    def ref_of(office: str, code: str) -> EntryRef:
        return EntryRef(office, routes.register, code)

    def list_entries(args: dict[str, Any], office: str) -> Any:
        return _page(ledger().read_register(current_actor(), office, routes.register), args)

    view = _named(list_entries, f"list_{name}", f"The {title} entries of an office, filtered; paged.")
    view = blp.arguments(args_schema, location="query", unknown=ma.RAISE)(view)
    view = blp.response(200, RegisterPageSchema, description="One page, in the order they were registered")(view)
    _route(base, endpoint=f"list_{name}")(authorized("read_register")(problems(blp, *LIST_ERRORS)(view)))

    def register_one(data: dict[str, Any], office: str) -> Any:
        result = routes.register_entry(office, data)
        return created_response(result, f"/api/offices/{quote(office)}/{routes.segment}/{quote(data['code'])}")

    view = _named(register_one, f"register_{name}", f"Register a {title} of the office under its code.")
    view = blp.arguments(body_schema)(view)
    view = blp.response(201, CommandResultSchema, description="Registered")(view)
    view = blp.alt_response(200, schema=CommandResultSchema, description="A retry: the entry it made")(view)
    _route(base, methods=["POST"], endpoint=f"register_{name}")(
        authorized(routes.use_case)(problems(blp, *FILING_ERRORS)(view))
    )

    def read_one(office: str, code: str) -> Any:
        return _entry_response(ref_of(office, code))

    view = _named(read_one, f"read_{name}", f"A {title} entry, with the history of its names, parents and period.")
    view = blp.response(200, RegisterEntrySchema, description="The entry; its version is also the ETag")(view)
    _route(f"{base}/<code>", endpoint=f"read_{name}")(
        authorized("read_register")(problems(blp, *ENTRY_READ_ERRORS)(view))
    )

    def history(office: str, code: str) -> Any:
        return _history(ref_of(office, code))

    view = _named(history, f"{name}_history", f"Who changed the {title} entry, when, and why; oldest first.")
    view = blp.response(200, EventSchema(many=True), description="Every event, oldest first")(view)
    _route(f"{base}/<code>/history", endpoint=f"{name}_history")(
        authorized("read_register")(problems(blp, *ENTRY_READ_ERRORS)(view))
    )

    entry = f"{base}/<code>"
    changes = [
        ("rename", "rename_register_entry", RenameBody, f"Rename the {title} from now on; its code stays."),
        ("move", "move_register_entry", MoveBody, f"Put the {title} under another parent (null: none)."),
        ("merge", "merge_register_entry", MergeBody, f"Merge the {title} into another; it ends now."),
        ("retire", "retire_register_entry", RetireBody, f"Retire the {title} now or at active_to."),
    ]
    if routes.register in CATEGORY_KINDS:
        changes.append(("limits", "change_category_limits", LimitsBody, "Replace the category's time limits."))
    for path, use_case, schema, summary in changes:
        _change_route(f"{entry}/{path}", f"{path}_{name}", use_case, schema, summary, ref_of)


for _routes in REGISTERS:
    _collection(_routes)

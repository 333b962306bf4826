"""People: the users of an office, their roles, passwords and locks, and their history (三员分立).

The system administrator registers and deactivates users and sets initial passwords; the security
administrator gives roles and unlocks; the audit administrator reads a user's history.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from domain.accounts import MAX_UNITS, User
from domain.actor import Role
from domain.passwords import MAX_PASSWORD
from web.api import Blueprint
from web.auth import current_actor
from web.routing import (
    ERRORS_OF_ACTIONS,
    IF_MATCH_PARAMETER,
    authorized,
    command_response,
    etag,
    expected_version,
    problems,
)
from web.schemas import SHORT, CommandResultSchema, EventSchema, Strict, codes, moment, text
from web.state import ledger

blp = Blueprint("users", __name__, tag="Users", url_prefix="/api/users", description="People (人员) and their roles")

WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
NAMED_READ_ERRORS = (400, 401, 403, 404, 422, 429, 503)
"""A read of a user named in the path: a name no store can hold is 422 (web.app, refuse_unstorable_path)."""
NewUser = Strict.from_dict(
    {
        "username": fields.String(required=True, validate=validate.Length(min=1, max=64)),
        "display_name": fields.String(required=True, validate=SHORT),
        "roles": codes(Role, required=True),
        "units": fields.List(
            fields.String(validate=SHORT), required=True, validate=validate.Length(min=1, max=MAX_UNITS)
        ),
        "office": fields.String(load_default="default", validate=validate.Length(min=1, max=64)),
        "active_from": moment(load_default=None),
        "active_to": moment(load_default=None),
    },
    name="NewUser",
)
Roles = Strict.from_dict({"roles": codes(Role, required=True), "reason": text()}, name="UserRoles")
Reason = Strict.from_dict({"reason": text()}, name="UserChangeReason")
InitialPassword = Strict.from_dict(
    {"password": fields.String(required=True, validate=validate.Length(min=1, max=MAX_PASSWORD), load_only=True)},
    name="InitialPassword",
)


class UserSchema(ma.Schema):
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    office = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    units = fields.List(fields.String(), required=True)
    active_from = fields.AwareDateTime(required=True)
    active_to = fields.AwareDateTime(allow_none=True)
    active = fields.Boolean(required=True, metadata={"description": "false once deactivated"})
    locked = fields.Boolean(required=True, metadata={"description": "locked by failed sign-ins"})
    password_change_required = fields.Boolean(required=True)
    version = fields.Integer(required=True)


def _view(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "office": user.office,
        "roles": [r.code for r in user.roles],
        "units": list(user.units),
        "active_from": user.active_from,
        "active_to": user.active_to,
        "active": user.active,
        "locked": user.locked,
        "password_change_required": user.must_change_password,
        "version": user.version,
    }


@blp.route("", methods=["GET"], endpoint="read_users")
@authorized("read_users")
@problems(blp, 401, 403, 429, 503)
@blp.response(200, UserSchema(many=True))
def read_users() -> Any:
    """Every user, in the order they were registered."""
    return [_view(u) for u in ledger().read_users(current_actor())]


@blp.route("/<string(maxlength=64):username>", methods=["GET"], endpoint="read_user")
@authorized("read_user")
@problems(blp, *NAMED_READ_ERRORS)
@blp.response(200, UserSchema, description="The user; its version is also the ETag")
def read_user(username: str) -> Any:
    """One user: office, roles, units, active period, whether locked."""
    view = _view(ledger().read_user(current_actor(), username))
    return view, 200, {"ETag": etag(view["version"])}


@blp.route("", methods=["POST"], endpoint="add_user")
@authorized("add_user")
@problems(blp, *WRITE_ERRORS)
@blp.arguments(NewUser)
@blp.response(201, CommandResultSchema)
def add_user(data: dict[str, Any]) -> Any:
    """Register a user in an office, units and roles (an administrator's role is granted by the security
    administrator)."""
    result = ledger().add_user(
        current_actor(),
        data["username"],
        data["display_name"],
        data["roles"],
        data["units"],
        office=data["office"],
        active_from=data["active_from"],
        active_to=data["active_to"],
    )
    return command_response(result, 201, f"/api/users/{data['username']}")


@blp.route("/<string(maxlength=64):username>/roles", methods=["POST"], endpoint="change_user_roles")
@authorized("change_user_roles")
@problems(blp, *ERRORS_OF_ACTIONS)
@blp.doc(parameters=[IF_MATCH_PARAMETER])
@blp.arguments(Roles)
@blp.response(200, CommandResultSchema)
def change_user_roles(data: dict[str, Any], username: str) -> Any:
    """Give a user these roles (the security administrator's duty)."""
    return command_response(
        ledger().change_user_roles(current_actor(), username, data["roles"], data["reason"], expected_version())
    )


@blp.route("/<string(maxlength=64):username>/password", methods=["POST"], endpoint="set_password")
@authorized("set_password")
@problems(blp, *WRITE_ERRORS)
@blp.arguments(InitialPassword)
@blp.response(204)
def set_password(data: dict[str, Any], username: str) -> Any:
    """Set an initial password, to be changed at the user's next sign-in."""
    ledger().set_password(current_actor(), username, data["password"])
    return ""


@blp.route("/<string(maxlength=64):username>/unlock", methods=["POST"], endpoint="unlock_user")
@authorized("unlock_user")
@problems(blp, *ERRORS_OF_ACTIONS)
@blp.doc(parameters=[IF_MATCH_PARAMETER])
@blp.arguments(Reason)
@blp.response(200, CommandResultSchema)
def unlock_user(data: dict[str, Any], username: str) -> Any:
    """Unlock an account that failed sign-ins locked (the security administrator's duty)."""
    return command_response(ledger().unlock_user(current_actor(), username, data["reason"], expected_version()))


@blp.route("/<string(maxlength=64):username>/deactivation", methods=["POST"], endpoint="deactivate_user")
@authorized("deactivate_user")
@problems(blp, *ERRORS_OF_ACTIONS)
@blp.doc(parameters=[IF_MATCH_PARAMETER])
@blp.arguments(Reason)
@blp.response(200, CommandResultSchema)
def deactivate_user(data: dict[str, Any], username: str) -> Any:
    """Deactivate a user: their tokens and sessions stop working at once."""
    return command_response(ledger().deactivate_user(current_actor(), username, data["reason"], expected_version()))


@blp.route("/<string(maxlength=64):username>/history", methods=["GET"], endpoint="read_user_history")
@authorized("read_user_history")
@problems(blp, *NAMED_READ_ERRORS)
@blp.response(200, EventSchema(many=True))
def read_user_history(username: str) -> Any:
    """A user's events: registration, roles, passwords set (never a password), sign-ins and failures,
    locks and unlocks (the audit administrator's read)."""
    return ledger().read_user_history(current_actor(), username)

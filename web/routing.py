"""Helpers the blueprints share: versions in ETag / If-Match, and registering action routes."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from flask import request
from werkzeug.exceptions import BadRequest, PreconditionRequired

from application.core import CommandResult
from web.actions import Action
from web.api import Blueprint
from web.auth import current_actor
from web.messages import Message
from web.schemas import CommandResultSchema
from web.state import ledger

P = ParamSpec("P")
R = TypeVar("R")

_IF_MATCH = re.compile(r'^(?:W/)?"([1-9]\d{0,8})"$')

IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string", "pattern": r'^(W/)?"[1-9]\d{0,8}"$'},
    "description": 'The version the action was decided against, as its ETag, e.g. "3".',
}
READ_ERRORS = (401, 403, 404, 429, 503)
ERRORS_OF_ACTIONS = (400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429, 503)


def expected_version() -> int:
    """The version in If-Match; missing is 428, malformed is 400."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired(
            Message(
                'send If-Match: "<version>" with the version the action was decided against',
                '请在 If-Match 中提供作出决定时所见的案件版本，如 "3"',
            )
        )
    match = _IF_MATCH.match(header.strip())
    if match is None:
        raise BadRequest(Message('If-Match must be a version ETag such as "3"', 'If-Match 应为版本号，如 "3"'))
    return int(match.group(1))


def etag(version: int) -> str:
    return f'"{version}"'


def command_response(
    result: CommandResult, status: int = 200, location: str | None = None
) -> tuple[Any, int, dict[str, str]]:
    headers = {"ETag": etag(result.version)}
    if location:
        headers["Location"] = location
    return result, status, headers


def created_response(result: CommandResult, location: str) -> tuple[Any, int, dict[str, str]]:
    """201 with the new record's Location, or 200 when an Idempotency-Key retry found the first one."""
    return command_response(result, 200 if result.retried else 201, location)


def authorized(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Run the view only for a caller whose role the permissions allow ``action``, the use case or read
    the route performs: checked before the request's body or query is read, so that a refused caller
    learns nothing of its rules. The application checks again on the record it loads."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            ledger().authorize(current_actor(), action)
            return view(*args, **kwargs)

        return checked

    return decorate


def problems(blp: Blueprint, *statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Document the problem responses a view may give."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        for status in statuses:
            view = blp.alt_response(status, response=f"PROBLEM_{status}")(view)
        return view

    return decorate


def register_actions(blp: Blueprint, actions: Iterable[Action], id_name: str = "case_id") -> None:
    """``POST /<uuid:{id_name}>/<action.path>`` for each action, with its own body schema."""
    for action in actions:
        blp.route(f"/<uuid:{id_name}>/{action.path}", methods=["POST"], endpoint=action.use_case)(
            _action_view(blp, action)
        )


def _action_view(blp: Blueprint, action: Action) -> Callable[..., Any]:
    def view(data: dict[str, Any], **ids: UUID) -> tuple[Any, int, dict[str, str]]:
        (record_id,) = ids.values()
        version = expected_version()
        use_case = getattr(ledger(), action.use_case)
        return command_response(use_case(record_id, version, current_actor(), **data))

    view.__name__ = action.use_case
    view.__doc__ = f"{action.summary}\n\nRuns the use case `{action.use_case}`; needs If-Match."
    documented = blp.doc(parameters=[IF_MATCH_PARAMETER])(view)
    documented = blp.arguments(action.schema)(documented)
    documented = blp.response(200, CommandResultSchema, description="The new version and log position")(documented)
    return authorized(action.use_case)(problems(blp, *ERRORS_OF_ACTIONS)(documented))

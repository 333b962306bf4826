"""flask-smorest's Api, speaking problem+json for every error and documenting it so."""

from __future__ import annotations

import http
import json
from functools import cached_property
from typing import Any, NoReturn

import flask_smorest
from flask import Request, Response
from flask import json as flask_json
from flask_smorest import Api
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest, HTTPException

from web.messages import Message
from web.problems import PROBLEM_JSON, http_problem
from web.schemas import ProblemSchema


class BodyParser(FlaskParser):
    """Reads a JSON body whole or refuses it with a 400 problem saying why: cut short, not JSON, or
    nested too deeply for the parser."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        body = req.get_data(cache=True)
        if req.content_length is not None and len(body) < req.content_length:
            raise BadRequest(
                Message(
                    f"the body ended after {len(body)} of the {req.content_length} bytes its Content-Length "
                    "announced; nothing was recorded",
                    f"请求内容不完整（Content-Length 为 {req.content_length} 字节，只收到 {len(body)} 字节），"
                    "未作任何记录",
                )
            )
        try:
            return core.parse_json(body)
        except RecursionError:
            raise BadRequest(Message("the JSON body is nested too deeply", "请求内容的 JSON 嵌套层数过多")) from None

    def _handle_invalid_json_error(
        self, error: json.JSONDecodeError | UnicodeDecodeError, req: Request, *args: Any, **kwargs: Any
    ) -> NoReturn:
        where = (error.lineno, error.colno) if isinstance(error, json.JSONDecodeError) else (1, error.start + 1)
        raise BadRequest(
            Message(
                f"the body is not valid JSON (line {where[0]}, column {where[1]}: {error})",
                f"请求内容不是有效的 JSON（第 {where[0]} 行第 {where[1]} 列有误）",
            )
        )


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """flask-smorest's Blueprint, reading bodies with :class:`BodyParser`; ``tag`` names its section of
    the API document (every operation of it, and the section's entry in the document's tag list)."""

    ARGUMENTS_PARSER = BodyParser()

    def __init__(self, name: str, import_name: str, *, tag: str, **options: Any) -> None:
        super().__init__(name, import_name, **options)
        self.tag = tag

    def add_url_rule(self, rule: str, *args: Any, tags: list[str] | None = None, **options: Any) -> None:
        super().add_url_rule(rule, *args, tags=tags or [self.tag], **options)


class ProblemApi(Api):  # type: ignore[misc]
    """Errors leave as RFC 9457 problems; the OpenAPI document says so for every status."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_problem(error)

    def register_blueprint(self, blp: Blueprint, *, parameters: Any = None, **options: Any) -> None:
        """Register ``blp`` and document it under its tag (flask-smorest would list its name as a tag of no
        operation, an empty section of the interactive docs)."""
        self._app.extensions["flask-smorest"]["blp_name_to_api"][options.get("name", blp.name)] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=blp.name, parameters=parameters)
        self.spec.tag({"name": blp.tag, "description": blp.description})

    def _openapi_json(self) -> Response:
        """The OpenAPI document, built on the first request (every blueprint is registered by then) and then
        served from memory: building it takes longer than most requests."""
        return Response(self._openapi_document, mimetype="application/json")

    @cached_property
    def _openapi_document(self) -> bytes:
        return flask_json.dumps(self.spec.to_dict(), indent=2).encode("utf-8")

    def _register_responses(self) -> None:
        self.spec.components.schema("Problem", schema=ProblemSchema)
        problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response: dict[str, Any] = {
                "description": status.phrase,
                "content": problem,
            }
            self.spec.components.response(f"PROBLEM_{int(status)}", response)
            self.spec.components.response(status.name, response)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {
                "description": "An error, as an RFC 9457 problem",
                "content": problem,
            },
        )

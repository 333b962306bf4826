"""flask-smorest's Api, speaking problem+json for every error and documenting it so."""

from __future__ import annotations

import http
from typing import Any

from flask import Response
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from web.problems import PROBLEM_JSON, http_problem
from web.schemas import ProblemSchema


class ProblemApi(Api):  # type: ignore[misc]
    """Errors leave as RFC 9457 problems; the OpenAPI document says so for every status."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_problem(error)

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

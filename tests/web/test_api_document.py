"""The OpenAPI document: valid OpenAPI 3, one tag section per group of operations, built once."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from openapi_spec_validator import validate

from tests.web.conftest import Api


def test_the_document_is_valid_openapi(api: Api) -> None:
    validate(api.call(None, "GET", "/api/openapi.json").get_json())


def test_every_declared_tag_has_operations_and_every_operation_a_declared_tag(api: Api) -> None:
    spec = api.call(None, "GET", "/api/openapi.json").get_json()
    declared = [tag["name"] for tag in spec["tags"]]
    operations = [op for path in spec["paths"].values() for method, op in path.items() if method != "parameters"]
    used = {tag for operation in operations for tag in operation["tags"]}
    assert sorted(declared) == sorted(used)
    assert "Tolerated-error rulings" in declared and "rulings" not in declared


def test_the_document_is_built_once_and_then_served_from_memory(
    app: Flask, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api.call(None, "GET", "/api/openapi.json")
    smorest = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]

    def rebuilt(*_: Any) -> dict[str, Any]:
        raise AssertionError("the document was built again")

    monkeypatch.setattr(smorest.spec, "to_dict", rebuilt)
    again = api.call(None, "GET", "/api/openapi.json")
    assert again.status_code == 200 and again.mimetype == "application/json"
    assert again.data == first.data

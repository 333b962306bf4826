"""Values the registers refuse leave as a 422 problem naming the field, the value and the register, and
change nothing; an office that keeps no register yet is answered as before. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse

from domain.registers.refs import DEFAULT_OFFICE, EntryRef, Register
from tests.web.conftest import COMPLAINT, OWN_UNIT, ROOT, Api
from web.problems import PROBLEM_JSON

TYPO = "城管执法中对"


def accepted_complaint(api: Api) -> str:
    response = api.call("clerk", "POST", "/api/complaints", COMPLAINT, {"Idempotency-Key": "hotline-0001"})
    assert response.status_code == 201, response.get_json()
    case_id: str = response.get_json()["id"]
    assert api.act("supervisor", f"/api/complaints/{case_id}/accept", 1).status_code == 200
    return case_id


def refusal(response: TestResponse, field: str, value: str, register: str) -> dict[str, Any]:
    assert response.status_code == 422 and response.mimetype == PROBLEM_JSON
    body: dict[str, Any] = response.get_json()
    assert body["type"] == "urn:caseledger:problem:not-in-register" and body["status"] == 422
    [error] = body["errors"]
    assert isinstance(error, dict)
    assert error["field"] == field and error["value"] == value and error["register"] == register
    assert error["office"] == DEFAULT_OFFICE and value in error["message"] and error["message_zh"]
    assert body["detail_zh"].startswith(f"{field}：")
    return error


def test_the_typo_of_the_issue_is_refused_once_the_office_keeps_its_units(api: Api) -> None:
    api.ledger.register_unit(ROOT, DEFAULT_OFFICE, OWN_UNIT, "城管执法中队", "enforcement_squad", "机构设置")
    case_id = accepted_complaint(api)
    before = api.ledger.log_position()
    error = refusal(
        api.act("supervisor", f"/api/complaints/{case_id}/dispatch", 2, {"lead_unit": TYPO}), "lead_unit", TYPO, "unit"
    )
    assert "no unit" in error["message"]
    assert api.ledger.log_position() == before
    assert api.call("supervisor", "GET", f"/api/cases/{case_id}").headers["ETag"] == '"2"'
    body = {"lead_unit": OWN_UNIT}
    assert api.act("supervisor", f"/api/complaints/{case_id}/dispatch", 2, body).status_code == 200


def test_a_retired_unit_is_refused_saying_so(api: Api) -> None:
    api.ledger.register_unit(ROOT, DEFAULT_OFFICE, "jdzd", "旧执法中队", "enforcement_squad", "机构设置")
    api.ledger.retire_register_entry(EntryRef(DEFAULT_OFFICE, Register.UNIT, "jdzd"), 1, ROOT, "撤销")
    case_id = accepted_complaint(api)
    response = api.act("supervisor", f"/api/complaints/{case_id}/dispatch", 2, {"lead_unit": "jdzd"})
    assert "retired" in refusal(response, "lead_unit", "jdzd", "unit")["message"]


def test_a_filing_in_an_unregistered_village_is_refused_and_numbers_nothing(api: Api) -> None:
    api.ledger.register_place(ROOT, DEFAULT_OFFICE, "donghu", "东湖村", "village", "行政区划")
    before = api.ledger.log_position()
    response = api.call("clerk", "POST", "/api/complaints", COMPLAINT, {"Idempotency-Key": "hotline-0002"})
    refusal(response, "location.village", COMPLAINT["location"]["village"], "place")
    assert api.ledger.log_position() == before


def test_an_office_keeping_no_unit_register_dispatches_free_text_as_before(api: Api) -> None:
    case_id = accepted_complaint(api)
    assert api.act("supervisor", f"/api/complaints/{case_id}/dispatch", 2, {"lead_unit": TYPO}).status_code == 200

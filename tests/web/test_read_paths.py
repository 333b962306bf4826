"""Every read path answers only for its own kind of record and shows free text only to those who may
read it, on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask

from domain.accounts import user_id_for
from tests.web.conftest import COMPLAINT, OWN_UNIT, ROOT_SECURITY, Api, ruling_and_clearing
from web.read_models import read_models


def _file(api: Api) -> str:
    response = api.call("clerk", "POST", "/api/complaints", COMPLAINT, {"Idempotency-Key": "read-paths-1"})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def test_a_route_answers_only_for_its_own_kind_of_record(api: Api) -> None:
    case_id = _file(api)
    ruling_id, clearing_id = map(str, ruling_and_clearing(api.ledger))
    assert api.call("discipline", "GET", f"/api/rulings/{ruling_id}").status_code == 200
    assert api.call("discipline", "GET", f"/api/clearings/{clearing_id}").status_code == 200
    for path in (
        f"/api/clearings/{ruling_id}",
        f"/api/clearings/{ruling_id}/history",
        f"/api/rulings/{clearing_id}",
        f"/api/rulings/{clearing_id}/history",
        f"/api/rulings/{case_id}",
        f"/api/rulings/{case_id}/history",
        f"/api/cases/{ruling_id}/history",
        f"/api/cases/{clearing_id}/history",
    ):
        response = api.call("discipline", "GET", path)
        assert response.status_code == 404, (path, response.get_json())


def test_accounts_are_never_readable_through_case_routes(api: Api) -> None:
    token_id, _ = api.ledger.issue_token(ROOT_SECURITY, "clerk", "another desk")
    for record_id in (token_id, user_id_for("clerk")):
        for user in ("supervisor", "discipline", "admin"):
            for path in (f"/api/cases/{record_id}", f"/api/cases/{record_id}/history"):
                response = api.call(user, "GET", path)
                assert response.status_code == 404, (user, path)
                assert "token_hash" not in response.get_data(as_text=True)


def _catch_up(app: Flask) -> None:
    with app.app_context():
        for runner in read_models().runners.values():
            runner.run_once()


def _dispatched_and_investigated(api: Api) -> str:
    case_id = _file(api)
    assert api.act("supervisor", f"/api/complaints/{case_id}/accept", 1).status_code == 200
    assert api.act("supervisor", f"/api/complaints/{case_id}/dispatch", 2, {"lead_unit": OWN_UNIT}).status_code == 200
    body = {"finding": "substantiated", "summary": "王秀兰所述属实"}
    assert api.act("handler", f"/api/complaints/{case_id}/investigate", 3, body).status_code == 200
    return case_id


def test_a_case_view_shows_its_description_only_to_those_who_may_read_it(api: Api) -> None:
    case_id = _dispatched_and_investigated(api)
    for user in ("clerk", "handler", "supervisor", "discipline"):
        assert api.call(user, "GET", f"/api/cases/{case_id}").get_json()["description"] == COMPLAINT["description"]
    for user in ("statistician", "other_handler"):
        view = api.call(user, "GET", f"/api/cases/{case_id}")
        assert view.status_code == 200 and "description" not in view.get_json(), user
        assert COMPLAINT["description"] not in view.get_data(as_text=True)


def test_a_history_withholds_free_text_from_a_handler_of_another_unit(api: Api) -> None:
    case_id = _dispatched_and_investigated(api)
    own = api.call("handler", "GET", f"/api/cases/{case_id}/history").get_json()
    assert [sorted(e["data"]) for e in own][-1] == ["finding", "summary"]
    assert own[0]["data"]["description"] == COMPLAINT["description"]
    other = api.call("other_handler", "GET", f"/api/cases/{case_id}/history")
    assert other.status_code == 200
    text = other.get_data(as_text=True)
    assert COMPLAINT["description"] not in text and "王秀兰所述属实" not in text
    assert [(e["type"], sorted(e["data"])) for e in other.get_json()] == [
        ("Registered", ["anonymous", "category", "channel", "filing_key", "limits", "location", "number", "parties"]),
        ("Accepted", []),
        ("Dispatched", ["assisting_units", "designated", "lead_unit"]),
        ("Investigated", ["finding"]),
    ]
    assert api.call("statistician", "GET", f"/api/cases/{case_id}/history").status_code == 403


def test_a_text_search_matches_only_descriptions_the_caller_may_read(app: Flask, api: Api) -> None:
    case_id = _dispatched_and_investigated(api)
    _catch_up(app)
    number = api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()["number"]

    def found(user: str, text: str) -> list[str]:
        listed = api.call(user, "GET", f"/api/cases?{urlencode({'text': text})}")
        assert listed.status_code == 200, listed.get_json()
        return [item["id"] for item in listed.get_json()["items"]]

    for user in ("clerk", "supervisor", "handler"):
        assert found(user, "救护车") == [case_id], user
    assert found("statistician", "救护车") == [] and found("other_handler", "救护车") == []
    for user in ("statistician", "other_handler"):
        assert found(user, number.lower()) == [case_id], "a case number is found by anyone who lists"

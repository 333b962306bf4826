"""The HTTP API end to end, through the Flask test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.web.conftest import COMPLAINT, OWN_UNIT, Api

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$")


def file_complaint(api: Api, key: str = "hotline-0001") -> dict[str, Any]:
    response = api.call("clerk", "POST", "/api/complaints", COMPLAINT, {"Idempotency-Key": key})
    assert response.status_code == 201, response.get_json()
    filed = response.get_json()
    assert isinstance(filed, dict)
    return filed


def test_file_advance_and_close_a_complaint(api: Api) -> None:
    filed = file_complaint(api)
    case = f"/api/cases/{filed['id']}"
    assert re.fullmatch(r"TS-\d{4}-\d{6}", filed["number"])
    assert api.act("supervisor", f"/api/complaints/{filed['id']}/accept", 1).status_code == 200
    dispatched = api.act("supervisor", f"/api/complaints/{filed['id']}/dispatch", 2, {"lead_unit": OWN_UNIT})
    assert dispatched.headers["ETag"] == '"3"'
    steps = [
        ("handler", "investigate", {"finding": "substantiated", "summary": "现场核实，早餐摊点占用盲道"}),
        ("handler", "dispose", {"action_taken": "劝导摊主入室经营，设置隔离桩"}),
        ("handler", "reply", {"opinion": "support", "facts": "属实", "reasons": "影响通行", "legal_basis": "市容条例"}),
        ("clerk", "visit", {"satisfaction": "satisfied"}),
        ("supervisor", "close", {"resolved": True}),
    ]
    for version, (user, action, body) in enumerate(steps, start=3):
        response = api.act(user, f"/api/complaints/{filed['id']}/{action}", version, body)
        assert response.status_code == 200, response.get_json()
    read = api.call("supervisor", "GET", case)
    assert read.status_code == 200 and read.headers["ETag"] == '"8"'
    body = read.get_json()
    assert body["status"]["code"] == "closed" and body["description"] == COMPLAINT["description"]
    assert ISO_WITH_OFFSET.match(body["filed_at"])
    history = api.call("supervisor", "GET", f"{case}/history").get_json()
    assert [e["type"] for e in history][-1] == "Closed"
    assert history[1]["actor"]["user_id"] == "supervisor" and ISO_WITH_OFFSET.match(history[1]["recorded_at"])


def test_a_retried_filing_returns_the_original_case(api: Api) -> None:
    first = file_complaint(api, "mailbox-7")
    again = api.call("clerk", "POST", "/api/complaints", COMPLAINT, {"Idempotency-Key": "mailbox-7"})
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]
    other = dict(COMPLAINT, description="另一件事")
    reused = api.call("clerk", "POST", "/api/complaints", other, {"Idempotency-Key": "mailbox-7"})
    assert reused.status_code == 422
    assert reused.get_json()["type"] == "urn:caseledger:problem:idempotency-key-reused"


def test_versions_are_checked_with_if_match(api: Api) -> None:
    filed = file_complaint(api)
    path = f"/api/complaints/{filed['id']}/accept"
    missing = api.call("supervisor", "POST", path, {})
    assert missing.status_code == 428 and missing.content_type == "application/problem+json"
    assert api.act("supervisor", path, 1).status_code == 200
    stale = api.act("supervisor", f"/api/complaints/{filed['id']}/refuse", 1, {"reason": "x", "route": "y"})
    assert stale.status_code == 412 and stale.headers["ETag"] == '"2"'
    malformed = api.call("supervisor", "POST", path, {}, {"If-Match": "two"})
    assert malformed.status_code == 400


def test_a_refused_transition_names_the_rule_in_both_languages(api: Api) -> None:
    filed = file_complaint(api)
    refused = api.act("supervisor", f"/api/complaints/{filed['id']}/reopen", 1, {"reason": "重办"})
    problem = refused.get_json()
    assert refused.status_code == 409
    assert problem["rule"] == "complaint.reopen.status" and "重办" in problem["detail_zh"]


def test_bad_input_names_the_field_and_changes_nothing(api: Api) -> None:
    position = api.ledger.log_position()
    cases = [
        (dict(COMPLAINT, category="ufo"), "category"),
        (dict(COMPLAINT, description=""), "description"),
        (dict(COMPLAINT, unexpected=1), "unexpected"),
        ({k: v for k, v in COMPLAINT.items() if k != "location"}, "location"),
        (dict(COMPLAINT, location={"village": "x"}), "location.address"),
        (dict(COMPLAINT, anonymous=0), "anonymous"),
    ]
    for body, field in cases:
        response = api.call("clerk", "POST", "/api/complaints", body)
        problem = response.get_json()
        assert response.status_code == 422, problem
        assert field in {e["field"] for e in problem["errors"]}, problem
    assert api.ledger.log_position() == position


def test_domain_validation_is_a_422_naming_the_field(api: Api) -> None:
    filed = file_complaint(api)
    api.act("supervisor", f"/api/complaints/{filed['id']}/accept", 1)
    response = api.act("supervisor", f"/api/cases/{filed['id']}/extend", 2, {"days": 45, "reason": "情况复杂"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {
            "field": "days",
            "message": "an extension of handle may be at most 30 days (《信访工作条例》第三十五条)",
            "message_zh": "「办理」最多可延长 30 天（《信访工作条例》第三十五条）",
        }
    ]


def test_http_errors_are_problems(api: Api) -> None:
    assert api.call(None, "GET", "/api/cases/" + "0" * 32).status_code == 401
    unknown = api.call("supervisor", "GET", "/api/cases/" + "0" * 32)
    assert unknown.status_code == 404 and unknown.content_type == "application/problem+json"
    assert api.call("supervisor", "GET", "/api/nowhere").status_code == 404
    as_text = api.client.post(
        "/api/complaints",
        data="x",
        headers={"Authorization": f"Bearer {api.tokens['clerk']}", "Content-Type": "text/plain"},
    )
    assert as_text.status_code == 415
    broken = api.client.post(
        "/api/complaints",
        data="{not json",
        headers={"Authorization": f"Bearer {api.tokens['clerk']}", "Content-Type": "application/json"},
    )
    assert broken.status_code == 400 and broken.content_type == "application/problem+json"
    huge = api.call("clerk", "POST", "/api/complaints", dict(COMPLAINT, description="长" * 300_000))
    assert huge.status_code == 413
    assert api.call("clerk", "DELETE", "/api/complaints").status_code == 405


def test_roles_and_units_are_enforced(api: Api) -> None:
    filed = file_complaint(api)
    forbidden = api.act("clerk", f"/api/complaints/{filed['id']}/accept", 1)
    assert forbidden.status_code == 403 and forbidden.get_json()["action"] == "accept_complaint"
    api.act("supervisor", f"/api/complaints/{filed['id']}/accept", 1)
    api.act("supervisor", f"/api/complaints/{filed['id']}/dispatch", 2, {"lead_unit": OWN_UNIT})
    body = {"finding": "partly", "summary": "部分属实"}
    assert api.act("other_handler", f"/api/complaints/{filed['id']}/investigate", 3, body).status_code == 403
    assert api.act("handler", f"/api/complaints/{filed['id']}/investigate", 3, body).status_code == 200


def test_identities_are_shown_only_to_those_who_may_see_them(api: Api) -> None:
    filed = file_complaint(api)
    path = f"/api/cases/{filed['id']}"
    assert api.call("clerk", "GET", path).get_json()["parties"][0]["name"] == "王秀兰"
    assert api.call("statistician", "GET", path).get_json()["parties"][0]["name"] == "***"
    assert api.call("other_handler", "GET", path).get_json()["parties"][0]["name"] == "***"
    assert api.call("discipline", "GET", path).get_json()["parties"][0]["name"] == "***", "discipline states a reason"


def test_chinese_text_round_trips_unchanged(api: Api) -> None:
    text = "𠀀𪚥 医院周边「早餐摊点」占道——含生僻字、全角标点与emoji🙂"
    filed = api.call("clerk", "POST", "/api/complaints", dict(COMPLAINT, description=text)).get_json()
    assert api.call("clerk", "GET", f"/api/cases/{filed['id']}").get_json()["description"] == text


def test_health_needs_no_token_and_the_openapi_document_is_served(api: Api) -> None:
    assert api.call(None, "GET", "/api/health").get_json()["store"] == "reachable"
    spec = api.call(None, "GET", "/api/openapi.json").get_json()
    assert "/api/complaints/{case_id}/accept" in spec["paths"]
    docs = api.call(None, "GET", "/api/docs")
    assert docs.status_code == 200 and b"/api/docs/assets/swagger-ui-bundle.js" in docs.data
    asset = api.call(None, "GET", "/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and asset.mimetype in {"text/javascript", "application/javascript"}
    asset.close()


def test_failed_authentication_is_throttled_without_locking_out_valid_tokens(app: Flask, api: Api) -> None:
    from web.app import create_app

    throttled = create_app(api.ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 3}).test_client()
    bad = {"Authorization": "Bearer not-a-token"}
    statuses = [throttled.get("/api/cases/" + "0" * 32, headers=bad).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    limited = throttled.get("/api/cases/" + "0" * 32, headers=bad)
    assert limited.content_type == "application/problem+json" and int(limited.headers["Retry-After"]) >= 1
    good = {"Authorization": f"Bearer {api.tokens['supervisor']}"}
    assert throttled.get("/api/cases/" + "0" * 32, headers=good).status_code == 404


def test_a_wrong_method_lists_the_allowed_ones(api: Api) -> None:
    response = api.call("clerk", "PUT", "/api/complaints", COMPLAINT)
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_cases_are_listed_filtered_and_paged_without_identities(app: Flask, api: Api) -> None:
    from web.read_models import read_models

    app.config["READ_MODEL_WAIT_SECONDS"] = 0.2
    first = file_complaint(api, "list-1")
    second = file_complaint(api, "list-2")
    waiting = api.call("clerk", "GET", f"/api/cases?min_position={second['position']}")
    assert waiting.status_code == 503, waiting.get_json()
    with app.app_context():
        for runner in read_models().runners.values():
            runner.run_once()
    listed = api.call("clerk", "GET", f"/api/cases?kind=complaint&per_page=1&min_position={first['position']}")
    body = listed.get_json()
    assert listed.status_code == 200, body
    assert body["total"] == 2 and len(body["items"]) == 1 and body["items"][0]["description"]
    assert "王秀兰" not in listed.get_data(as_text=True)
    assert api.call("clerk", "GET", "/api/cases?kind=dispute").get_json()["total"] == 0
    assert api.call("clerk", "GET", "/api/cases?text=救护车").get_json()["total"] == 2
    hidden = api.call("statistician", "GET", "/api/cases").get_json()["items"][0]
    assert "description" not in hidden
    bad = api.call("clerk", "GET", "/api/cases?kind=ufo")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "kind"

"""What a client can send that the service must refuse with a 4xx problem naming the field, changing
nothing, on SQLite and PostgreSQL: text no store can hold, JSON too deep or broken, moments outside the
calendar, numbers of the wrong kind, reused idempotency keys. And the messages say why in both languages."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from tests.web.conftest import COMPLAINT, Api
from web.read_models import close_read_models, read_models

RULING = {
    "cadre_id": "cadre-7",
    "cadre_name": "孙某",
    "unit": "城管执法中队",
    "error": "未按程序审批临时占道",
    "consequences": "未造成损失",
    "circumstances": "抢修管道",
    "motive": "为群众办事",
    "proposed_by_unit": True,
}
CLEARING = {
    "cadre_id": "cadre-8",
    "cadre_name": "钱某",
    "unit": "城管执法中队",
    "accusation": "举报收受摊主财物",
    "investigation": "经查无此事",
    "finding": "false",
}


def refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The problem of ``response``, checked to be a ``status`` problem naming ``field``."""
    problem: dict[str, Any] = response.get_json()
    assert response.status_code == status, problem
    assert response.content_type == "application/problem+json"
    assert problem["detail"] and problem["detail_zh"], problem
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]], problem
        for error in problem["errors"]:
            assert error["message_zh"] != error["message"], error
    return problem


def file(api: Api, body: Any, key: str = "hostile-1") -> Any:
    """File ``body`` as JSON with every non-ASCII character escaped (so lone surrogates can be sent)."""
    headers = {"Authorization": f"Bearer {api.tokens['clerk']}", "Idempotency-Key": key}
    return api.client.post("/api/complaints", data=json.dumps(body), headers=headers, content_type="application/json")


def filed(api: Api, key: str = "hostile-ok") -> dict[str, Any]:
    response = file(api, COMPLAINT, key)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body, dict)
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (dict(COMPLAINT, description="abc\u0000def"), "description"),
        (dict(COMPLAINT, description="早餐\u0007摊点"), "description"),
        (dict(COMPLAINT, description="\u001b[31m"), "description"),
        (dict(COMPLAINT, description="\u0085下一行"), "description"),
        (dict(COMPLAINT, description="\ud800"), "description"),
        (dict(COMPLAINT, location={"village": "新河\u0000社区", "address": "北门"}), "location.village"),
        (dict(COMPLAINT, parties=[{"role": "complainant", "name": "王\udfff"}]), "parties.0.name"),
        (dict(COMPLAINT, parties=[{"role": "complainant", "name": "王", "phone": "138\u0000"}]), "parties.0.phone"),
        (dict(COMPLAINT, category="noise\u0000"), "category"),
        (dict(COMPLAINT, **{"\u0000": 1}), "\u0000"),
        (dict(COMPLAINT, **{"\ud800": 1}), "\\ud800"),
    ],
)
def test_text_no_store_can_hold_is_refused_in_any_body_field(api: Api, body: dict[str, Any], field: str) -> None:
    position = api.ledger.log_position()
    refused(file(api, body), 422, field)
    assert api.ledger.log_position() == position


def test_tabs_and_line_breaks_are_text(api: Api) -> None:
    body = dict(COMPLAINT, description="第一行\r\n第二行\n\t缩进")
    assert file(api, body).status_code == 201


def test_unstorable_text_is_refused_in_actions_lists_query_strings_paths_and_keys(api: Api) -> None:
    case = filed(api)["id"]
    position = api.ledger.log_position()
    refused(api.act("supervisor", f"/api/cases/{case}/supervise", 1, {"reason": "督办\u0000"}), 422, "reason")
    refused(api.act("supervisor", f"/api/complaints/{case}/dispatch", 1, {"lead_unit": "x\u0000"}), 422, "lead_unit")
    dispatch = {"lead_unit": "城管执法中队", "assisting_units": ["市场监管所", "\u0000"]}
    refused(api.act("supervisor", f"/api/complaints/{case}/dispatch", 1, dispatch), 422, "assisting_units.1")
    for name in ("text", "village", "unit", "category", "status"):
        refused(api.call("clerk", "GET", f"/api/cases?{name}=%00"), 422, name)
    refused(api.call("clerk", "GET", "/api/queues/intake?village=%01"), 422, "village")
    refused(api.call("discipline", "GET", "/api/audit/rulings?cadre_id=%00"), 422, "cadre_id")
    erasure = api.call("security_admin", "POST", "/api/audit/identities/%00/erasure", {"reason": "依法删除"})
    refused(erasure, 422, "person_id")
    refused(api.call("discipline", "GET", "/api/audit/users/a%00b/activity"), 422, "user_id")
    refused(file(api, COMPLAINT, "key\u0000"), 422, "Idempotency-Key")
    assert api.ledger.log_position() == position


def _nested(depth: int) -> str:
    return json.dumps(dict(COMPLAINT, description="x"))[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"


def test_json_nested_too_deeply_is_a_400_and_shallower_is_a_422(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['clerk']}", "Content-Type": "application/json"}
    deep = api.client.post("/api/complaints", data=_nested(100_000), headers=headers)
    assert "nested too deeply" in refused(deep, 400)["detail"]
    assert refused(api.client.post("/api/complaints", data=_nested(1_000), headers=headers), 400)
    refused(api.client.post("/api/complaints", data=_nested(900), headers=headers), 422, "extra")


def test_malformed_json_is_a_400_saying_where(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['clerk']}", "Content-Type": "application/json"}
    problem = refused(api.client.post("/api/complaints", data='{"category": ', headers=headers), 400)
    assert problem["type"] == "urn:caseledger:problem:malformed-request"
    assert "not valid JSON (line 1, column 14" in problem["detail"]
    assert problem["detail_zh"] == "请求内容不是有效的 JSON（第 1 行第 14 列有误）"
    not_utf8 = api.client.post("/api/complaints", data=b'{"description": "\xff"}', headers=headers)
    assert "not valid JSON" in refused(not_utf8, 400)["detail"]


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "9999-12-31T20:00:00Z"])
def test_moments_beyond_the_years_a_store_holds_are_refused(api: Api, at: str) -> None:
    refused(file(api, dict(COMPLAINT, at=at)), 422, "at")
    case = filed(api)["id"]
    refused(api.act("supervisor", f"/api/complaints/{case}/accept", 1, {"at": at}), 422, "at")
    refused(api.call("discipline", "POST", "/api/rulings", dict(RULING, at=at)), 422, "at")
    query = quote(at)
    for path in (
        "/api/queues/overdue?",
        "/api/reports/2025.json?",
        "/api/reports/2025.csv?",
        "/api/statistics?year=2025&",
    ):
        refused(api.call("clerk", "GET", f"{path}as_of={query}"), 422, "as_of")
    window = f"/api/audit/users/clerk/activity?since={query}&until=2025-01-01T00:00:00%2B08:00"
    refused(api.call("discipline", "GET", window), 422, "since")


def test_a_moment_in_a_year_without_a_calendar_is_refused_as_in_the_future(api: Api) -> None:
    problem = refused(file(api, dict(COMPLAINT, at="2030-01-02T10:00:00+08:00")), 422, "at")
    assert problem["errors"] == [
        {"field": "at", "message": "must not be in the future", "message_zh": "不能晚于当前时间"}
    ]
    past = refused(file(api, dict(COMPLAINT, at="2001-01-02T10:00:00+08:00")), 422, "at")
    assert "no working-day calendar for 2001" in past["errors"][0]["message"]


@pytest.mark.parametrize("days", [1.5, 1.0, "30", True, None])
def test_an_extension_is_a_json_integer_of_days(api: Api, days: Any) -> None:
    case = filed(api)["id"]
    assert api.act("supervisor", f"/api/complaints/{case}/accept", 1).status_code == 200
    position = api.ledger.log_position()
    body = {"days": days, "reason": "情况复杂", "parties_consent": False}
    problem = refused(api.act("supervisor", f"/api/cases/{case}/extend", 2, body), 422, "days")
    assert problem["errors"][0]["message_zh"] in {"应为整数", "不能为 null"}
    assert api.ledger.log_position() == position


def test_other_numbers_of_bodies_are_strict_and_query_integers_are_parsed_from_text(app: Flask, api: Api) -> None:
    case = filed(api)["id"]
    correction = {"corrects_version": 1.9, "reason": "笔误", "description": "更正后的描述"}
    refused(api.act("clerk", f"/api/cases/{case}/corrections", 1, correction), 422, "corrects_version")
    location = {"village": "新河社区", "address": "北门", "latitude": "30.5", "longitude": 120.1}
    refused(file(api, dict(COMPLAINT, location=location)), 422, "location.latitude")
    refused(api.call("clerk", "GET", "/api/cases?page=1.5"), 422, "page")
    refused(api.call("clerk", "GET", "/api/statistics?year=2025.0"), 422, "year")
    with app.app_context():
        read_models().runners["case_index"].setup()
    try:
        assert api.call("clerk", "GET", "/api/cases?page=2&per_page=5").status_code == 200
    finally:
        close_read_models(app)


def test_field_messages_come_in_chinese_and_english(api: Api) -> None:
    problem = refused(file(api, dict(COMPLAINT, category="ufo", channel=None, description="")), 422)
    by_field = {e["field"]: e for e in problem["errors"]}
    assert by_field["category"]["message"].startswith("Must be one of: road_occupation, ")
    assert by_field["category"]["message_zh"].startswith("应为以下之一：road_occupation, ")
    assert by_field["channel"]["message_zh"] == "不能为 null"
    assert by_field["description"]["message_zh"] == "长度应为 1 至 4000 个字符（或项）"
    assert problem["detail_zh"].startswith("以下字段不合法：")
    unknown = refused(file(api, dict(COMPLAINT, colour="red")), 422, "colour")
    assert unknown["errors"][0]["message_zh"] == "没有这个字段"
    missing = refused(file(api, {"category": "noise"}), 422, "location")
    assert {e["message_zh"] for e in missing["errors"]} == {"缺少必填项"}
    no_match = refused(api.call("supervisor", "POST", f"/api/complaints/{filed(api)['id']}/accept", {}), 428)
    assert "If-Match" in no_match["detail_zh"]
    assert refused(api.call("clerk", "GET", "/api/nowhere"), 404)["detail_zh"] == "该地址没有对应的资源"


def test_a_retried_filing_answers_the_position_it_was_filed_at(api: Api) -> None:
    first = filed(api, "retry-1")
    filed(api, "retry-2")
    again = file(api, COMPLAINT, "retry-1")
    assert again.status_code == 200, again.get_json()
    assert again.get_json() == first and first["position"] >= 1


@pytest.mark.parametrize(
    ("path", "body", "changed"), [("/api/rulings", RULING, "motive"), ("/api/clearings", CLEARING, "investigation")]
)
def test_a_reused_key_with_another_body_is_refused_for_rulings_and_clearings(
    api: Api, path: str, body: dict[str, Any], changed: str
) -> None:
    key = {"Idempotency-Key": f"{path}-1"}
    first = api.call("discipline", "POST", path, body, key)
    assert first.status_code == 201, first.get_json()
    again = api.call("discipline", "POST", path, body, key)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    position = api.ledger.log_position()
    other = api.call("discipline", "POST", path, dict(body, **{changed: "另一回事"}), key)
    assert refused(other, 422)["type"] == "urn:caseledger:problem:idempotency-key-reused"
    assert api.ledger.log_position() == position


def test_a_reused_key_reviewing_another_appeal_is_refused(api: Api) -> None:
    rulings = []
    for n in range(2):
        opened = api.call(
            "discipline", "POST", "/api/rulings", dict(RULING, cadre_id=f"c{n}"), {"Idempotency-Key": f"r{n}"}
        )
        rulings.append(opened.get_json()["id"])
    for ruling in rulings:
        steps = [
            ("accept", {}),
            ("verification", {"conditions_met": ["within_law"], "negative_list_hit": False, "notes": "核实"}),
            ("deliberation", {"participants": ["甲", "乙", "丙"], "summary": "研究"}),
            ("ruling", {"outcome": "not_tolerated", "basis": "依据"}),
            ("notice", {"notified": "孙某"}),
            ("appeal", {"grounds": "不服"}),
        ]
        for version, (step, body) in enumerate(steps, start=1):
            response = api.act("discipline", f"/api/rulings/{ruling}/{step}", version, body)
            assert response.status_code == 200, response.get_json()
    key = {"Idempotency-Key": "review-1"}
    first = api.call("discipline", "POST", f"/api/rulings/{rulings[0]}/review", {}, key)
    assert first.status_code == 201, first.get_json()
    assert api.call("discipline", "POST", f"/api/rulings/{rulings[0]}/review", {}, key).get_json() == first.get_json()
    other = api.call("discipline", "POST", f"/api/rulings/{rulings[1]}/review", {}, key)
    assert refused(other, 422)["type"] == "urn:caseledger:problem:idempotency-key-reused"

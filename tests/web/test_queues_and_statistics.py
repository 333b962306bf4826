"""Queues, statistics and the annual report over HTTP, on SQLite and PostgreSQL: authentication,
filters, paging, bad query arguments, read-your-writes, formats, and what each role may see."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import pytest
from flask import Flask

from domain.kinds import ComplaintCategory, DisputeType
from domain.registers.refs import EntryRef, Register
from tests.projections.desk import Desk, place
from tests.support import DISCIPLINE, SUPERVISOR, Clock
from tests.web.conftest import OWN_UNIT, ROOT, Api
from web.blueprints import queues, statistics
from web.read_models import close_read_models, read_models

AS_OF = "2025-03-10T10:00:00+08:00"


def catch_up(app: Flask) -> None:
    """Bring every projection the API reads up to the end of the log."""
    with app.app_context():
        for runner in read_models().runners.values():
            runner.run_once()


@pytest.fixture
def web(app: Flask, api: Api) -> Iterator[Api]:
    """The API with the queue and statistics blueprints, and a short wait for read-your-writes."""
    smorest = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    for blueprint in (queues.blp, statistics.blp):
        if blueprint.name not in app.blueprints:
            smorest.register_blueprint(blueprint)
    app.config["READ_MODEL_WAIT_SECONDS"] = 0.5
    yield api
    close_read_models(app)


@pytest.fixture
def office(app: Flask, web: Api) -> dict[str, UUID]:
    """Three registered complaints (one about noise in 新河社区), one dispute, one dispatched complaint."""
    desk = Desk(web.ledger, Clock())
    cases = {
        "stalls": desk.complaint("stalls", description="王秀兰反映早餐摊点占道"),
        "noise": desk.complaint("noise", category=ComplaintCategory.NOISE, location=place("新河社区", "XH-01")),
        "parking": desk.complaint("parking", category=ComplaintCategory.PARKING),
        "pond": desk.dispute("pond", category=DisputeType.NEIGHBOUR),
        "ours": desk.complaint("ours"),
    }
    desk.do("accept_complaint", cases["ours"], SUPERVISOR)
    desk.do("dispatch_complaint", cases["ours"], SUPERVISOR, OWN_UNIT, [])
    catch_up(app)
    return cases


def get(api: Api, user: str | None, path: str, **query: Any) -> Any:
    return api.call(user, "GET", f"{path}?{urlencode(query)}" if query else path)


def test_reading_needs_a_token(web: Api) -> None:
    for path in ("/api/queues/intake", "/api/statistics?year=2025", "/api/reports/2025.html"):
        assert get(web, None, path).status_code == 401


def test_a_queue_is_filtered_and_paged(web: Api, office: dict[str, UUID]) -> None:
    first = get(web, "clerk", "/api/queues/intake", kind="complaint", per_page=2, as_of=AS_OF)
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert (body["total"], body["pages"], body["page"], len(body["items"])) == (3, 2, 1, 2)
    assert body["queue"] == {"code": "intake", "zh": "待受理", "en": "Intake"}
    second = get(web, "clerk", "/api/queues/intake", kind="complaint", per_page=2, page=2, as_of=AS_OF).get_json()
    listed = [item["id"] for item in body["items"] + second["items"]]
    assert sorted(listed) == sorted(str(office[k]) for k in ("stalls", "noise", "parking"))
    assert second["items"][0]["clock_status"]["code"] == "on_time"
    noise = get(web, "clerk", "/api/queues/intake", category="noise").get_json()
    assert [item["id"] for item in noise["items"]] == [str(office["noise"])]
    village = get(web, "clerk", "/api/queues/intake", village="新河社区").get_json()
    assert village["total"] == 1
    both = get(web, "clerk", "/api/queues/intake").get_json()
    assert both["total"] == 4 and both["position"] >= 1


@pytest.mark.parametrize(
    "query",
    [
        {"per_page": 0},
        {"per_page": 201},
        {"page": "two"},
        {"kind": "ufo"},
        {"channel": "pigeon"},
        {"colour": "red"},
        {"as_of": "2025-03-10T10:00:00"},
        {"min_position": -1},
        {"min_position": 10**9},
        {"as_of": "2000-01-01T10:00:00+08:00"},
        {"kind": "dispute", "category": "noise"},
    ],
)
def test_bad_query_arguments_are_422_problems(web: Api, office: dict[str, UUID], query: dict[str, Any]) -> None:
    response = get(web, "clerk", "/api/queues/intake", **query)
    assert response.status_code == 422, response.get_json()
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("user", "path", "query", "field"),
    [
        ("clerk", "/api/cases", {"status": "s" * 31}, "status"),
        ("clerk", "/api/cases", {"category": "c" * 31}, "category"),
        ("clerk", "/api/cases", {"text": "占" * 201}, "text"),
        ("clerk", "/api/cases", {"page": "00000001"}, "page"),
        ("clerk", "/api/cases", {"min_position": 2**63}, "min_position"),
        ("clerk", "/api/queues/intake", {"category": "c" * 31}, "category"),
        ("clerk", "/api/queues/intake", {"as_of": "2025-03-10T10:00:00." + "0" * 20 + "+08:00"}, "as_of"),
        ("statistician", "/api/statistics", {"year": "02025"}, "year"),
        ("discipline", "/api/audit/rulings", {"cadre_id": "c" * 201}, "cadre_id"),
    ],
)
def test_a_query_value_longer_than_its_bound_is_a_422_naming_it(
    web: Api, user: str, path: str, query: dict[str, Any], field: str
) -> None:
    # Bounded so that the longest query each read allows fits the request line the server reads
    # (tests/web/test_serving.py).
    response = get(web, user, path, **query)
    assert (response.status_code, response.content_type) == (422, "application/problem+json"), response.get_json()
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_an_unknown_queue_is_404(web: Api) -> None:
    response = get(web, "clerk", "/api/queues/inbox")
    assert response.status_code == 404 and response.content_type == "application/problem+json"


def test_statisticians_get_no_descriptions(web: Api, office: dict[str, UUID]) -> None:
    clerk = get(web, "clerk", "/api/queues/intake").get_json()["items"]
    counted = get(web, "statistician", "/api/queues/intake").get_json()["items"]
    assert all("description" in item for item in clerk) and "王秀兰反映早餐摊点占道" in repr(clerk)
    assert counted and all("description" not in item for item in counted)
    assert "王秀兰" not in repr(counted)


def test_handlers_read_only_their_own_units_descriptions(web: Api, office: dict[str, UUID]) -> None:
    for path in ("/api/queues/intake", "/api/queues/my_unit", "/api/cases"):
        for item in get(web, "handler", path, per_page=200).get_json()["items"]:
            ours = item["id"] == str(office["ours"])
            assert ("description" in item) is ours, (path, item)
    listed = get(web, "other_handler", "/api/cases", per_page=200).get_json()["items"]
    assert listed and all("description" not in item for item in listed)
    assert "王秀兰" not in repr(listed)
    clerk = get(web, "clerk", "/api/cases", per_page=200).get_json()["items"]
    assert all("description" in item for item in clerk)


def test_my_unit_is_the_handlers_own(web: Api, office: dict[str, UUID]) -> None:
    mine = get(web, "handler", "/api/queues/my_unit").get_json()
    assert [item["id"] for item in mine["items"]] == [str(office["ours"])]
    assert get(web, "other_handler", "/api/queues/my_unit").get_json()["total"] == 0
    refused = get(web, "other_handler", "/api/queues/my_unit", unit=OWN_UNIT)
    assert refused.status_code == 403 and refused.get_json()["action"] == "read_queue"
    asked = get(web, "supervisor", "/api/queues/my_unit", unit=OWN_UNIT).get_json()
    assert asked["total"] == 1


def test_pending_rulings_are_discipline_s(app: Flask, web: Api) -> None:
    web.ledger.request_ruling(
        "r-1",
        DISCIPLINE,
        cadre_id="c-1",
        cadre_name="孙某某",
        unit=OWN_UNIT,
        case_ids=[],
        error="差错",
        consequences="后果",
        circumstances="情节",
        motive="动机",
        proposed_by_unit=True,
    )
    catch_up(app)
    assert get(web, "clerk", "/api/queues/rulings_pending").status_code == 403
    found = get(web, "discipline", "/api/queues/rulings_pending").get_json()
    assert found["total"] == 1 and found["items"][0]["unit"] == OWN_UNIT and "孙某某" not in repr(found)


def test_a_read_waits_for_the_position_of_a_write(app: Flask, web: Api, office: dict[str, UUID]) -> None:
    position = web.ledger.log_position()
    desk = Desk(web.ledger, Clock())
    desk.complaint("late-arrival")
    assert desk.position > position
    stale = get(web, "clerk", "/api/queues/intake", min_position=desk.position)
    assert stale.status_code == 503 and stale.headers["Retry-After"] == "1"
    assert stale.get_json()["type"] == "urn:caseledger:problem:not-caught-up"
    stale_numbers = get(web, "clerk", "/api/statistics", year=2025, min_position=desk.position)
    assert stale_numbers.status_code == 503

    app.config["READ_MODEL_WAIT_SECONDS"] = 10.0

    def follow() -> None:
        time.sleep(0.3)
        catch_up(app)

    follower = threading.Thread(target=follow)
    follower.start()
    try:
        waited = get(web, "clerk", "/api/queues/intake", min_position=desk.position)
    finally:
        follower.join()
    assert waited.status_code == 200 and waited.get_json()["total"] == 5
    assert waited.get_json()["position"] >= desk.position
    assert get(web, "clerk", "/api/statistics", year=2025, min_position=desk.position).status_code == 200


def test_statistics_by_period_and_group(web: Api, office: dict[str, UUID]) -> None:
    year = get(web, "statistician", "/api/statistics", year=2025)
    assert year.status_code == 200, year.get_json()
    body = year.get_json()
    assert body["group_by"] is None and len(body["periods"]) == 1 and body["position"] >= 1
    total = body["periods"][0]["total"]
    assert total["received"] == 5 and total["accepted"] == 1
    assert total["closure_rate"] == {"numerator": 0, "denominator": 1, "rate": 0.0}
    by_kind = get(web, "statistician", "/api/statistics", year=2025, group_by="kind").get_json()
    groups = {g["key"]: g for g in by_kind["periods"][0]["groups"]}
    assert groups["complaint"]["indicators"]["received"] == 4 and groups["dispute"]["label"]["zh"] == "纠纷"
    months = get(web, "statistician", "/api/statistics", year=2025, period="month").get_json()["periods"]
    assert [m["total"]["received"] for m in months][1:4] == [0, 5, 0]
    march = get(web, "statistician", "/api/statistics", year=2025, period="month", month=3).get_json()
    assert [p["period"]["code"] for p in march["periods"]] == ["2025-03"]
    quarter = get(web, "statistician", "/api/statistics", year=2025, period="quarter", quarter=1).get_json()
    assert quarter["periods"][0]["total"]["received"] == 5


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"year": 1999},
        {"year": 2025, "period": "week"},
        {"year": 2025, "month": 3},
        {"year": 2025, "period": "quarter", "month": 3},
        {"year": 2025, "period": "month", "month": 13},
        {"year": 2025, "group_by": "colour"},
        {"year": 2025, "as_of": "yesterday"},
        {"year": 2025, "min_position": 10**9},
    ],
)
def test_bad_statistics_arguments_are_422(web: Api, query: dict[str, Any]) -> None:
    response = get(web, "statistician", "/api/statistics", **query)
    assert response.status_code == 422, response.get_json()


def test_the_annual_report_in_three_formats(web: Api, office: dict[str, UUID]) -> None:
    as_json = get(web, "statistician", "/api/reports/2025.json")
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    report = as_json.get_json()
    assert report["indicators"]["received"] == 5 and report["year"] == 2025
    assert report["headline"][0]["zh"].startswith("登记群众投诉4件")
    as_csv = get(web, "clerk", "/api/reports/2025.csv")
    assert as_csv.status_code == 200 and as_csv.content_type == "text/csv; charset=utf-8"
    assert as_csv.headers["Content-Disposition"] == 'attachment; filename="caseledger-report-2025.csv"'
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True).removeprefix("\ufeff"))))
    assert {row["code"]: row["value"] for row in rows}["received"] == "5"
    as_html = get(web, "supervisor", "/api/reports/2025.html")
    assert as_html.status_code == 200 and as_html.content_type == "text/html; charset=utf-8"
    page = as_html.get_data(as_text=True)
    assert "<svg" in page and "2025年度依法行政工作统计" in page and "王秀兰" not in page
    assert get(web, "clerk", "/api/reports/2025.xml").status_code == 404
    assert get(web, "clerk", "/api/reports/1999.json").status_code == 404
    assert get(web, "clerk", "/api/reports/2025.json", as_of="soon").status_code == 422


def test_the_api_document_describes_queues_statistics_and_reports(web: Api) -> None:
    document = get(web, None, "/api/openapi.json").get_json()
    paths = document["paths"]
    assert {"/api/queues/{name}", "/api/statistics", "/api/reports/{year}.{fmt}"} <= set(paths)
    queue = paths["/api/queues/{name}"]
    parameters = {p["name"]: p for p in queue["parameters"] + queue["get"]["parameters"]}
    assert "intake" in parameters["name"]["schema"]["enum"] and "min_position" in parameters
    report = paths["/api/reports/{year}.{fmt}"]["get"]["responses"]["200"]["content"]
    assert set(report) == {"application/json", "text/csv", "text/html"}


def test_a_renamed_unit_and_village_are_one_group_shown_by_their_names_now(app: Flask, web: Api) -> None:
    since = datetime(2025, 1, 1, tzinfo=UTC)
    squad = "enforcement_squad"
    web.ledger.register_unit(ROOT, "default", "cgzd", "城管执法中队", squad, "机构设置", active_from=since)
    web.ledger.register_place(ROOT, "default", "donghu", "东湖村", "village", "行政区划", active_from=since)
    desk = Desk(web.ledger, Clock())
    cases = [desk.complaint(key, location=place("donghu", "")) for key in ("before", "after")]
    desk.do("accept_complaint", cases[0], SUPERVISOR)
    desk.do("dispatch_complaint", cases[0], SUPERVISOR, "cgzd", [])
    web.ledger.rename_register_entry(EntryRef("default", Register.UNIT, "cgzd"), 1, ROOT, "综合行政执法队", "机构改革")
    web.ledger.rename_register_entry(EntryRef("default", Register.PLACE, "donghu"), 1, ROOT, "东湖社区", "村改居")
    desk.do("accept_complaint", cases[1], SUPERVISOR)
    desk.do("dispatch_complaint", cases[1], SUPERVISOR, "cgzd", [])
    catch_up(app)
    for group_by, code, name in [("unit", "cgzd", "综合行政执法队"), ("village", "donghu", "东湖社区")]:
        body = get(web, "statistician", "/api/statistics", year=2025, group_by=group_by).get_json()
        [group] = body["periods"][0]["groups"]
        assert group["key"] == code and group["label"] == {"code": code, "zh": name, "en": name}
        assert group["indicators"]["received"] == 2

"""The registers' routes on both stores: register, list, read, change with If-Match, history, and refusals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from tests.web.conftest import Api

UNITS = "/api/offices/default/units"
PLACES = "/api/offices/default/places"
CATEGORIES = "/api/offices/default/complaint-categories"
SQUAD = {"code": "cgzd", "name": "城管执法中队", "kind": "enforcement_squad", "reason": "机构设置"}


def _register(api: Api, path: str, body: Mapping[str, object], status: int = 201) -> None:
    response = api.call("admin", "POST", path, body)
    assert response.status_code == status, response.get_json()


def _problem_fields(response: object) -> list[str]:
    body = response.get_json()  # type: ignore[attr-defined]
    assert response.content_type == "application/problem+json"  # type: ignore[attr-defined]
    return [e["field"] for e in body["errors"]]


def test_a_unit_is_registered_once_under_its_code_and_read_back(api: Api) -> None:
    first = api.call("admin", "POST", UNITS, SQUAD)
    assert first.status_code == 201 and first.headers["ETag"] == '"1"'
    assert first.headers["Location"] == f"{UNITS}/cgzd"
    again = api.call("admin", "POST", UNITS, SQUAD)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"], "a retry answers the entry"
    taken = api.call("admin", "POST", UNITS, SQUAD | {"name": "城管中队"})
    assert taken.status_code == 409 and taken.get_json()["rule"] == "unit.register.code_taken"
    read = api.call("clerk", "GET", f"{UNITS}/cgzd")
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    view = read.get_json()
    assert (view["code"], view["name"], view["kind"]["code"], view["in_force"]) == (
        "cgzd",
        "城管执法中队",
        "enforcement_squad",
        True,
    )
    assert [n["name"] for n in view["names"]] == ["城管执法中队"] and view["parent"] is None


def test_a_code_in_chinese_is_a_path_segment(api: Api) -> None:
    response = api.call("admin", "POST", UNITS, SQUAD | {"code": "城管执法中队"})
    assert response.status_code == 201 and response.headers["Location"] == f"{UNITS}/{quote('城管执法中队')}"
    assert api.call("handler", "GET", f"{UNITS}/{quote('城管执法中队')}").get_json()["name"] == "城管执法中队"


def test_bad_input_is_a_problem_naming_the_field(api: Api) -> None:
    assert _problem_fields(api.call("admin", "POST", UNITS, SQUAD | {"code": "cg zd"})) == ["code"]
    assert _problem_fields(api.call("admin", "POST", UNITS, SQUAD | {"kind": "squad"})) == ["kind"]
    assert _problem_fields(api.call("admin", "POST", UNITS, SQUAD | {"parent": "nowhere"})) == ["parent"]
    assert _problem_fields(api.call("admin", "POST", UNITS, {"code": "x", "name": "x", "kind": "section"})) == [
        "reason"
    ]
    no_office = api.call("admin", "POST", "/api/offices/xihu/units", SQUAD)
    assert _problem_fields(no_office) == ["office"], "an office must be registered unless it is the default"
    cell = {"code": "dh1", "name": "东湖村第1网格", "kind": "grid_cell", "reason": "网格划分"}
    assert _problem_fields(api.call("admin", "POST", PLACES, cell)) == ["grid_level"]
    assert api.call("admin", "GET", f"{UNITS}?kind=squad").status_code == 422
    assert api.call("admin", "GET", f"{UNITS}/nowhere").status_code == 404
    assert api.call("admin", "GET", f"{UNITS}/nowhere/history").status_code == 404


def test_changes_need_the_entry_s_version_and_keep_its_history(api: Api) -> None:
    _register(api, UNITS, SQUAD)
    _register(api, UNITS, {"code": "zhd", "name": "综合执法大队", "kind": "section", "reason": "机构设置"})
    rename = {"name": "综合行政执法队", "reason": "机构改革更名"}
    assert api.call("admin", "POST", f"{UNITS}/cgzd/rename", rename).status_code == 428
    renamed = api.act("admin", f"{UNITS}/cgzd/rename", 1, rename)
    assert renamed.status_code == 200 and renamed.headers["ETag"] == '"2"'
    stale = api.act("admin", f"{UNITS}/cgzd/rename", 1, rename | {"name": "又一名"})
    assert stale.status_code == 412 and stale.get_json()["current_version"] == 2
    same = api.act("admin", f"{UNITS}/cgzd/rename", 2, rename)
    assert same.status_code == 409 and same.get_json()["rule"] == "unit.rename.unchanged"
    moved = api.act("admin", f"{UNITS}/cgzd/move", 2, {"parent": "zhd", "reason": "归口管理"})
    assert moved.status_code == 200
    assert api.act("admin", f"{UNITS}/zhd/retire", 1, {"reason": "撤销"}).get_json()["rule"] == ("unit.retire.children")
    assert api.act("admin", f"{UNITS}/cgzd/move", 3, {"parent": None, "reason": "独立设置"}).status_code == 200
    merged = api.act("admin", f"{UNITS}/cgzd/merge", 4, {"into": "zhd", "reason": "机构合并"})
    assert merged.status_code == 200
    view = api.call("statistician", "GET", f"{UNITS}/cgzd").get_json()
    assert [n["name"] for n in view["names"]] == ["城管执法中队", "综合行政执法队"]
    assert [p["parent"] for p in view["parents"]] == [None, "zhd", None]
    assert (view["merged_into"], view["in_force"], view["version"]) == ("zhd", False, 5)
    history = api.call("admin", "GET", f"{UNITS}/cgzd/history").get_json()
    assert [e["type"] for e in history] == ["Registered", "Renamed", "Moved", "Moved", "Merged"]
    assert history[1]["data"]["reason"] == "机构改革更名" and history[1]["actor"]["user_id"] == "admin"
    ended = api.act("admin", f"{UNITS}/cgzd/rename", 5, {"name": "再改名", "reason": "x"})
    assert ended.status_code == 409 and ended.get_json()["rule"] == "unit.rename.ended"


def test_a_retirement_may_be_set_for_later(api: Api) -> None:
    _register(api, UNITS, SQUAD)
    later = datetime.now(UTC) + timedelta(days=30)
    retired = api.act("admin", f"{UNITS}/cgzd/retire", 1, {"reason": "年底撤销", "active_to": later.isoformat()})
    assert retired.status_code == 200
    assert api.call("admin", "GET", f"{UNITS}/cgzd").get_json()["in_force"] is True
    query = urlencode({"in_force_at": (later + timedelta(days=1)).isoformat()})
    assert api.call("admin", "GET", f"{UNITS}?{query}").get_json()["total"] == 0
    past = api.act("admin", f"{UNITS}/cgzd/retire", 2, {"reason": "x", "active_to": "2020-01-01T00:00:00+08:00"})
    assert past.status_code == 409 and past.get_json()["rule"] == "unit.retire.already"


def test_lists_filter_by_moment_parent_kind_and_any_name_and_are_paged(api: Api) -> None:
    since = "2024-01-01T00:00:00+08:00"
    _register(
        api, PLACES, {"code": "donghu", "name": "东湖村", "kind": "village", "reason": "区划", "active_from": since}
    )
    _register(api, PLACES, {"code": "xinhe", "name": "新河社区", "kind": "community", "reason": "区划"})
    for n in (1, 2, 3):
        cell = {"code": f"dh{n}", "name": f"东湖村第{n}网格", "kind": "grid_cell", "grid_level": "street"}
        _register(api, PLACES, cell | {"parent": "donghu", "reason": "网格划分"})
    assert api.act("admin", f"{PLACES}/dh2/rename", 1, {"name": "渔港网格", "reason": "更名"}).status_code == 200

    def codes(query: dict[str, object]) -> list[str]:
        response = api.call("clerk", "GET", f"{PLACES}?{urlencode(query)}")
        assert response.status_code == 200, response.get_json()
        return [item["code"] for item in response.get_json()["items"]]

    assert codes({}) == ["donghu", "xinhe", "dh1", "dh2", "dh3"]
    assert codes({"kind": "grid_cell", "parent": "donghu"}) == ["dh1", "dh2", "dh3"]
    assert codes({"text": "第2网格"}) == ["dh2"], "found by a name it had before"
    assert codes({"text": "渔港"}) == ["dh2"]
    assert codes({"in_force_at": "2024-06-01T00:00:00+08:00"}) == ["donghu"]
    page = api.call("clerk", "GET", f"{PLACES}?kind=grid_cell&per_page=2&page=2").get_json()
    assert ([i["code"] for i in page["items"]], page["total"], page["page"], page["per_page"]) == (["dh3"], 3, 2, 2)
    cell = api.call("clerk", "GET", f"{PLACES}/dh1").get_json()
    assert (cell["grid_level"]["code"], cell["parent"]) == ("street", "donghu")


def test_a_category_keeps_its_limits_within_the_statute(api: Api) -> None:
    limits = [{"stage": "handling", "days": 10, "unit": "working"}]
    _register(api, CATEGORIES, {"code": "noise", "name": "噪声扰民", "reason": "热线分类", "limits": limits})
    _register(api, CATEGORIES, {"code": "night", "name": "夜间施工", "reason": "热线分类", "parent": "noise"})
    over = api.act("admin", f"{CATEGORIES}/noise/limits", 1, {"limits": [limits[0] | {"days": 999}], "reason": "x"})
    assert over.status_code == 409 and over.get_json()["rule"] == "category.limits.statutory"
    shorter = api.act("admin", f"{CATEGORIES}/noise/limits", 1, {"limits": [limits[0] | {"days": 5}], "reason": "提速"})
    assert shorter.status_code == 200
    view = api.call("supervisor", "GET", f"{CATEGORIES}/noise").get_json()
    assert [[limit["days"] for limit in h["limits"]] for h in view["limit_history"]] == [[10], [5]]
    assert view["limits"][0]["stage"]["code"] == "handling"
    assert api.call("supervisor", "GET", "/api/offices/default/dispute-categories").get_json()["total"] == 0
    bad = api.act(
        "admin", f"{CATEGORIES}/noise/limits", 2, {"limits": [limits[0] | {"stage": "hearing"}], "reason": "x"}
    )
    assert _problem_fields(bad) == ["limits.0.stage"]
    assert api.act("admin", f"{UNITS}/cgzd/limits", 1, {"limits": [], "reason": "x"}).status_code == 404


def test_offices_are_registered_listed_renamed_and_retired(api: Api) -> None:
    body = {"code": "xihu", "name": "西湖街道", "reason": "县域集约化建设接入"}
    created = api.call("admin", "POST", "/api/offices", body)
    assert created.status_code == 201 and created.headers["Location"] == "/api/offices/xihu"
    _register(api, "/api/offices/xihu/units", SQUAD)
    assert api.call("clerk", "GET", "/api/offices/xihu/units").get_json()["total"] == 1
    assert api.call("clerk", "GET", UNITS).get_json()["total"] == 0, "each office has its own units"
    assert (
        api.act("admin", "/api/offices/xihu/rename", 1, {"name": "西湖街道办事处", "reason": "更名"}).status_code == 200
    )
    offices = api.call("statistician", "GET", "/api/offices").get_json()
    assert [(o["code"], o["name"]) for o in offices["items"]] == [("xihu", "西湖街道办事处")]
    assert api.call("admin", "GET", "/api/offices/xihu").headers["ETag"] == '"2"'
    assert api.act("admin", "/api/offices/xihu/retire", 2, {"reason": "撤并"}).status_code == 200
    history = api.call("clerk", "GET", "/api/offices/xihu/history").get_json()
    assert [e["type"] for e in history] == ["Registered", "Renamed", "Retired"]
    refused = api.call("admin", "POST", "/api/offices/xihu/units", SQUAD | {"code": "other"})
    assert _problem_fields(refused) == ["office"], "no entries for a retired office"


def test_only_an_admin_changes_a_register_and_a_refusal_records_nothing(api: Api) -> None:
    _register(api, UNITS, SQUAD)
    before = api.ledger.log_position()
    for user in ("clerk", "handler", "supervisor", "legal_reviewer", "discipline", "statistician"):
        assert api.call(user, "POST", UNITS, SQUAD | {"code": "x"}).status_code == 403
        assert api.act(user, f"{UNITS}/cgzd/rename", 1, {"name": "y", "reason": "z"}).status_code == 403
        assert api.call(user, "POST", "/api/offices", {"code": "o", "name": "o", "reason": "r"}).status_code == 403
    assert api.ledger.log_position() == before

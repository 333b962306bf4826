"""Every read path answers only for its own kind of record and shows free text only to those who may
read it, on SQLite and PostgreSQL."""

from __future__ import annotations

from domain.accounts import user_id_for
from tests.support import DISCIPLINE
from tests.web.conftest import COMPLAINT, OWN_UNIT, ROOT, Api


def _ruling_and_clearing(api: Api) -> tuple[str, str]:
    ruling = api.ledger.request_ruling(
        "r-1",
        DISCIPLINE,
        cadre_id="cadre-7",
        cadre_name="张某",
        unit=OWN_UNIT,
        case_ids=[],
        error="超期办理",
        consequences="轻微",
        circumstances="任务集中",
        motive="无私利",
        proposed_by_unit=True,
    )
    clearing = api.ledger.propose_clearing(
        "cl-1",
        DISCIPLINE,
        cadre_id="cadre-7",
        cadre_name="张某",
        unit=OWN_UNIT,
        accusation="收受礼品",
        investigation="经查无此事",
        finding="false",
    )
    return str(ruling.id), str(clearing.id)


def _file(api: Api) -> str:
    response = api.call("clerk", "POST", "/api/complaints", COMPLAINT, {"Idempotency-Key": "read-paths-1"})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def test_a_route_answers_only_for_its_own_kind_of_record(api: Api) -> None:
    case_id = _file(api)
    ruling_id, clearing_id = _ruling_and_clearing(api)
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
    token_id, _ = api.ledger.issue_token(ROOT, "clerk", "another desk")
    for record_id in (token_id, user_id_for("clerk")):
        for user in ("supervisor", "discipline", "admin"):
            for path in (f"/api/cases/{record_id}", f"/api/cases/{record_id}/history"):
                response = api.call(user, "GET", path)
                assert response.status_code == 404, (user, path)
                assert "token_hash" not in response.get_data(as_text=True)

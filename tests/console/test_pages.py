"""The console's pages through the test client: who gets in, what each form offers and refuses."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.console.conftest import catch_up
from tests.support import DISCIPLINE
from tests.web.conftest import CHOSEN_PASSWORD, COMPLAINT, INITIAL_PASSWORD, OWN_UNIT, ROOT, Api, ruling_and_clearing
from web.actions import CLEARING, DISPUTE, ENFORCEMENT, RULING, SHARED
from web.actions import COMPLAINT as COMPLAINT_ACTIONS
from web.blueprints.kinds import FILINGS
from web.console.forms import form_fields
from web.console.session import COOKIE

FORM = {
    "category": "breakfast_stalls",
    "channel": "hotline",
    "location.village": "新河社区",
    "location.address": "人民医院北门",
    "description": "早餐摊点占道",
    "parties.0.role": "complainant",
    "parties.0.name": "王秀兰",
}


def as_user(api: Api, user: str) -> FlaskClient:
    client = api.client.application.test_client()
    client.set_cookie(COOKIE, api.tokens[user])
    return client


def page_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found is not None
    return found.group(1)


def filed(api: Api) -> str:
    response = api.call("clerk", "POST", "/api/complaints", COMPLAINT)
    assert response.status_code == 201
    body: dict[str, Any] = response.get_json()
    return str(body["id"])


def test_every_form_of_every_action_and_filing_has_labelled_fields() -> None:
    schemas = [a.schema for a in (*SHARED, *COMPLAINT_ACTIONS, *DISPUTE, *ENFORCEMENT, *RULING, *CLEARING)]
    schemas += [f.schema for f in FILINGS.values()]
    for schema in schemas:
        for field in form_fields(schema):
            assert field.zh and field.en, field.name


def test_the_complaint_form_offers_the_categories_and_channels_by_their_chinese_names() -> None:
    fields = {f.name: f for f in form_fields(FILINGS[next(iter(FILINGS))].schema)}
    assert ("breakfast_stalls", "早餐摊点") in {(o.code, o.zh) for o in fields["category"].options}
    assert ("hotline", "投诉电话") in {(o.code, o.zh) for o in fields["channel"].options}
    assert fields["location.village"].required and not fields["parties.1.name"].required


def test_without_a_session_every_page_leads_to_sign_in(office_api: Api) -> None:
    client = office_api.client.application.test_client()
    for path in ("/", "/queues/intake", "/file/complaint"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"] == f"/sign-in?next={path}"
    client.set_cookie(COOKIE, "not-a-token")
    assert client.get("/").status_code == 303


def test_a_form_without_the_session_s_csrf_token_changes_nothing(office_api: Api) -> None:
    clerk = as_user(office_api, "clerk")
    other = as_user(office_api, "supervisor")
    case = filed(office_api)
    stolen = page_csrf(other.get(f"/cases/{case}").get_data(as_text=True))
    for token in ("", stolen):
        response = clerk.post("/file/complaint", data={**FORM, "csrf": token, "filing_key": "k-1"})
        assert response.status_code == 400
    assert len(office_api.ledger.created_ids(*(f.case_class for f in FILINGS.values()))) == 1


def test_a_refused_field_is_named_beside_it_and_nothing_is_filed(office_api: Api) -> None:
    clerk = as_user(office_api, "clerk")
    csrf = page_csrf(clerk.get("/file/complaint").get_data(as_text=True))
    response = clerk.post("/file/complaint", data={**FORM, "location.village": "", "csrf": csrf, "filing_key": "k-2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "location.village" in html and "缺少必填项" in html
    assert 'value="人民医院北门"' in html  # what was typed stays
    assert office_api.ledger.created_ids(*(f.case_class for f in FILINGS.values())) == []


def test_the_same_form_sent_twice_files_once(office_api: Api) -> None:
    clerk = as_user(office_api, "clerk")
    csrf = page_csrf(clerk.get("/file/complaint").get_data(as_text=True))
    first = clerk.post("/file/complaint", data={**FORM, "csrf": csrf, "filing_key": "k-3"})
    second = clerk.post("/file/complaint", data={**FORM, "csrf": csrf, "filing_key": "k-3"})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(office_api.ledger.created_ids(*(f.case_class for f in FILINGS.values()))) == 1


def test_a_handler_of_another_unit_is_offered_nothing_and_cannot_act(office_api: Api) -> None:
    case = filed(office_api)
    office_api.act("supervisor", f"/api/complaints/{case}/accept", 1)
    office_api.act("supervisor", f"/api/complaints/{case}/dispatch", 2, {"lead_unit": OWN_UNIT})
    own, other = as_user(office_api, "handler"), as_user(office_api, "other_handler")
    assert 'action="/cases/' + case + '/investigate"' in own.get(f"/cases/{case}").get_data(as_text=True)
    page = other.get(f"/cases/{case}")
    assert page.status_code == 200 and "/investigate" not in page.get_data(as_text=True)
    csrf = hmac.new(office_api.tokens["other_handler"].encode(), b"caseledger console form", hashlib.sha256).hexdigest()
    refused = other.post(
        f"/cases/{case}/investigate", data={"csrf": csrf, "version": "3", "finding": "substantiated", "summary": "x"}
    )
    assert refused.status_code == 403
    assert "您的角色或单位无权执行此操作" in refused.get_data(as_text=True)


def test_reopening_an_action_s_address_leads_back_to_the_case(office_api: Api) -> None:
    case = filed(office_api)
    response = as_user(office_api, "clerk").get(f"/cases/{case}/accept")
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{case}"


@pytest.mark.parametrize("query", ["kind=nonsense", "page=0", "per_page=1001"])
def test_a_bad_queue_query_is_a_page_naming_the_field(office_api: Api, query: str) -> None:
    response = as_user(office_api, "supervisor").get(f"/queues/intake?{query}")
    assert response.status_code == 422
    assert query.split("=", maxsplit=1)[0] in response.get_data(as_text=True)


def test_home_lists_the_role_s_queues_with_their_counts(app: Flask, office_api: Api) -> None:
    filed(office_api)
    catch_up(app)
    html = as_user(office_api, "supervisor").get("/").get_data(as_text=True)
    assert re.search(r'href="/queues/intake">待受理</a> <span class="count">1</span>', html)
    assert 'href="/queues/legality_review"' not in html
    clerk_home = as_user(office_api, "legal_reviewer").get("/").get_data(as_text=True)
    assert 'href="/queues/legality_review"' in clerk_home and 'href="/queues/dispatch"' not in clerk_home


def test_the_annual_report_is_a_console_page(app: Flask, office_api: Api) -> None:
    filed(office_api)
    catch_up(app)
    page = as_user(office_api, "statistician").get("/report?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2026" in html and "<svg" in html and 'lang="zh-CN"' in html
    assert "王秀兰" not in html
    assert as_user(office_api, "statistician").get("/report?year=1999").status_code == 422


def test_search_finds_by_text_and_exports_the_list_without_identities(app: Flask, office_api: Api) -> None:
    filed(office_api)
    other = dict(COMPLAINT, description="广场舞噪声扰民", category="noise")
    assert office_api.call("clerk", "POST", "/api/complaints", other).status_code == 201
    catch_up(app)
    clerk = as_user(office_api, "clerk")
    html = clerk.get("/cases?text=早餐").get_data(as_text=True)
    assert '<span class="count">1</span>' in html and "早餐摊点" in html
    exported = clerk.get("/cases.csv?text=早餐")
    text = exported.get_data(as_text=True)
    assert exported.headers["Content-Disposition"] == 'attachment; filename="caseledger-cases.csv"'
    assert text.startswith("\ufeff编号,类型,状态") and len(text.strip().splitlines()) == 2
    assert "王秀兰" not in text and "13800000000" not in text
    workbook = clerk.get("/cases.xlsx")
    assert workbook.status_code == 200 and workbook.data[:2] == b"PK"
    statistician = as_user(office_api, "statistician").get("/cases.csv").get_data(as_text=True)
    assert len(statistician.strip().splitlines()) == 3 and "早餐摊点占道" not in statistician
    assert clerk.get("/cases?filed_from=yesterday").status_code == 422


def test_discipline_reads_the_registers_per_cadre_and_the_chain(office_api: Api) -> None:
    ruling_and_clearing(office_api.ledger)
    discipline = as_user(office_api, "discipline")
    html = discipline.get("/discipline?cadre_id=cadre-7").get_data(as_text=True)
    assert html.count("张某（cadre-7）") == 2 and html.count(OWN_UNIT) == 2
    assert "审计链" in html and "日志共" in html
    assert "张某" not in discipline.get("/discipline?cadre_id=cadre-8").get_data(as_text=True)
    assert as_user(office_api, "clerk").get("/discipline").status_code == 403


def test_reading_a_protected_identity_records_the_reason_first(office_api: Api) -> None:
    case = filed(office_api)
    discipline = as_user(office_api, "discipline")
    page = discipline.get(f"/cases/{case}").get_data(as_text=True)
    assert "王秀兰" not in page and "查阅受保护身份信息" in page
    csrf = page_csrf(page)
    refused = discipline.post(f"/cases/{case}/identities", data={"csrf": csrf, "reason": ""})
    assert refused.status_code == 422 and "王秀兰" not in refused.get_data(as_text=True)
    assert office_api.ledger.read_access_log(DISCIPLINE, UUID(case)) == []
    shown = discipline.post(f"/cases/{case}/identities", data={"csrf": csrf, "reason": "核查举报线索"})
    assert shown.status_code == 200 and "王秀兰" in shown.get_data(as_text=True)
    readings = office_api.ledger.read_access_log(DISCIPLINE, UUID(case))
    assert [r["data"]["reason"] for r in readings] == ["核查举报线索"]
    again = discipline.get(f"/cases/{case}").get_data(as_text=True)
    assert "王秀兰" not in again and "核查举报线索" in again
    assert "查阅受保护身份信息" not in as_user(office_api, "statistician").get("/").get_data(as_text=True)


def test_signing_in_with_an_initial_password_leads_to_changing_it_first(office_api: Api) -> None:
    office_api.ledger.set_password(ROOT, "clerk", INITIAL_PASSWORD)
    client = office_api.client.application.test_client()
    form = client.get("/sign-in?next=/cases").get_data(as_text=True)
    assert 'for="sign-in-username"' in form and 'for="sign-in-password"' in form
    signed = client.post("/sign-in", data={"username": "clerk", "password": INITIAL_PASSWORD, "next": "/cases"})
    assert (signed.status_code, signed.headers["Location"]) == (303, "/password")
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and INITIAL_PASSWORD not in cookie
    assert client.get("/").headers["Location"] == "/password"
    csrf = page_csrf(client.get("/password").get_data(as_text=True))
    weak = client.post("/password", data={"csrf": csrf, "old_password": INITIAL_PASSWORD, "new_password": "short"})
    assert weak.status_code == 422 and "password.length" in weak.get_data(as_text=True)
    changed = client.post(
        "/password", data={"csrf": csrf, "old_password": INITIAL_PASSWORD, "new_password": CHOSEN_PASSWORD}
    )
    assert changed.status_code == 303
    assert client.get("/").status_code == 200
    out = client.post("/sign-out", data={"csrf": csrf})
    assert (out.status_code, out.headers["Location"]) == (303, "/sign-in")
    secret = cookie.split(";")[0].split("=", 1)[1]
    replayed = office_api.client.application.test_client()
    replayed.set_cookie(COOKIE, secret)
    assert replayed.get("/").status_code == 303, "a signed-out session no longer works"


def test_a_wrong_password_and_an_unknown_user_are_refused_alike(office_api: Api) -> None:
    office_api.ledger.set_password(ROOT, "clerk", INITIAL_PASSWORD)
    client = office_api.client.application.test_client()
    wrong = client.post("/sign-in", data={"username": "clerk", "password": "Wrong-pass-1"})
    unknown = client.post("/sign-in", data={"username": "nobody", "password": "Wrong-pass-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或口令错误" in wrong.get_data(as_text=True) and "Set-Cookie" not in wrong.headers
    assert wrong.get_data(as_text=True).replace("clerk", "nobody") == unknown.get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil"])
def test_signing_in_never_leads_to_another_site(office_api: Api, target: str) -> None:
    office_api.ledger.set_password(ROOT, "clerk", INITIAL_PASSWORD)
    office_api.ledger.change_own_password(
        office_api.ledger.sign_in("clerk", INITIAL_PASSWORD, "127.0.0.1").actor, INITIAL_PASSWORD, CHOSEN_PASSWORD
    )
    client = office_api.client.application.test_client()
    signed = client.post("/sign-in", data={"username": "clerk", "password": CHOSEN_PASSWORD, "next": target})
    assert signed.headers["Location"] == "/"

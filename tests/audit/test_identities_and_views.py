"""Confidential identities sealed in the log and erasable; the discipline committee's audit reads
over HTTP; evidence bundles checked offline."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from application.config import Settings
from application.ledger import CaseLedger
from application.sealing import ERASED
from audit.bundle import verify_bundle
from audit.checkpoint import sign_checkpoint
from audit.keys import public_pem
from audit.store import AuditStore
from audit.verify import Outcome, verify_log
from bootstrap.ledger import build_ledger
from bootstrap.read_side import build_runners, open_read_store
from tests.audit.conftest import Rows, audited_ledger, chained
from tests.support import DISCIPLINE
from tests.web.conftest import COMPLAINT, ROOT, ROOT_SECURITY, USERS, Api, enrol
from web.app import create_app

NAME, PHONE = "王秀兰", "13800000000"


@pytest.fixture
def api(store_url: str) -> Iterator[Api]:
    ledger = audited_ledger(store_url)
    app: Flask = create_app(ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 10_000})
    tokens = {username: enrol(ledger, username, role, unit) for username, (role, unit) in USERS.items()}
    yield Api(app.test_client(), tokens, ledger)
    ledger.close()


def _file(api: Api, key: str = "identity-1") -> str:
    body = COMPLAINT | {"description": f"{COMPLAINT['description']}（{key}）"}
    response = api.call("clerk", "POST", "/api/complaints", body, {"Idempotency-Key": key})
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _projection_rows(ledger: CaseLedger) -> dict[str, list[Any]]:
    store = open_read_store(ledger.settings)
    try:
        runners = build_runners(ledger, store)
        for runner in runners:
            runner.setup()
            runner.run_once()
        rows = {}
        with store.transaction() as cursor:
            for runner in runners:
                for statement in runner.projection.create_statements:
                    words = statement.split()
                    if words[:2] == ["CREATE", "TABLE"]:
                        table = words[5] if words[2:5] == ["IF", "NOT", "EXISTS"] else words[2]
                        cursor.execute(f"SELECT * FROM {table.split('(')[0]} ORDER BY 1")
                        rows[table] = sorted(map(repr, cursor.fetchall()))
        return rows
    finally:
        store.close()


def test_identities_are_sealed_in_the_log_and_read_with_a_reason(api: Api, store_url: str) -> None:
    case_id = _file(api)
    stored = Rows(store_url, chained(api.ledger)).fetch("SELECT state FROM {events}")
    assert stored and not any(NAME.encode() in bytes(s) or PHONE.encode() in bytes(s) for (s,) in stored)

    assert api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()["parties"][0]["name"] == NAME
    assert api.call("statistician", "GET", f"/api/cases/{case_id}").get_json()["parties"][0]["name"] == "***"
    path = f"/api/audit/cases/{case_id}/identities"
    assert api.call("discipline", "POST", path, {}).status_code == 422, "a reading needs a reason"
    assert api.call("statistician", "POST", path, {"reason": "统计"}).status_code == 403
    assert api.call("other_handler", "POST", path, {"reason": "核查"}).status_code == 403
    read = api.call("discipline", "POST", path, {"reason": "核查举报人身份以便回避"})
    assert read.status_code == 200 and read.get_json()[0]["name"] == NAME and read.get_json()[0]["phone"] == PHONE
    readings = api.call("discipline", "GET", f"/api/audit/cases/{case_id}/identity-readings").get_json()
    assert [(r["type"], r["data"]["reason"], r["actor"]["user_id"]) for r in readings] == [
        ("IdentityRead", "核查举报人身份以便回避", "discipline")
    ]
    assert api.call("clerk", "GET", f"/api/audit/cases/{case_id}/identity-readings").status_code == 403


def test_erasing_a_key_erases_the_identity_everywhere_and_the_chain_still_verifies(api: Api) -> None:
    case_id = _file(api)
    person = api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()["parties"][0]["party_id"]
    before = _projection_rows(api.ledger)
    masked = api.call("statistician", "GET", f"/api/cases/{case_id}").get_json()

    assert api.call("discipline", "POST", f"/api/audit/identities/{person}/erasure", {"reason": "x"}).status_code == 403
    erased = api.call(
        "security_admin", "POST", f"/api/audit/identities/{person}/erasure", {"reason": "依法删除（当事人申请）"}
    )
    assert erased.status_code == 200, erased.get_json()

    assert api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()["parties"][0]["name"] == ERASED
    history = api.call("clerk", "GET", f"/api/cases/{case_id}/history").get_json()
    assert history[0]["data"]["parties"][0]["name"] == ERASED and history[0]["data"]["parties"][0]["phone"] == ""
    read = api.call("discipline", "POST", f"/api/audit/cases/{case_id}/identities", {"reason": "复核"}).get_json()
    assert read[0]["name"] == ERASED
    assert api.call("statistician", "GET", f"/api/cases/{case_id}").get_json() == masked
    assert _projection_rows(api.ledger) == before
    store = api.ledger.recorder
    assert isinstance(store, AuditStore) and verify_log(store).outcome is Outcome.OK


def test_a_correction_of_the_same_person_keeps_their_key(api: Api) -> None:
    case_id = _file(api)
    view = api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()
    person = view["parties"][0]["party_id"]
    body = {
        "corrects_version": 1,
        "reason": "电话记错",
        "parties": [{"role": "complainant", "name": NAME, "phone": "13900000000"}],
    }
    assert api.act("clerk", f"/api/cases/{case_id}/corrections", view["version"], body).status_code == 200
    corrected = api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()["parties"][0]
    assert (corrected["party_id"], corrected["phone"]) == (person, "13900000000")
    api.ledger.erase_identity(ROOT_SECURITY, person, "依法删除")
    history = api.call("clerk", "GET", f"/api/cases/{case_id}/history").get_json()
    assert {history[0]["data"]["parties"][0]["name"], history[-1]["data"]["parties"][0]["name"]} == {ERASED}


def test_the_audit_reads_are_for_discipline(api: Api) -> None:
    case_id = _file(api)
    ledger = api.ledger
    ledger.request_ruling(
        "r-1",
        DISCIPLINE,
        cadre_id="cadre-7",
        cadre_name="张某",
        unit="城管执法中队",
        case_ids=[],
        error="超期办理",
        consequences="轻微",
        circumstances="任务集中",
        motive="无私利",
        proposed_by_unit=True,
    )
    ledger.propose_clearing(
        "cl-1",
        DISCIPLINE,
        cadre_id="cadre-7",
        cadre_name="张某",
        unit="城管执法中队",
        accusation="收受礼品",
        investigation="经查无此事",
        finding="false",
    )
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    until = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    activity = api.call("discipline", "GET", f"/api/audit/users/clerk/activity?since={since}&until={until}")
    assert activity.status_code == 200
    assert [(a["aggregate"], a["type"]) for a in activity.get_json()] == [("Complaint", "Registered")]
    assert activity.get_json()[0]["data"]["parties"][0]["name"] == "***"
    rulings = api.call("discipline", "GET", "/api/audit/rulings?cadre_id=cadre-7").get_json()
    assert [(c["cadre_id"], len(c["rulings"])) for c in rulings] == [("cadre-7", 1)]
    clearings = api.call("discipline", "GET", "/api/audit/clearings").get_json()
    assert [(c["cadre_name"], c["clearings"][0]["status"]["code"]) for c in clearings] == [("张某", "proposed")]
    chain = api.call("discipline", "GET", "/api/audit/chain").get_json()
    assert chain["log_size"] == chain["last_notification_id"] >= 3 and chain["latest_checkpoint"] is None
    for path in ("/api/audit/rulings", "/api/audit/chain", f"/api/audit/cases/{case_id}/evidence"):
        assert api.call("supervisor", "GET", path).status_code == 403


def test_an_evidence_bundle_is_checked_offline_against_the_signed_checkpoint(api: Api) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    case_id = _file(api)
    _file(api, "another")
    store = api.ledger.recorder
    assert isinstance(store, AuditStore)
    key = Ed25519PrivateKey.generate()
    report = verify_log(store)
    checkpoint = sign_checkpoint(key, report.events, report.last_notification_id, report.head_hash)
    store.record_checkpoint(
        checkpoint.to_json(), checkpoint.last_notification_id, checkpoint.log_size, public_pem(key.public_key())
    )
    api.call("discipline", "POST", f"/api/audit/cases/{case_id}/identities", {"reason": "核查"})

    bundle = api.call("discipline", "GET", f"/api/audit/cases/{case_id}/evidence").get_json()
    assert NAME not in json.dumps(bundle, ensure_ascii=False)
    result = verify_bundle(bundle, key.public_key())
    assert result.outcome is Outcome.OK and (result.events, result.anchored) == (3, 1)

    edited = copy.deepcopy(bundle)
    edited["events"][0]["topic"] = "domain.complaint:Complaint.Closed"
    assert verify_bundle(edited, key.public_key()).outcome is Outcome.EDITED
    forged = copy.deepcopy(bundle)
    forged["checkpoint"]["log_size"] += 1
    assert verify_bundle(forged, key.public_key()).outcome is Outcome.FORGED
    other = Ed25519PrivateKey.generate()
    assert verify_bundle(bundle, other.public_key()).outcome is Outcome.FORGED
    rewritten = copy.deepcopy(bundle)
    rewritten["path"][-1][2] = "00" * 32
    assert verify_bundle(rewritten, key.public_key()).outcome is Outcome.RECOMPUTED


def test_db_init_still_needs_only_the_plain_ledger(store_url: str) -> None:
    build_ledger(Settings(database_url=store_url), create_tables=True).close()


def test_erasing_an_unknown_person_is_not_found(api: Api) -> None:
    response = api.call("security_admin", "POST", "/api/audit/identities/nobody/erasure", {"reason": "依法删除"})
    assert response.status_code == 404


@pytest.mark.parametrize("user", ["supervisor", "another_clerk"])
def test_a_correction_by_a_reader_of_masks_cannot_confirm_or_overwrite_a_guessed_identity(api: Api, user: str) -> None:
    api.ledger.add_user(ROOT, "another_clerk", "another_clerk", "clerk", "受理窗口")
    api.tokens["another_clerk"] = api.ledger.issue_token(ROOT_SECURITY, "another_clerk", "tests")[1]
    case_id = _file(api)
    before = api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()
    answers = []
    for guess in (NAME, "李四"):
        body = {"corrects_version": 1, "reason": "更正", "parties": [{"role": "complainant", "name": guess}]}
        response = api.act(user, f"/api/cases/{case_id}/corrections", before["version"], body)
        answers.append((response.status_code, response.get_json()))
    assert answers[0][0] == answers[1][0] == 403
    assert {k: v for k, v in answers[0][1].items() if k != "instance"} == {
        k: v for k, v in answers[1][1].items() if k != "instance"
    }, "the refusal is the same whether the guess is right or wrong"
    assert "protected" in answers[0][1]["detail"]
    assert api.call("clerk", "GET", f"/api/cases/{case_id}").get_json() == before, "nothing changed"

    witness = {"corrects_version": 1, "reason": "补充当事人", "parties": [{"role": "party", "name": "赵六"}]}
    assert api.act(user, f"/api/cases/{case_id}/corrections", before["version"], witness).status_code == 200
    parties = api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()["parties"]
    assert [(p["role"]["code"], p["name"], p["party_id"]) for p in parties] == [
        ("complainant", NAME, before["parties"][0]["party_id"]),
        ("party", "赵六", parties[1]["party_id"]),
    ], "the complainant is kept as registered"
    assert (
        api.act(
            user,
            f"/api/cases/{case_id}/corrections",
            before["version"] + 1,
            {
                "corrects_version": 1,
                "reason": "地点有误",
                "description": "医院南门早餐摊点占道经营",
            },
        ).status_code
        == 200
    )


def test_the_registering_clerk_still_corrects_the_identity(api: Api) -> None:
    case_id = _file(api)
    body = {"corrects_version": 1, "reason": "姓名记错", "parties": [{"role": "complainant", "name": "王秀英"}]}
    assert api.act("clerk", f"/api/cases/{case_id}/corrections", 1, body).status_code == 200
    assert api.call("clerk", "GET", f"/api/cases/{case_id}").get_json()["parties"][0]["name"] == "王秀英"

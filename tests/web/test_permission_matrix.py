"""The permission table drives the matrix: every role × every action × own unit / other unit / no such case."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import marshmallow as ma
import pytest
from marshmallow import fields, validate

from application.config import Settings
from application.ledger import CaseLedger, build_ledger
from application.permissions import PERMISSIONS
from domain.actor import Role
from tests.web.conftest import COMPLAINT as COMPLAINT_BODY
from tests.web.conftest import OTHER_UNIT, OWN_UNIT, ROOT, USERS, Api
from web.actions import CLEARING, COMPLAINT, DISPUTE, ENFORCEMENT, RULING, SHARED, Action
from web.app import create_app

ROUTES: list[tuple[str, Action]] = [
    *[("cases", a) for a in SHARED],
    *[("complaints", a) for a in COMPLAINT],
    *[("disputes", a) for a in DISPUTE],
    *[("enforcement-cases", a) for a in ENFORCEMENT],
    *[("rulings", a) for a in RULING],
    *[("clearings", a) for a in CLEARING],
]
STALE = 999


@dataclass
class World:
    api: Api
    targets: dict[str, UUID]


@pytest.fixture(scope="module")
def world(module_store_url: str) -> Iterator[World]:
    ledger = build_ledger(Settings(database_url=module_store_url))
    app = create_app(ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 100_000})
    tokens = {}
    for username, (role, unit) in USERS.items():
        ledger.add_user(ROOT, username, username, role, unit)
        tokens[username] = ledger.issue_token(ROOT, username, "matrix")[1]
    yield World(Api(app.test_client(), tokens, ledger), _targets(ledger))
    ledger.close()


def _targets(ledger: CaseLedger) -> dict[str, UUID]:
    """One record of each resource, handled by OWN_UNIT."""
    from domain.outcomes import PartyRole
    from domain.values import Party
    from tests.support import CLERK, DISCIPLINE, HANDLER, SUPERVISOR, location

    parties = [Party(PartyRole.APPLICANT, "甲"), Party(PartyRole.RESPONDENT, "乙")]
    common = {"location": location(), "description": "矩阵测试", "parties": parties}
    complaint = ledger.file_complaint(uuid4().hex, CLERK, category="noise", channel="hotline", **common)
    ledger.accept_complaint(complaint.id, 1, SUPERVISOR)
    ledger.dispatch_complaint(complaint.id, 2, SUPERVISOR, OWN_UNIT, [])
    dispute = ledger.file_dispute(uuid4().hex, CLERK, category="neighbour", channel="application", **common)
    ledger.accept_dispute(dispute.id, 1, SUPERVISOR)
    ledger.assign_mediator(dispute.id, 2, SUPERVISOR, "陈调解", OWN_UNIT)
    clue = ledger.record_clue(uuid4().hex, HANDLER, category="street_vending", channel="patrol", **common)
    ledger.file_enforcement_case(clue.id, 1, SUPERVISOR, "立案", OWN_UNIT)
    ruling = ledger.request_ruling(
        uuid4().hex,
        DISCIPLINE,
        cadre_id="c1",
        cadre_name="孙某",
        unit=OWN_UNIT,
        case_ids=[],
        error="e",
        consequences="c",
        circumstances="s",
        motive="m",
        proposed_by_unit=False,
    )
    clearing = ledger.propose_clearing(
        uuid4().hex,
        DISCIPLINE,
        cadre_id="c2",
        cadre_name="钱某",
        unit=OWN_UNIT,
        accusation="a",
        investigation="i",
        finding="false",
    )
    return {
        "cases": complaint.id,
        "complaints": complaint.id,
        "disputes": dispute.id,
        "enforcement-cases": clue.id,
        "rulings": ruling.id,
        "clearings": clearing.id,
    }


def sample(field: fields.Field[Any], related: UUID) -> Any:
    """A value the field accepts, so a permitted caller gets past validation."""
    one_of = next((v for v in field.validators if isinstance(v, validate.OneOf)), None)
    if isinstance(field, fields.List):
        length = next((v for v in field.validators if isinstance(v, validate.Length)), None)
        count = max(1, length.min or 1) if length else 1
        if any(isinstance(v, validate.OneOf) for v in field.inner.validators):
            return [sample(field.inner, related)]
        return [f"人{i}" for i in range(count)]
    if one_of is not None:
        return next(iter(one_of.choices))
    if isinstance(field, fields.Nested):
        return {"village": "东湖村", "address": "三组"}
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, fields.Integer):
        return 1
    if isinstance(field, fields.Decimal):
        return "100.00"
    if isinstance(field, fields.UUID):
        return str(related)
    if isinstance(field, fields.Date):
        return "2025-01-02"
    if any(isinstance(v, validate.Regexp) for v in field.validators):
        return "a" * 64
    return "测试"


def body_for(schema: type[ma.Schema], related: UUID) -> dict[str, Any]:
    return {name: sample(f, related) for name, f in schema().fields.items() if f.required}


def expected(user: str, action: Action, exists: bool) -> int:
    permission = PERMISSIONS[action.use_case]
    role, unit = USERS[user]
    if role not in permission.roles:
        return 403
    if not exists:
        return 404
    if role in permission.unit_bound and unit != OWN_UNIT:
        return 403
    return 412


@pytest.mark.parametrize(("resource", "action"), ROUTES, ids=[f"{r}/{a.path}" for r, a in ROUTES])
def test_every_role_on_every_action(world: World, resource: str, action: Action) -> None:
    target = world.targets[resource]
    body = body_for(action.schema, target)
    mismatches = []
    for user in USERS:
        for record, exists in ((target, True), (uuid4(), False)):
            response = world.api.act(user, f"/api/{resource}/{record}/{action.path}", STALE, body)
            want = expected(user, action, exists)
            if response.status_code != want:
                mismatches.append((user, exists, want, response.status_code, response.get_json()))
    assert not mismatches


FILINGS = [
    ("complaints", "file_complaint", COMPLAINT_BODY),
    (
        "disputes",
        "file_dispute",
        dict(
            COMPLAINT_BODY,
            category="neighbour",
            channel="application",
            parties=[{"role": "applicant", "name": "甲"}, {"role": "respondent", "name": "乙"}],
        ),
    ),
    ("enforcement-cases", "record_clue", dict(COMPLAINT_BODY, category="street_vending", channel="patrol")),
]


@pytest.mark.parametrize(("resource", "use_case", "body"), FILINGS, ids=[f[0] for f in FILINGS])
def test_every_role_on_every_filing(world: World, resource: str, use_case: str, body: dict[str, Any]) -> None:
    allowed = PERMISSIONS[use_case].roles
    statuses = {user: world.api.call(user, "POST", f"/api/{resource}", body).status_code for user in USERS}
    assert statuses == {user: 201 if USERS[user][0] in allowed else 403 for user in USERS}


def test_the_matrix_covers_every_action_in_the_table() -> None:
    routed = {a.use_case for _, a in ROUTES}
    filing = {"file_complaint", "file_dispute", "record_clue", "request_ruling", "review_appeal", "propose_clearing"}
    reads = {name for name in PERMISSIONS if name.startswith("read_") or name == "list_cases"}
    accounts = {"add_user", "deactivate_user", "issue_token", "revoke_token"}
    audit = {"export_case_evidence", "erase_identity"}  # role checks in tests/audit/test_identities_and_views.py
    assert set(PERMISSIONS) - routed - filing - reads - accounts - audit == set()
    assert OTHER_UNIT != OWN_UNIT and Role.HANDLER in {r for r, _ in USERS.values()}

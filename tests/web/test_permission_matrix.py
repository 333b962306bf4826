"""Every role × every action × own unit / other unit / no such case: the status each gets, written by hand,
and the status the permission table in force gives."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypedDict
from uuid import UUID, uuid4

import marshmallow as ma
import pytest
from marshmallow import fields, validate

from application.ledger import CaseLedger
from application.permissions import PERMISSIONS
from bootstrap.ledger import build_ledger
from domain.actor import Role
from domain.values import Location, Party
from tests.web.conftest import COMPLAINT as COMPLAINT_BODY
from tests.web.conftest import OTHER_UNIT, OWN_UNIT, ROOT, USERS, Api, fast_settings, ruling_and_clearing, users_api
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


class Filing(TypedDict):
    """What every record of the matrix is filed with, whatever its kind."""

    location: Location
    description: str
    parties: list[Party]


@dataclass
class World:
    api: Api
    targets: dict[str, UUID]


@pytest.fixture(scope="module")
def world(module_store_url: str) -> Iterator[World]:
    ledger = build_ledger(fast_settings(module_store_url))
    app = create_app(ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 100_000})
    yield World(users_api(app), _targets(ledger))
    ledger.close()


def _targets(ledger: CaseLedger) -> dict[str, UUID]:
    """One record of each resource, handled by OWN_UNIT."""
    from domain.outcomes import PartyRole
    from tests.support import CLERK, HANDLER, SUPERVISOR, location

    parties = [Party(PartyRole.APPLICANT, "甲"), Party(PartyRole.RESPONDENT, "乙")]
    common: Filing = {"location": location(), "description": "矩阵测试", "parties": parties}
    complaint = ledger.file_complaint(uuid4().hex, CLERK, category="noise", channel="hotline", **common)
    ledger.accept_complaint(complaint.id, 1, SUPERVISOR)
    ledger.dispatch_complaint(complaint.id, 2, SUPERVISOR, OWN_UNIT, [])
    dispute = ledger.file_dispute(uuid4().hex, CLERK, category="neighbour", channel="application", **common)
    ledger.accept_dispute(dispute.id, 1, SUPERVISOR)
    ledger.assign_mediator(dispute.id, 2, SUPERVISOR, "陈调解", OWN_UNIT)
    clue = ledger.record_clue(uuid4().hex, HANDLER, category="street_vending", channel="patrol", **common)
    ledger.file_enforcement_case(clue.id, 1, SUPERVISOR, "立案", OWN_UNIT)
    ruling, clearing = ruling_and_clearing(ledger)
    for register, path in REGISTER_PATHS.items():
        register_target(ledger, register, path)
    return {
        "cases": complaint.id,
        "complaints": complaint.id,
        "disputes": dispute.id,
        "enforcement-cases": clue.id,
        "rulings": ruling,
        "clearings": clearing,
    }


REGISTER_PATHS = {
    "office": "/api/offices/xihu",
    "unit": "/api/offices/xihu/units/cgzd",
    "place": "/api/offices/xihu/places/donghu",
    "complaint": "/api/offices/xihu/complaint-categories/noise",
    "dispute": "/api/offices/xihu/dispute-categories/noise",
    "enforcement": "/api/offices/xihu/enforcement-categories/noise",
}


def register_target(ledger: CaseLedger, register: str, path: str) -> None:
    code = path.rsplit("/", 1)[1]
    if register == "office":
        ledger.register_office(ROOT, code, "西湖街道", "设立")
    elif register == "unit":
        ledger.register_unit(ROOT, "xihu", code, "城管执法中队", "enforcement_squad", "设立")
    elif register == "place":
        ledger.register_place(ROOT, "xihu", code, "东湖村", "village", "设立")
    else:
        ledger.register_category(ROOT, "xihu", register, code, "噪声", "设立")


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
    """The status the permission table in force gives (the README prints it): the code must enforce it."""
    permission = PERMISSIONS[action.use_case]
    role, unit = USERS[user]
    if role not in permission.roles:
        return 403
    if not exists:
        return 404
    if role in permission.unit_bound and unit != OWN_UNIT:
        return 403
    return 412


Cell = tuple[int, int]
"""The status on the record (handled by OWN_UNIT, sent with a stale If-Match), and on no record."""
Y: Cell = (412, 404)  # allowed: the stale version is refused after the check; no record is not found
N: Cell = (403, 403)  # the role may not, whether or not the record exists
U: Cell = (403, 404)  # a handler of another unit: refused on the record, and no record is not found

COLUMNS = (
    "clerk",
    "handler",
    "other_handler",
    "supervisor",
    "legal_reviewer",
    "discipline",
    "statistician",
    "admin",
    "security_admin",
    "audit_admin",
)

# Written by hand from the roles' duties, not computed from the table in force: a wrong entry in either
# fails the test. One cell per user, in the order of COLUMNS.
ACTION_CELLS: dict[str, tuple[Cell, ...]] = {
    # route: (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
    "cases/supervise": (N, N, N, Y, N, N, N, N, N, N),
    "cases/remind": (N, N, N, Y, N, N, N, N, N, N),
    "cases/links": (Y, Y, U, Y, N, N, N, N, N, N),
    "cases/corrections": (Y, N, N, Y, N, N, N, N, N, N),
    "cases/pause": (N, Y, U, Y, N, N, N, N, N, N),
    "cases/resume": (N, Y, U, Y, N, N, N, N, N, N),
    "cases/extend": (N, N, N, Y, N, N, N, N, N, N),
    "complaints/accept": (N, N, N, Y, N, N, N, N, N, N),
    "complaints/refuse": (N, N, N, Y, N, N, N, N, N, N),
    "complaints/answer": (Y, N, N, Y, N, N, N, N, N, N),
    "complaints/dispatch": (N, N, N, Y, N, N, N, N, N, N),
    "complaints/return": (N, Y, U, N, N, N, N, N, N, N),
    "complaints/investigate": (N, Y, U, N, N, N, N, N, N, N),
    "complaints/dispose": (N, Y, U, N, N, N, N, N, N, N),
    "complaints/reply": (Y, Y, U, N, N, N, N, N, N, N),
    "complaints/visit": (Y, N, N, N, N, N, N, N, N, N),
    "complaints/close": (N, N, N, Y, N, N, N, N, N, N),
    "complaints/reopen": (N, N, N, Y, N, N, N, N, N, N),
    "complaints/merge": (N, N, N, Y, N, N, N, N, N, N),
    "complaints/transfer": (N, N, N, Y, N, N, N, N, N, N),
    "disputes/accept": (N, N, N, Y, N, N, N, N, N, N),
    "disputes/refuse": (N, N, N, Y, N, N, N, N, N, N),
    "disputes/mediator": (N, N, N, Y, N, N, N, N, N, N),
    "disputes/recusal": (N, N, N, Y, N, N, N, N, N, N),
    "disputes/investigate": (N, Y, U, N, N, N, N, N, N, N),
    "disputes/sessions": (N, Y, U, N, N, N, N, N, N, N),
    "disputes/agreement": (N, Y, U, N, N, N, N, N, N, N),
    "disputes/end": (N, Y, U, N, N, N, N, N, N, N),
    "disputes/confirmation": (N, Y, U, N, N, N, N, N, N, N),
    "disputes/confirmation-result": (N, Y, U, N, N, N, N, N, N, N),
    "disputes/performance": (N, Y, U, N, N, N, N, N, N, N),
    "disputes/visit": (Y, Y, U, N, N, N, N, N, N, N),
    "disputes/close": (N, N, N, Y, N, N, N, N, N, N),
    "disputes/risk": (N, Y, U, Y, N, N, N, N, N, N),
    "enforcement-cases/file": (N, N, N, Y, N, N, N, N, N, N),
    "enforcement-cases/decline": (N, N, N, Y, N, N, N, N, N, N),
    "enforcement-cases/investigation": (N, Y, U, Y, N, N, N, N, N, N),
    "enforcement-cases/evidence": (N, Y, U, N, N, N, N, N, N, N),
    "enforcement-cases/conclusion": (N, Y, U, N, N, N, N, N, N, N),
    "enforcement-cases/review-request": (N, Y, U, N, N, N, N, N, N, N),
    "enforcement-cases/review": (N, N, N, N, Y, N, N, N, N, N),
    "enforcement-cases/notice": (N, Y, U, N, N, N, N, N, N, N),
    "enforcement-cases/hearing-request": (N, Y, U, N, N, N, N, N, N, N),
    "enforcement-cases/hearing": (N, N, N, Y, Y, N, N, N, N, N),
    "enforcement-cases/discussion": (N, N, N, Y, N, N, N, N, N, N),
    "enforcement-cases/decision": (N, N, N, Y, N, N, N, N, N, N),
    "enforcement-cases/service": (N, Y, U, N, N, N, N, N, N, N),
    "enforcement-cases/publication": (N, Y, U, Y, N, N, N, N, N, N),
    "enforcement-cases/execution": (N, Y, U, N, N, N, N, N, N, N),
    "enforcement-cases/close": (N, N, N, Y, N, N, N, N, N, N),
    "rulings/accept": (N, N, N, N, N, Y, N, N, N, N),
    "rulings/decline": (N, N, N, N, N, Y, N, N, N, N),
    "rulings/verification": (N, N, N, N, N, Y, N, N, N, N),
    "rulings/deliberation": (N, N, N, N, N, Y, N, N, N, N),
    "rulings/ruling": (N, N, N, N, N, Y, N, N, N, N),
    "rulings/notice": (N, N, N, N, N, Y, N, N, N, N),
    "rulings/filing": (N, N, N, N, N, Y, N, N, N, N),
    "rulings/appeal": (N, N, N, N, N, Y, N, N, N, N),
    "clearings/approval": (N, N, N, N, N, Y, N, N, N, N),
    "clearings/clearance": (N, N, N, N, N, Y, N, N, N, N),
    "clearings/record": (N, N, N, N, N, Y, N, N, N, N),
}


def test_the_hand_written_cells_name_every_user_and_every_action_route() -> None:
    assert tuple(USERS) == COLUMNS
    assert set(ACTION_CELLS) == {f"{r}/{a.path}" for r, a in ROUTES}
    assert all(len(cells) == len(COLUMNS) for cells in ACTION_CELLS.values())


@pytest.mark.parametrize(("resource", "action"), ROUTES, ids=[f"{r}/{a.path}" for r, a in ROUTES])
def test_every_role_on_every_action(world: World, resource: str, action: Action) -> None:
    target = world.targets[resource]
    body = body_for(action.schema, target)
    cells = dict(zip(COLUMNS, ACTION_CELLS[f"{resource}/{action.path}"], strict=True))
    mismatches = []
    for user in USERS:
        for (record, exists), written in zip(((target, True), (uuid4(), False)), cells[user], strict=True):
            response = world.api.act(user, f"/api/{resource}/{record}/{action.path}", STALE, body)
            want = expected(user, action, exists)
            if response.status_code != want or written != want:
                mismatches.append((user, exists, written, want, response.status_code, response.get_json()))
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
FILING_CELLS: dict[str, tuple[int, ...]] = {
    # route: (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
    "complaints": (201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "disputes": (201, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "enforcement-cases": (201, 201, 201, 403, 403, 403, 403, 403, 403, 403),
}


@pytest.mark.parametrize(("resource", "use_case", "body"), FILINGS, ids=[f[0] for f in FILINGS])
def test_every_role_on_every_filing(world: World, resource: str, use_case: str, body: dict[str, Any]) -> None:
    allowed = PERMISSIONS[use_case].roles
    statuses = {user: world.api.call(user, "POST", f"/api/{resource}", body).status_code for user in USERS}
    assert statuses == {user: 201 if USERS[user][0] in allowed else 403 for user in USERS}
    assert statuses == dict(zip(COLUMNS, FILING_CELLS[resource], strict=True))


RULING_BODY = {
    "cadre_id": "c9",
    "cadre_name": "李某",
    "unit": OWN_UNIT,
    "error": "e",
    "consequences": "c",
    "circumstances": "s",
    "motive": "m",
    "proposed_by_unit": False,
}
CLEARING_BODY = {
    "cadre_id": "c9",
    "cadre_name": "李某",
    "unit": OWN_UNIT,
    "accusation": "a",
    "investigation": "i",
    "finding": "false",
}
# (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
DISCIPLINE_ONLY_FILING = (403, 403, 403, 403, 403, 201, 403, 403, 403, 403)


@pytest.mark.parametrize(("resource", "body"), [("rulings", RULING_BODY), ("clearings", CLEARING_BODY)])
def test_only_discipline_opens_a_ruling_or_a_clearing(world: World, resource: str, body: dict[str, Any]) -> None:
    statuses = tuple(world.api.call(user, "POST", f"/api/{resource}", body).status_code for user in COLUMNS)
    assert statuses == DISCIPLINE_ONLY_FILING


def test_only_discipline_reviews_an_appealed_ruling(world: World) -> None:
    # The target ruling was never appealed: discipline is refused by the rule (409), others by role.
    # (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
    on_the_ruling = (403, 403, 403, 403, 403, 409, 403, 403, 403, 403)
    on_no_ruling = (403, 403, 403, 403, 403, 404, 403, 403, 403, 403)
    for record, want in ((world.targets["rulings"], on_the_ruling), (uuid4(), on_no_ruling)):
        path = f"/api/rulings/{record}/review"
        assert tuple(world.api.call(user, "POST", path, {}).status_code for user in COLUMNS) == want


def test_only_the_security_admin_erases_an_identity(world: World) -> None:
    # No such person: the security administrator is told so (404), everyone else is refused by role first.
    # (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
    path = "/api/audit/identities/nobody/erasure"
    statuses = tuple(world.api.call(user, "POST", path, {"reason": "依法删除"}).status_code for user in COLUMNS)
    assert statuses == (403, 403, 403, 403, 403, 403, 403, 403, 404, 403)


A: Cell = (412, 404)  # the admin: a stale version is refused, no such entry is not found
# The change routes of the registers, on the entry REGISTER_PATHS names and on a code naming none.
REGISTER_CHANGES: dict[str, tuple[str, dict[str, Any]]] = {
    "rename": ("rename_register_entry", {"name": "新名称", "reason": "更名"}),
    "move": ("move_register_entry", {"parent": None, "reason": "调整"}),
    "merge": ("merge_register_entry", {"into": "other", "reason": "合并"}),
    "retire": ("retire_register_entry", {"reason": "撤销"}),
    "limits": ("change_category_limits", {"limits": [], "reason": "调整"}),
}
REGISTER_CELLS: dict[str, tuple[Cell, ...]] = {
    # route: (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
    "office/rename": (N, N, N, N, N, N, N, A, N, N),
    "office/retire": (N, N, N, N, N, N, N, A, N, N),
    "unit/rename": (N, N, N, N, N, N, N, A, N, N),
    "unit/move": (N, N, N, N, N, N, N, A, N, N),
    "unit/merge": (N, N, N, N, N, N, N, A, N, N),
    "unit/retire": (N, N, N, N, N, N, N, A, N, N),
    "place/rename": (N, N, N, N, N, N, N, A, N, N),
    "place/move": (N, N, N, N, N, N, N, A, N, N),
    "place/merge": (N, N, N, N, N, N, N, A, N, N),
    "place/retire": (N, N, N, N, N, N, N, A, N, N),
    "complaint/rename": (N, N, N, N, N, N, N, A, N, N),
    "complaint/move": (N, N, N, N, N, N, N, A, N, N),
    "complaint/merge": (N, N, N, N, N, N, N, A, N, N),
    "complaint/retire": (N, N, N, N, N, N, N, A, N, N),
    "complaint/limits": (N, N, N, N, N, N, N, A, N, N),
    "dispute/rename": (N, N, N, N, N, N, N, A, N, N),
    "dispute/move": (N, N, N, N, N, N, N, A, N, N),
    "dispute/merge": (N, N, N, N, N, N, N, A, N, N),
    "dispute/retire": (N, N, N, N, N, N, N, A, N, N),
    "dispute/limits": (N, N, N, N, N, N, N, A, N, N),
    "enforcement/rename": (N, N, N, N, N, N, N, A, N, N),
    "enforcement/move": (N, N, N, N, N, N, N, A, N, N),
    "enforcement/merge": (N, N, N, N, N, N, N, A, N, N),
    "enforcement/retire": (N, N, N, N, N, N, N, A, N, N),
    "enforcement/limits": (N, N, N, N, N, N, N, A, N, N),
}


@pytest.mark.parametrize("route", list(REGISTER_CELLS))
def test_every_role_on_every_register_change(world: World, route: str) -> None:
    register, change = route.split("/")
    use_case, body = REGISTER_CHANGES[change]
    path = REGISTER_PATHS[register]
    nowhere = path.rsplit("/", 1)[0] + "/nowhere"
    cells = dict(zip(COLUMNS, REGISTER_CELLS[route], strict=True))
    mismatches = []
    for user in USERS:
        allowed = USERS[user][0] in PERMISSIONS[use_case].roles
        for target, written, want in zip((path, nowhere), cells[user], A if allowed else N, strict=True):
            response = world.api.act(user, f"{target}/{change}", STALE, body)
            if response.status_code != want or written != want:
                mismatches.append((user, target, written, want, response.status_code, response.get_json()))
    assert not mismatches


REGISTRATIONS = {
    "/api/offices": ("register_office", {}),
    "/api/offices/xihu/units": ("register_unit", {"kind": "section"}),
    "/api/offices/xihu/places": ("register_place", {"kind": "village"}),
    "/api/offices/xihu/complaint-categories": ("register_category", {}),
    "/api/offices/xihu/dispute-categories": ("register_category", {}),
    "/api/offices/xihu/enforcement-categories": ("register_category", {}),
}
# (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
ADMIN_ONLY_REGISTRATION = (403, 403, 403, 403, 403, 403, 403, 201, 403, 403)


@pytest.mark.parametrize("path", list(REGISTRATIONS))
def test_only_an_admin_registers_an_entry(world: World, path: str) -> None:
    use_case, extra = REGISTRATIONS[path]
    body = {"code": f"new-{uuid4().hex[:8]}", "name": "新条目", "reason": "设立", **extra}
    statuses = tuple(world.api.call(user, "POST", path, body).status_code for user in COLUMNS)
    assert statuses == ADMIN_ONLY_REGISTRATION
    assert statuses == tuple(201 if USERS[u][0] in PERMISSIONS[use_case].roles else 403 for u in COLUMNS)


def test_the_matrix_covers_every_action_in_the_table() -> None:
    routed = {a.use_case for _, a in ROUTES}
    filing = {"file_complaint", "file_dispute", "record_clue", "request_ruling", "review_appeal", "propose_clearing"}
    reads = {name for name in PERMISSIONS if name.startswith("read_") or name == "list_cases"}
    accounts = {  # role checks in tests/web/test_duties.py
        "add_user",
        "deactivate_user",
        "set_password",
        "change_user_roles",
        "unlock_user",
        "issue_token",
        "revoke_token",
        "change_own_password",
        "sign_out",
    }
    audit = {"export_case_evidence", "erase_identity"}  # role checks in tests/audit/test_identities_and_views.py
    registers = {use_case for use_case, _ in REGISTER_CHANGES.values()} | {u for u, _ in REGISTRATIONS.values()}
    command_line = {"import_register"}  # role checks in tests/application/test_register_import.py
    assert set(PERMISSIONS) - routed - filing - reads - accounts - audit - registers - command_line == set()
    assert OTHER_UNIT != OWN_UNIT and Role.HANDLER in {r for r, _ in USERS.values()}

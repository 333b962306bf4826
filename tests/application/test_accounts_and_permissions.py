"""Users, tokens and the permission table, on both stores."""

from __future__ import annotations

import inspect
from datetime import timedelta
from uuid import uuid4

import pytest

from application.config import Settings
from application.core import CommandResult
from application.errors import Forbidden, NotFound
from application.ledger import CaseLedger
from application.permissions import PERMISSIONS
from bootstrap.ledger import build_ledger
from domain.actor import Actor, Role
from domain.errors import InvalidValue
from domain.time import now
from tests.support import CLERK, HANDLER, SUPERVISOR, complainant, location

ADMIN = Actor("root-admin", Role.ADMIN, "管理员")
SECURITY = Actor("root-security", Role.SECURITY_ADMIN, "管理员")


def noise_complaint(ledger: CaseLedger) -> CommandResult:
    """A complaint the clerk registers."""
    return ledger.file_complaint(
        uuid4().hex,
        CLERK,
        category="noise",
        channel="hotline",
        location=location(),
        description="噪声",
        parties=[complainant()],
    )


def test_a_token_authenticates_its_user_until_revoked(ledger: CaseLedger) -> None:
    ledger.add_user(ADMIN, "wang.clerk", "王受理", "clerk", "受理窗口")
    token_id, secret = ledger.issue_token(SECURITY, "wang.clerk", "laptop")
    actor = ledger.authenticate(secret, request_id="req-1")
    assert actor == Actor("wang.clerk", Role.CLERK, "受理窗口", "req-1")
    assert ledger.authenticate(secret + "x") is None
    ledger.revoke_token(SECURITY, token_id, "laptop lost")
    assert ledger.authenticate(secret) is None


def test_an_expired_token_or_a_deactivated_user_no_longer_authenticates(ledger: CaseLedger) -> None:
    ledger.add_user(ADMIN, "li.handler", "李承办", "handler", "城管执法中队")
    _, short = ledger.issue_token(SECURITY, "li.handler", "temp", valid_days=1)
    assert ledger.authenticate(short) is not None
    assert ledger.authenticate(short, at=now() + timedelta(days=2)) is None
    _, other = ledger.issue_token(SECURITY, "li.handler", "desk")
    ledger.deactivate_user(ADMIN, "li.handler", "调离")
    assert ledger.authenticate(other) is None
    with pytest.raises(InvalidValue):
        ledger.issue_token(SECURITY, "li.handler", "again")


def test_only_an_admin_manages_users_and_usernames_are_unique(ledger: CaseLedger) -> None:
    with pytest.raises(Forbidden):
        ledger.add_user(CLERK, "x", "X", "clerk", "受理窗口")
    ledger.add_user(ADMIN, "zhao", "赵", "supervisor", "监督小组")
    with pytest.raises(InvalidValue) as error:
        ledger.add_user(ADMIN, "zhao", "赵二", "clerk", "受理窗口")
    assert error.value.field == "username"


def test_a_role_without_the_permission_is_refused_and_nothing_is_stored(ledger: CaseLedger) -> None:
    filed = noise_complaint(ledger)
    before = ledger.log_position()
    with pytest.raises(Forbidden) as error:
        ledger.accept_complaint(filed.id, 1, CLERK)
    assert error.value.action == "accept_complaint"
    with pytest.raises(Forbidden):
        ledger.file_complaint(
            uuid4().hex,
            SUPERVISOR,
            category="noise",
            channel="hotline",
            location=location(),
            description="噪声",
            parties=[],
        )
    assert ledger.log_position() == before


def test_a_handler_acts_only_on_cases_dispatched_to_their_unit(ledger: CaseLedger) -> None:
    filed = noise_complaint(ledger)
    ledger.accept_complaint(filed.id, 1, SUPERVISOR)
    ledger.dispatch_complaint(filed.id, 2, SUPERVISOR, "市场监管所", [])
    with pytest.raises(Forbidden) as error:
        ledger.investigate_complaint(filed.id, 3, HANDLER, "substantiated", "属实")
    assert "市场监管所" not in error.value.reason and HANDLER.unit in error.value.reason
    colleague = Actor("handler-9", Role.HANDLER, "市场监管所")
    assert ledger.investigate_complaint(filed.id, 3, colleague, "substantiated", "属实").version == 4


def test_a_caller_refused_a_command_cannot_tell_whether_the_records_it_names_exist(ledger: CaseLedger) -> None:
    case_id, other_id = noise_complaint(ledger).id, noise_complaint(ledger).id
    ledger.accept_complaint(case_id, 1, SUPERVISOR)
    ledger.dispatch_complaint(case_id, 2, SUPERVISOR, "市场监管所", [])
    refusals = []
    for related in (other_id, uuid4()):
        with pytest.raises(Forbidden) as linking:
            ledger.link_cases(case_id, 3, HANDLER, related, "同一事项")
        with pytest.raises(Forbidden) as merging:
            ledger.merge_complaint(case_id, 3, CLERK, related, "重复投诉")
        refusals.append((linking.value.reason, merging.value.reason))
    assert refusals[0] == refusals[1]
    with pytest.raises(NotFound):
        ledger.merge_complaint(case_id, 3, SUPERVISOR, uuid4(), "重复投诉")
    assert ledger.merge_complaint(case_id, 3, SUPERVISOR, other_id, "重复投诉").version == 4


def test_every_use_case_that_takes_an_actor_is_in_the_permission_table() -> None:
    use_cases = {
        name
        for name, member in inspect.getmembers(CaseLedger, inspect.isfunction)
        if not name.startswith("_")
        and member.__module__.startswith("application.")
        and "actor" in inspect.signature(member).parameters
        and name not in {"authorize", "update", "file_case"}
        and not name.startswith("view_")
    }
    assert len(use_cases) > 60
    assert use_cases - set(PERMISSIONS) == set()


def test_a_revocation_or_deactivation_in_another_process_stops_the_next_request(
    ledger: CaseLedger, store_url: str
) -> None:
    ledger.add_user(ADMIN, "zhou", "周", "clerk", "受理窗口")
    ledger.add_user(ADMIN, "wu", "吴", "handler", "城管执法中队")
    token_id, revoked = ledger.issue_token(SECURITY, "zhou", "desk")
    _, kept = ledger.issue_token(SECURITY, "zhou", "phone")
    _, deactivated = ledger.issue_token(SECURITY, "wu", "desk")
    for secret in (revoked, kept, deactivated):
        assert ledger.authenticate(secret) is not None
        assert ledger.authenticate(secret) is not None, "remembered, and still valid"
    other = build_ledger(Settings(database_url=store_url))
    try:
        other.revoke_token(SECURITY, token_id, "lost")
        assert ledger.authenticate(revoked) is None, "the very next request"
        assert ledger.authenticate(kept) is not None, "the user's other token still works"
        other.deactivate_user(ADMIN, "wu", "调离")
        assert ledger.authenticate(deactivated) is None
        assert other.authenticate(revoked) is None and other.authenticate(deactivated) is None
    finally:
        other.close()

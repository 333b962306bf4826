"""三员分立: the system, security and audit administrators each do their own work and none of the others',
on both stores; and every role on the people routes. Cells written by hand, not computed from the table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from application.errors import Forbidden, NotFound
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from domain.actor import Actor, Role
from domain.errors import InvalidValue, RuleViolation
from tests.web.conftest import CHOSEN_PASSWORD, ROOT, ROOT_SECURITY, USERS, Api, fast_settings, users_api
from web.app import create_app

COLUMNS = tuple(USERS)
ADMIN = Actor("admin", Role.ADMIN, "系统管理")
SECURITY = Actor("security_admin", Role.SECURITY_ADMIN, "系统管理")
AUDIT = Actor("audit_admin", Role.AUDIT_ADMIN, "系统管理")


@dataclass
class World:
    api: Api
    ledger: CaseLedger


@pytest.fixture(scope="module")
def world(module_store_url: str) -> Iterator[World]:
    ledger = build_ledger(fast_settings(module_store_url, sign_in_failures_per_address=100_000))
    app = create_app(ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 100_000})
    yield World(users_api(app), ledger)
    ledger.close()


NEW_USER = {"display_name": "新人", "roles": ["clerk"], "units": ["受理窗口"]}
PEOPLE_ROUTES: dict[str, tuple[str, str, Any]] = {
    "list users": ("GET", "/api/users", None),
    "a user": ("GET", "/api/users/clerk", None),
    "add a user": ("POST", "/api/users", NEW_USER),
    "roles of no one": ("POST", "/api/users/nobody/roles", {"roles": ["clerk"], "reason": "调岗"}),
    "password of no one": ("POST", "/api/users/nobody/password", {"password": "Initial-Pass-9"}),
    "unlock no one": ("POST", "/api/users/nobody/unlock", {"reason": "本人确认"}),
    "deactivate no one": ("POST", "/api/users/nobody/deactivation", {"reason": "调离"}),
    "history of no one": ("GET", "/api/users/nobody/history", None),
    "history of the clerk": ("GET", "/api/users/clerk/history", None),
}
# (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
PEOPLE_CELLS: dict[str, tuple[int, ...]] = {
    "list users": (403, 403, 403, 403, 403, 403, 403, 200, 200, 200),
    "a user": (403, 403, 403, 403, 403, 403, 403, 200, 200, 200),
    "add a user": (403, 403, 403, 403, 403, 403, 403, 201, 403, 403),
    "roles of no one": (403, 403, 403, 403, 403, 403, 403, 403, 404, 403),
    "password of no one": (403, 403, 403, 403, 403, 403, 403, 404, 403, 403),
    "unlock no one": (403, 403, 403, 403, 403, 403, 403, 403, 404, 403),
    "deactivate no one": (403, 403, 403, 403, 403, 403, 403, 404, 403, 403),
    "history of no one": (403, 403, 403, 403, 403, 403, 403, 403, 403, 404),
    "history of the clerk": (403, 403, 403, 403, 403, 403, 403, 403, 403, 200),
}


@pytest.mark.parametrize("name", list(PEOPLE_ROUTES))
def test_every_role_on_every_people_route(world: World, name: str) -> None:
    method, path, body = PEOPLE_ROUTES[name]
    got = {}
    for user in COLUMNS:
        sent = dict(body, username=f"new-{user}") if name == "add a user" else body
        got[user] = world.api.call(user, method, path, sent, {"If-Match": '"1"'})
    assert tuple(got[user].status_code for user in COLUMNS) == PEOPLE_CELLS[name], {
        u: r.get_json() for u, r in got.items()
    }
    assert all(r.content_type == "application/problem+json" for r in got.values() if r.status_code >= 400)


def test_a_change_of_a_user_is_decided_against_the_version_seen(world: World) -> None:
    api = world.api
    world.ledger.add_user(ROOT, "versioned", "某", "clerk", "受理窗口")
    seen = api.call("security_admin", "GET", "/api/users/versioned")
    assert seen.headers["ETag"] == '"1"' and seen.get_json()["roles"] == ["clerk"]
    body = {"roles": ["clerk", "statistician"], "reason": "兼任统计"}
    assert api.call("security_admin", "POST", "/api/users/versioned/roles", body).status_code == 428
    stale = api.call("security_admin", "POST", "/api/users/versioned/roles", body, {"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.headers["ETag"] == '"1"'
    changed = api.call("security_admin", "POST", "/api/users/versioned/roles", body, {"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert api.call("audit_admin", "GET", "/api/users/versioned").get_json()["roles"] == ["clerk", "statistician"]


def _period() -> tuple[datetime, datetime]:
    moment = datetime.now(UTC)
    return moment - timedelta(hours=1), moment + timedelta(hours=1)


DUTIES: dict[str, tuple[Role, Callable[[CaseLedger, Actor], Any]]] = {
    # the system administrator's: users
    "add a user": (Role.ADMIN, lambda ledger, a: ledger.add_user(a, f"duty-{a.role.code}", "人", "clerk", "窗口")),
    "set an initial password": (Role.ADMIN, lambda ledger, a: ledger.set_password(a, "clerk", "Initial-Pass-7")),
    "deactivate a user": (Role.ADMIN, lambda ledger, a: ledger.deactivate_user(a, "statistician", "调离")),
    # the security administrator's: roles, tokens, unlocks, identity keys
    "change roles": (
        Role.SECURITY_ADMIN,
        lambda ledger, a: ledger.change_user_roles(a, "handler", ["handler", "clerk"], "兼任"),
    ),
    "issue a token": (Role.SECURITY_ADMIN, lambda ledger, a: ledger.issue_token(a, "clerk", "desk")),
    "list tokens": (Role.SECURITY_ADMIN, lambda ledger, a: ledger.read_tokens(a)),
    "unlock": (Role.SECURITY_ADMIN, lambda ledger, a: ledger.unlock_user(a, "nobody", "确认")),
    "erase an identity": (Role.SECURITY_ADMIN, lambda ledger, a: ledger.erase_identity(a, "nobody", "依法删除")),
    # the audit administrator's: the audit trail
    "a user's history": (Role.AUDIT_ADMIN, lambda ledger, a: ledger.read_user_history(a, "clerk")),
    "a user's activity": (Role.AUDIT_ADMIN, lambda ledger, a: ledger.read_user_activity(a, "clerk", *_period())),
    "the chain's status": (Role.AUDIT_ADMIN, lambda ledger, a: ledger.read_chain_status(a)),
}


def _forbidden(perform: Callable[[CaseLedger, Actor], Any], ledger: CaseLedger, actor: Actor) -> bool:
    """Whether the role check refuses ``actor``; a refusal after it (no such person) is not one."""
    try:
        perform(ledger, actor)
    except Forbidden:
        return True
    except (NotFound, InvalidValue, RuleViolation):
        return False
    return False


@pytest.mark.parametrize("duty", list(DUTIES))
def test_none_of_the_three_administrators_can_do_another_s_work(world: World, duty: str) -> None:
    owner, perform = DUTIES[duty]
    refused = {actor.role: _forbidden(perform, world.ledger, actor) for actor in (ADMIN, SECURITY, AUDIT)}
    assert refused == {role: role is not owner for role in (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)}


def test_the_administrators_roles_are_granted_only_by_the_security_admin_and_held_alone(world: World) -> None:
    ledger = world.ledger
    with pytest.raises(Forbidden):
        ledger.add_user(ROOT, "would-be-auditor", "某", [Role.AUDIT_ADMIN], ["系统管理"])
    ledger.add_user(ROOT, "new-auditor", "某", [], ["系统管理"])
    with pytest.raises(Exception, match="held alone"):
        ledger.change_user_roles(ROOT_SECURITY, "new-auditor", [Role.AUDIT_ADMIN, Role.CLERK], "任命")
    ledger.change_user_roles(ROOT_SECURITY, "new-auditor", [Role.AUDIT_ADMIN], "任命")
    with pytest.raises(Forbidden, match="own roles"):
        ledger.change_user_roles(SECURITY, "security_admin", [Role.SECURITY_ADMIN, Role.CLERK], "自己")


def test_the_system_admin_cannot_take_over_another_administrator_s_account(world: World) -> None:
    with pytest.raises(Forbidden, match="changed only by its holder"):
        world.ledger.set_password(ADMIN, "audit_admin", "Takeover-Pass-1")
    assert world.ledger.sign_in("audit_admin", CHOSEN_PASSWORD, "127.0.0.1").actor.role is Role.AUDIT_ADMIN


def test_a_forgotten_administrator_password_takes_two_people_to_reset(world: World) -> None:
    ledger = world.ledger
    ledger.add_user(ROOT, "forgetful", "某", [], ["系统管理"])
    ledger.change_user_roles(ROOT_SECURITY, "forgetful", [Role.AUDIT_ADMIN], "任命")
    ledger.set_password(ROOT, "forgetful", "Initial-Pass-1")
    session = ledger.sign_in("forgetful", "Initial-Pass-1", "127.0.0.1")
    ledger.change_own_password(session.actor, "Initial-Pass-1", "Forgotten-Pass-2")
    with pytest.raises(Forbidden):
        ledger.set_password(ROOT, "forgetful", "Reset-Pass-3")
    ledger.change_user_roles(ROOT_SECURITY, "forgetful", [], "口令遗忘，暂停角色")
    ledger.set_password(ROOT, "forgetful", "Reset-Pass-3")
    ledger.change_user_roles(ROOT_SECURITY, "forgetful", [Role.AUDIT_ADMIN], "口令已重置")
    again = ledger.sign_in("forgetful", "Reset-Pass-3", "127.0.0.1")
    assert again.must_change_password and again.actor.role is Role.AUDIT_ADMIN

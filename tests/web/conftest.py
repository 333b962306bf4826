"""An app on each store, with one user and token per role (and a handler of another unit)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid4

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from application.config import PasswordHashing, Settings
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from domain.actor import ADMINISTRATORS, Actor, Role
from tests.support import DISCIPLINE
from web.app import create_app
from web.cli import main

OWN_UNIT = "城管执法中队"
OTHER_UNIT = "市场监管所"
ROOT = Actor("bootstrap", Role.ADMIN, "系统管理")
ROOT_SECURITY = Actor("bootstrap-security", Role.SECURITY_ADMIN, "系统管理")
FAST_HASHING = PasswordHashing(time_cost=1, memory_kib=8, parallelism=1)
"""argon2id at its least cost, so that tests that sign in many times run quickly."""
INITIAL_PASSWORD = "Initial-Pass-1"
CHOSEN_PASSWORD = "Chosen-Pass-2"
USERS = {
    "clerk": (Role.CLERK, "受理窗口"),
    "handler": (Role.HANDLER, OWN_UNIT),
    "other_handler": (Role.HANDLER, OTHER_UNIT),
    "supervisor": (Role.SUPERVISOR, "依法行政工作监督小组"),
    "legal_reviewer": (Role.LEGAL_REVIEWER, "法制审核室"),
    "discipline": (Role.DISCIPLINE, "纪工委"),
    "statistician": (Role.STATISTICIAN, "党政办"),
    "admin": (Role.ADMIN, "系统管理"),
    "security_admin": (Role.SECURITY_ADMIN, "系统管理"),
    "audit_admin": (Role.AUDIT_ADMIN, "系统管理"),
}


@dataclass
class Api:
    """A test client that calls as one of the test users."""

    client: FlaskClient
    tokens: dict[str, str]
    ledger: CaseLedger

    def call(
        self, user: str | None, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> TestResponse:
        sent = dict(headers or {})
        if user is not None:
            sent["Authorization"] = f"Bearer {self.tokens[user]}"
        kwargs: dict[str, Any] = {"headers": sent}
        if body is not None:
            kwargs["json"] = body
        return self.client.open(path, method=method, **kwargs)

    def act(self, user: str, path: str, version: int, body: Any = None) -> TestResponse:
        return self.call(user, "POST", path, body or {}, {"If-Match": f'"{version}"'})


def fast_settings(url: str, **settings: Any) -> Settings:
    """The settings of a test store: its URL, cheap password hashing, and ``settings``."""
    return Settings(database_url=url, password_hashing=FAST_HASHING, **settings)


@pytest.fixture
def app(store_url: str) -> Iterator[Flask]:
    ledger = build_ledger(fast_settings(store_url))
    yield create_app(ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 10_000})
    ledger.close()


def users_api(app: Flask) -> Api:
    """A client of ``app`` for each of USERS, added to its ledger with a token (an administrator: a
    session, signed in with a changed initial password) each."""
    ledger: CaseLedger = app.extensions["caseledger"]
    tokens = {username: enrol(ledger, username, role, unit) for username, (role, unit) in USERS.items()}
    return Api(app.test_client(), tokens, ledger)


def enrol(ledger: CaseLedger, username: str, role: Role, unit: str) -> str:
    """Register ``username``; the secret of an API token for them, or of a session for an administrator."""
    if role not in ADMINISTRATORS:
        ledger.add_user(ROOT, username, username, role, unit)
        return ledger.issue_token(ROOT_SECURITY, username, "tests")[1]
    ledger.add_user(ROOT, username, username, [], unit)
    ledger.change_user_roles(ROOT_SECURITY, username, [role], "tests")
    ledger.set_password(ROOT, username, INITIAL_PASSWORD)
    session = ledger.sign_in(username, INITIAL_PASSWORD, "127.0.0.1")
    ledger.change_own_password(session.actor, INITIAL_PASSWORD, CHOSEN_PASSWORD)
    return session.secret


@pytest.fixture
def api(app: Flask) -> Api:
    return users_api(app)


def ruling_and_clearing(ledger: CaseLedger) -> tuple[UUID, UUID]:
    """A tolerated-error ruling requested for a cadre of OWN_UNIT, and a clearing proposed for them."""
    ruling = ledger.request_ruling(
        uuid4().hex,
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
    clearing = ledger.propose_clearing(
        uuid4().hex,
        DISCIPLINE,
        cadre_id="cadre-7",
        cadre_name="张某",
        unit=OWN_UNIT,
        accusation="收受礼品",
        investigation="经查无此事",
        finding="false",
    )
    return ruling.id, clearing.id


COMPLAINT: dict[str, Any] = {
    "category": "breakfast_stalls",
    "channel": "hotline",
    "location": {"village": "新河社区", "address": "人民医院北门", "grid_cell": "XH-07"},
    "description": "医院北门早餐摊点占道经营，影响救护车通行",
    "parties": [{"role": "complainant", "name": "王秀兰", "phone": "13800000000"}],
}


class Run(Protocol):
    """Runs the command with ``args``: its exit status, standard output and standard error."""

    def __call__(self, *args: str) -> tuple[int, str, str]: ...


@pytest.fixture
def run(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("CASELEDGER_DATABASE_URL", store_url)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke

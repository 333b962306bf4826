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

from application.config import Settings
from application.ledger import CaseLedger
from bootstrap.ledger import build_ledger
from domain.actor import Actor, Role
from tests.support import DISCIPLINE
from web.app import create_app
from web.cli import main

OWN_UNIT = "城管执法中队"
OTHER_UNIT = "市场监管所"
ROOT = Actor("bootstrap", Role.ADMIN, "系统管理")
USERS = {
    "clerk": (Role.CLERK, "受理窗口"),
    "handler": (Role.HANDLER, OWN_UNIT),
    "other_handler": (Role.HANDLER, OTHER_UNIT),
    "supervisor": (Role.SUPERVISOR, "依法行政工作监督小组"),
    "legal_reviewer": (Role.LEGAL_REVIEWER, "法制审核室"),
    "discipline": (Role.DISCIPLINE, "纪工委"),
    "statistician": (Role.STATISTICIAN, "党政办"),
    "admin": (Role.ADMIN, "系统管理"),
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


@pytest.fixture
def app(store_url: str) -> Iterator[Flask]:
    ledger = build_ledger(Settings(database_url=store_url))
    yield create_app(ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 10_000})
    ledger.close()


def users_api(app: Flask) -> Api:
    """A client of ``app`` for each of USERS, added to its ledger with a token each."""
    ledger: CaseLedger = app.extensions["caseledger"]
    tokens = {}
    for username, (role, unit) in USERS.items():
        ledger.add_user(ROOT, username, username, role, unit)
        tokens[username] = ledger.issue_token(ROOT, username, "tests")[1]
    return Api(app.test_client(), tokens, ledger)


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

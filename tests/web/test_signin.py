"""Signing in, on both stores: each password, lockout, throttling and timeout rule, and that a password is
never logged, stored in clear or returned."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from application.config import Settings
from application.ledger import CaseLedger
from application.signin import SignInRefused
from bootstrap.ledger import build_ledger
from domain.actor import Role
from domain.errors import InvalidValue
from domain.time import now
from tests.web.conftest import COMPLAINT, ROOT, ROOT_SECURITY, enrol, fast_settings
from web.app import create_app

PASSWORD = "Xin-Jiekou-2026"
NEW_PASSWORD = "Hai-Dian-9fen"


@pytest.fixture
def app(store_url: str) -> Iterator[Flask]:
    ledger = build_ledger(fast_settings(store_url, sign_in_failures_per_address=1000))
    yield create_app(ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 10_000})
    ledger.close()


@pytest.fixture
def ledger(app: Flask) -> CaseLedger:
    found: CaseLedger = app.extensions["caseledger"]
    return found


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def clerk_with_password(ledger: CaseLedger, username: str = "wang.clerk") -> None:
    """A clerk whose initial password the system administrator set."""
    ledger.add_user(ROOT, username, "王受理", Role.CLERK, "受理窗口")
    ledger.set_password(ROOT, username, PASSWORD)


def sign_in(client: FlaskClient, username: str, password: str, **more: Any) -> TestResponse:
    return client.post("/api/session", json={"username": username, "password": password, **more})


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def without_instance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "instance"}


def test_an_initial_password_must_be_changed_before_anything_else(client: FlaskClient, ledger: CaseLedger) -> None:
    clerk_with_password(ledger)
    signed = sign_in(client, "wang.clerk", PASSWORD)
    assert signed.status_code == 201, signed.get_json()
    session = signed.get_json()
    assert session["password_change_required"] is True and session["role"] == "clerk"
    assert session["idle_timeout_minutes"] == 30
    headers = bearer(session["token"])
    refused = client.post("/api/complaints", json=COMPLAINT, headers=headers)
    assert (
        refused.status_code == 403 and refused.get_json()["type"] == "urn:caseledger:problem:password-change-required"
    )
    assert client.get("/api/cases", headers=headers).status_code == 403
    assert client.get("/api/session", headers=headers).get_json()["password_change_required"] is True
    weak = client.post(
        "/api/session/password", json={"old_password": PASSWORD, "new_password": "short"}, headers=headers
    )
    assert weak.status_code == 422 and "password.length" in weak.get_json()["detail"]
    same = {"old_password": PASSWORD, "new_password": PASSWORD}
    assert "password.reuse" in client.post("/api/session/password", json=same, headers=headers).get_json()["detail"]
    changed = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/session/password", json=changed, headers=headers).status_code == 204
    assert client.post("/api/complaints", json=COMPLAINT, headers=headers).status_code == 201
    assert sign_in(client, "wang.clerk", PASSWORD).status_code == 401, "the initial password no longer works"
    again = sign_in(client, "wang.clerk", NEW_PASSWORD).get_json()
    assert again["password_change_required"] is False


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Ab1-xyz", "password.length"),
        ("abcdefgh1", "password.classes"),
        ("ABCDEFGH-", "password.classes"),
        ("Wang.Clerk-2026", "password.username"),
    ],
)
def test_each_password_rule_is_named_when_it_refuses(ledger: CaseLedger, password: str, rule: str) -> None:
    ledger.add_user(ROOT, "wang.clerk", "王受理", Role.CLERK, "受理窗口")
    with pytest.raises(InvalidValue) as refused:
        ledger.set_password(ROOT, "wang.clerk", password)
    assert refused.value.field == "password" and rule in refused.value.message and rule in refused.value.zh
    assert password not in str(refused.value)


def test_the_password_rules_are_settings(store_url: str) -> None:
    settings = Settings.from_env({"CASELEDGER_PASSWORD_MIN_LENGTH": "12", "CASELEDGER_PASSWORD_MIN_CLASSES": "4"})
    assert (settings.password_rules.min_length, settings.password_rules.min_classes) == (12, 4)
    strict = build_ledger(fast_settings(store_url, password_rules=settings.password_rules))
    try:
        strict.add_user(ROOT, "li", "李", Role.CLERK, "受理窗口")
        with pytest.raises(InvalidValue, match=r"password\.classes"):
            strict.set_password(ROOT, "li", "Abcdefghijk1")
        strict.set_password(ROOT, "li", "Abcdefghij1!")
    finally:
        strict.close()


def test_an_unknown_user_is_answered_exactly_like_a_wrong_password(client: FlaskClient, ledger: CaseLedger) -> None:
    clerk_with_password(ledger)
    ledger.add_user(ROOT, "no.password", "无口令", Role.CLERK, "受理窗口")
    wrong = sign_in(client, "wang.clerk", "Wrong-Pass-1")
    for refused in (sign_in(client, "nobody", "Wrong-Pass-1"), sign_in(client, "no.password", "Wrong-Pass-1")):
        assert (refused.status_code, refused.headers.get("Content-Type")) == (401, "application/problem+json")
        assert without_instance(refused.get_json()) == without_instance(wrong.get_json())


def test_an_unknown_user_takes_as_long_as_a_wrong_password(store_url: str) -> None:
    """A dummy hash is verified when there is no user, at the settings' real cost."""
    ledger = build_ledger(Settings(database_url=store_url, sign_in_failures_per_address=1000, lock_after_failures=1000))
    try:
        clerk_with_password(ledger)

        def seconds(username: str) -> float:
            times = []
            for _ in range(3):
                start = time.perf_counter()
                with pytest.raises(SignInRefused):
                    ledger.sign_in(username, "Wrong-Pass-1", "10.0.0.1")
                times.append(time.perf_counter() - start)
            return statistics.median(times)

        known, unknown = seconds("wang.clerk"), seconds("nobody")
        # Without the dummy hash an unknown user would answer hundreds of times faster; a known one also
        # records the failure, so on a loaded machine the two differ by up to a small factor.
        assert 0.25 < unknown / known < 4, (known, unknown)
    finally:
        ledger.close()


def test_consecutive_failures_lock_the_account_until_the_security_admin_unlocks_it(
    client: FlaskClient, ledger: CaseLedger
) -> None:
    clerk_with_password(ledger)
    assert sign_in(client, "wang.clerk", PASSWORD).status_code == 201, "a success resets the count"
    for _ in range(5):
        assert sign_in(client, "wang.clerk", "Wrong-Pass-1").status_code == 401
    locked = sign_in(client, "wang.clerk", PASSWORD)
    assert locked.status_code == 401, "locked: even the right password is refused, like any failure"
    security = enrol(ledger, "security", Role.SECURITY_ADMIN, "系统管理")
    admin = enrol(ledger, "admin", Role.ADMIN, "系统管理")
    reason = {"reason": "本人电话确认后解锁"}
    refused = bearer(admin) | {"If-Match": '"9"'}
    assert client.post("/api/users/wang.clerk/unlock", json=reason, headers=refused).status_code == 403
    version = client.get("/api/users/wang.clerk", headers=bearer(security)).headers["ETag"]
    assert client.get("/api/users/wang.clerk", headers=bearer(security)).get_json()["locked"] is True
    unlocking = bearer(security) | {"If-Match": version}
    assert client.post("/api/users/wang.clerk/unlock", json=reason, headers=unlocking).status_code == 200
    assert sign_in(client, "wang.clerk", PASSWORD).status_code == 201
    auditor = enrol(ledger, "auditor", Role.AUDIT_ADMIN, "系统管理")
    history = client.get("/api/users/wang.clerk/history", headers=bearer(auditor)).get_json()
    types = [event["type"] for event in history]
    assert types == ["Registered", "PasswordSet", "SignedIn", *["SignInFailed"] * 5, "Locked", "Unlocked", "SignedIn"]
    lock = history[8]
    assert lock["data"] == {"reason": "too many failed sign-ins", "failures": 5} and lock["actor"] is None
    unlock = history[9]
    assert unlock["actor"]["user_id"] == "security" and unlock["actor"]["role"]["code"] == "security_admin"
    assert unlock["data"] == {"reason": "本人电话确认后解锁"}
    assert history[3]["data"] == {"address": "127.0.0.1"}
    signed_in = history[2]
    assert signed_in["data"] == {"address": "127.0.0.1"} and signed_in["actor"]["request_id"], "the request signing in"


def test_failed_sign_ins_are_throttled_per_address(store_url: str) -> None:
    ledger = build_ledger(fast_settings(store_url, sign_in_failures_per_address=3))
    try:
        client = create_app(ledger, {"TESTING": True}).test_client()
        clerk_with_password(ledger)
        statuses = [sign_in(client, f"nobody-{i}", "Wrong-Pass-1").status_code for i in range(4)]
        assert statuses == [401, 401, 401, 429]
        throttled = sign_in(client, "wang.clerk", PASSWORD)
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 60
        assert throttled.get_json()["type"] == "urn:caseledger:problem:rate-limited"
        elsewhere = client.post(
            "/api/session",
            json={"username": "wang.clerk", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.1.2.3"},
        )
        assert elsewhere.status_code == 201, "another address is not throttled"
    finally:
        ledger.close()


def test_a_session_ends_when_idle_and_after_its_maximum_life(ledger: CaseLedger, client: FlaskClient) -> None:
    clerk_with_password(ledger)
    session = ledger.sign_in("wang.clerk", PASSWORD, "127.0.0.1")
    assert ledger.access(session.secret).must_change_password and ledger.authenticate(session.secret) is None
    ledger.change_own_password(session.actor, PASSWORD, NEW_PASSWORD)
    assert ledger.authenticate(session.secret) is not None
    assert ledger.access(session.secret, at=now() + timedelta(minutes=29)).actor is not None
    assert ledger.access(session.secret, at=now() + timedelta(minutes=31)).refusal == "idle"
    assert session.expires_at - now() <= timedelta(hours=12)
    assert ledger.access(session.secret, at=session.expires_at + timedelta(seconds=1)).refusal in {"idle", "expired"}


def test_a_session_lives_at_most_its_maximum_however_busy(store_url: str) -> None:
    ledger = build_ledger(fast_settings(store_url, session_idle_minutes=100_000, session_max_hours=2))
    try:
        clerk_with_password(ledger)
        session = ledger.sign_in("wang.clerk", PASSWORD, "127.0.0.1")
        assert ledger.access(session.secret, at=now() + timedelta(minutes=119)).actor is not None
        assert ledger.access(session.secret, at=now() + timedelta(minutes=121)).refusal == "expired"
    finally:
        ledger.close()


def test_signing_out_ends_the_session_at_once(client: FlaskClient, ledger: CaseLedger) -> None:
    clerk_with_password(ledger)
    secret = sign_in(client, "wang.clerk", PASSWORD).get_json()["token"]
    assert (
        client.post(
            "/api/session/password",
            json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=bearer(secret),
        ).status_code
        == 204
    )
    assert client.delete("/api/session", headers=bearer(secret)).status_code == 204
    after = client.get("/api/cases", headers=bearer(secret))
    assert after.status_code == 401 and after.get_json()["type"] == "urn:caseledger:problem:unauthenticated"


def test_a_sign_in_acts_in_one_of_the_users_roles_and_units(client: FlaskClient, ledger: CaseLedger) -> None:
    ledger.add_user(ROOT, "zhao", "赵", [Role.CLERK, Role.STATISTICIAN], ["受理窗口", "党政办"])
    ledger.set_password(ROOT, "zhao", PASSWORD)
    first = sign_in(client, "zhao", PASSWORD).get_json()
    assert (first["role"], first["unit"], first["office"]) == ("clerk", "受理窗口", "default")
    chosen = sign_in(client, "zhao", PASSWORD, role="statistician", unit="党政办").get_json()
    assert (chosen["role"], chosen["unit"]) == ("statistician", "党政办")
    assert sign_in(client, "zhao", PASSWORD, role="supervisor").status_code == 422, "not one of theirs"


def test_api_tokens_expire_by_default_and_say_so(client: FlaskClient, ledger: CaseLedger) -> None:
    ledger.add_user(ROOT, "li", "李", Role.CLERK, "受理窗口")
    _, secret = ledger.issue_token(ROOT_SECURITY, "li", "desk")
    (listed,) = ledger.read_tokens(ROOT_SECURITY, "li")
    assert listed.expires_at is not None
    assert timedelta(days=89, hours=23) < listed.expires_at - listed.created_at <= timedelta(days=90)
    with pytest.raises(InvalidValue, match="valid_days"):
        ledger.issue_token(ROOT_SECURITY, "li", "too long", valid_days=366)
    assert ledger.issue_token(ROOT_SECURITY, "li", "a year", valid_days=365)
    assert ledger.access(secret, at=listed.expires_at + timedelta(seconds=1)).refusal == "expired"
    with pytest.raises(InvalidValue, match="role"):
        ledger.issue_token(ROOT_SECURITY, "li", "as admin", role=Role.ADMIN)
    assert client.get("/api/session", headers=bearer(secret)).status_code == 200
    assert ledger.read_tokens(ROOT_SECURITY, "li")[0].last_used_at is not None, "its last use is recorded"


def test_the_web_says_a_token_expired(store_url: str) -> None:
    ledger = build_ledger(fast_settings(store_url))
    try:
        client = create_app(ledger, {"TESTING": True}).test_client()
        ledger.add_user(ROOT, "li", "李", Role.CLERK, "受理窗口")
        _, secret = ledger.issue_token(ROOT_SECURITY, "li", "desk", valid_days=1)
        original = ledger.access

        def a_day_later(secret: str, request_id: str = "", at: Any = None) -> Any:
            return original(secret, request_id, now() + timedelta(days=1, minutes=1))

        ledger.access = a_day_later  # type: ignore[method-assign]
        refused = client.get("/api/cases", headers=bearer(secret))
        assert refused.status_code == 401 and "expired at" in refused.get_json()["detail"]
    finally:
        ledger.close()


def test_a_password_is_never_logged_stored_in_clear_or_returned(
    client: FlaskClient, ledger: CaseLedger, store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies = []
    admin = enrol(ledger, "admin", Role.ADMIN, "系统管理")
    new_user = {"username": "wang.clerk", "display_name": "王", "roles": ["clerk"], "units": ["受理窗口"]}
    bodies.append(client.post("/api/users", json=new_user, headers=bearer(admin)))
    bodies.append(client.post("/api/users/wang.clerk/password", json={"password": PASSWORD}, headers=bearer(admin)))
    signed = sign_in(client, "wang.clerk", PASSWORD)
    bodies += [signed, sign_in(client, "wang.clerk", NEW_PASSWORD), sign_in(client, "nobody", PASSWORD)]
    headers = bearer(signed.get_json()["token"])
    change = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    bodies += [client.post("/api/session/password", json=change, headers=headers)]
    bodies += [client.post("/api/session/password", json=change, headers=headers)]  # now a wrong old one
    bodies += [client.get("/api/session", headers=headers), client.get("/api/users", headers=bearer(admin))]
    for response in bodies:
        text = response.get_data(as_text=True)
        assert PASSWORD not in text and NEW_PASSWORD not in text, text
    assert PASSWORD not in caplog.text and NEW_PASSWORD not in caplog.text
    stored = _every_stored_text(ledger, store_url)
    assert "$argon2id$" in stored, "the hash is stored"
    assert PASSWORD not in stored and NEW_PASSWORD not in stored
    assert "argon2" not in _log_text(ledger), "no hash in the log either"


def _log_text(ledger: CaseLedger) -> str:
    notifications = ledger.recorder.select_notifications(start=None, limit=100_000)
    return "\n".join(n.state.decode("utf-8", "replace") for n in notifications)


def _every_stored_text(ledger: CaseLedger, store_url: str) -> str:
    """The log's events and every row of the credentials table, as text."""
    with ledger.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT * FROM credentials")
        rows = [str(dict(row)) for row in cursor.fetchall()]
    return _log_text(ledger) + "\n".join(rows)

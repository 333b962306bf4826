"""The caseledger command on both stores: init, users, tokens, demo data."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from application.config import Settings
from application.signin import SignInRefused
from bootstrap.ledger import build_ledger
from tests.support import CLERK, complainant, location
from tests.web.conftest import Run
from web.cli import main


def test_init_users_and_tokens(run: Run, store_url: str) -> None:
    assert run("db", "init")[0] == 0
    assert run("db", "init")[0] == 0
    code, out, _ = run("users", "add", "zhang", "--role", "supervisor", "--unit", "依法行政工作监督小组")
    assert code == 0 and "zhang" in out
    code, secret, err = run("tokens", "issue", "zhang", "--label", "desk")
    token_id = err.split("token id: ")[1].split()[0]
    ledger = build_ledger(Settings(database_url=store_url))
    assert ledger.authenticate(secret.strip()) is not None
    assert run("tokens", "revoke", token_id, "--reason", "换电脑")[0] == 0
    ledger.close()
    ledger = build_ledger(Settings(database_url=store_url))
    assert ledger.authenticate(secret.strip()) is None
    ledger.close()
    code, _, err = run("users", "add", "zhang", "--role", "clerk", "--unit", "受理窗口")
    assert code == 1 and "already exists" in err


def test_demo_load_fills_the_store(run: Run, store_url: str) -> None:
    code, out, _ = run("demo", "load", "--scale", "0.05")
    assert code == 0 and "complaint" in out
    tokens = dict(line.split() for line in out.split("demo users and their tokens")[1].splitlines()[2:])
    ledger = build_ledger(Settings(database_url=store_url))
    try:
        assert ledger.log_position() > 500
        roles = {user: ledger.authenticate(secret) for user, secret in tokens.items()}
        assert {user: None if a is None else a.role.code for user, a in roles.items()} == {
            "demo.clerk": "clerk",
            "demo.handler": "handler",
            "demo.supervisor": "supervisor",
            "demo.legal_reviewer": "legal_reviewer",
            "demo.discipline": "discipline",
            "demo.statistician": "statistician",
        }
    finally:
        ledger.close()


def test_demo_load_refuses_a_store_with_cases_unless_forced(run: Run, store_url: str) -> None:
    ledger = build_ledger(Settings(database_url=store_url))
    try:
        ledger.file_complaint(
            "real-1",
            CLERK,
            category="noise",
            channel="hotline",
            location=location(),
            description="夜间施工噪声",
            parties=[complainant()],
        )
        before = ledger.log_position()
        code, out, err = run("demo", "load", "--scale", "0.05")
        assert code == 1 and "already holds cases" in err and "--force" in err
        assert ledger.log_position() == before, "nothing written"
        code, out, _ = run("demo", "load", "--scale", "0.05", "--force")
        assert code == 0 and "demo.clerk" in out
        assert ledger.log_position() > before + 500
    finally:
        ledger.close()


def test_users_and_tokens_are_listed_and_named_by_what_was_typed(run: Run, store_url: str) -> None:
    run("users", "add", "zhang", "--role", "supervisor", "--unit", "依法行政工作监督小组", "--name", "张督办")
    run("users", "add", "li", "--role", "handler", "--unit", "城管执法中队")
    _, used, used_id = run("tokens", "issue", "zhang", "--label", "desk")
    _, unused, unused_id = run("tokens", "issue", "li", "--label", "手机", "--days", "30")
    used_id, unused_id = used_id.split()[-1], unused_id.split()[-1]
    run("tokens", "revoke", unused_id, "--reason", "丢失")
    ledger = build_ledger(Settings(database_url=store_url))
    assert ledger.authenticate(used.strip()) is not None
    ledger.close()
    for command in (("users", "deactivate", "nobody", "--reason", "x"), ("tokens", "issue", "nobody")):
        code, _, err = run(*command)
        assert code == 1 and "user 'nobody' not found" in err and "-" not in err.split("not found")[0], err

    code, out, _ = run("users", "list")
    assert code == 0
    assert [re.split(r"\s{2,}", line) for line in out.splitlines()] == [
        ["username", "office", "roles", "units", "name", "state"],
        ["zhang", "default", "supervisor", "依法行政工作监督小组", "张督办", "active"],
        ["li", "default", "handler", "城管执法中队", "li", "active"],
    ]
    code, listed, _ = run("tokens", "list")
    assert code == 0 and used.strip() not in listed and unused.strip() not in listed
    rows = [re.split(r"\s{2,}", line) for line in listed.splitlines()]
    assert rows[0] == ["id", "kind", "user", "label", "created", "last used", "expires", "revoked"]
    minute = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
    (zhang, li) = rows[1:]
    assert zhang[:4] == [used_id, "api", "zhang", "desk"] and minute.match(zhang[4]) and minute.match(zhang[5])
    assert minute.match(zhang[6]) and zhang[7] == "-", "used, expires (90 days by default), not revoked"
    assert li[:4] == [unused_id, "api", "li", "手机"] and li[5] == "-" and minute.match(li[6]) and li[7] == "revoked"
    assert run("tokens", "list", "--user", "li")[1].count("\n") == 2
    code, _, err = run("tokens", "list", "--user", "nobody")
    assert code == 1 and "user 'nobody' not found" in err


def test_projections_status_rebuild_and_run(run: Run, store_url: str) -> None:
    assert run("db", "init")[0] == 0
    run("users", "add", "li", "--role", "clerk", "--unit", "受理窗口")
    code, out, _ = run("projections", "status")
    assert code == 3 and "case_index: position 0" in out and "stale: never seen" in out, "nobody follows the log"
    code, out, _ = run("projections", "rebuild", "case_index")
    assert code == 0 and "case_index:" in out and "events in" in out
    code, out, _ = run("projections", "status")
    assert "case_index: position 1, log head 1, lag 0" in out
    code, _, err = run("projections", "rebuild", "nonsense")
    assert code == 2 and "unknown projection" in err


def test_the_first_administrators_are_made_at_the_shell_and_sign_in_with_a_password(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASELEDGER_DATABASE_URL", store_url)
    runner = CliRunner()
    initial = "Chu-Shi-Kou-1\nChu-Shi-Kou-1\n"
    added = runner.invoke(
        main,
        ["users", "add", "chen.sec", "--role", "security_admin", "--unit", "系统管理", "--initial-password-prompt"],
        input=initial,
        catch_exceptions=False,
    )
    assert added.exit_code == 0, added.output
    assert "Chu-Shi-Kou-1" not in added.output, "the prompt does not echo the password"
    refused = runner.invoke(main, ["tokens", "issue", "chen.sec"], catch_exceptions=False)
    assert refused.exit_code == 1 and "sign in" in refused.stderr, "administrators get no API token"
    ledger = build_ledger(Settings(database_url=store_url))
    try:
        session = ledger.sign_in("chen.sec", "Chu-Shi-Kou-1", "127.0.0.1")
        assert session.actor.role.code == "security_admin" and session.must_change_password
        for _ in range(5):
            with pytest.raises(SignInRefused):
                ledger.sign_in("chen.sec", "Wrong-Pass-1", "127.0.0.1")
        with pytest.raises(SignInRefused):
            ledger.sign_in("chen.sec", "Chu-Shi-Kou-1", "127.0.0.1")
    finally:
        ledger.close()
    unlocked = runner.invoke(main, ["users", "unlock", "chen.sec", "--reason", "本人确认"], catch_exceptions=False)
    assert unlocked.exit_code == 0 and "unlocked chen.sec" in unlocked.output
    listed = runner.invoke(main, ["users", "list"], catch_exceptions=False).output
    assert re.search(r"chen\.sec\s+default\s+security_admin\s+系统管理\s+chen\.sec\s+active", listed), listed
    roles = runner.invoke(
        main, ["users", "roles", "chen.sec", "--role", "audit_admin", "--reason", "调岗"], catch_exceptions=False
    )
    assert roles.exit_code == 0 and "now holds audit_admin" in roles.output
    ledger = build_ledger(Settings(database_url=store_url))
    try:
        assert ledger.sign_in("chen.sec", "Chu-Shi-Kou-1", "127.0.0.1").actor.role.code == "audit_admin"
    finally:
        ledger.close()

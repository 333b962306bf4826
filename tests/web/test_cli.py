"""The caseledger command on both stores: init, users, tokens, demo data."""

from __future__ import annotations

import re

from application.config import Settings
from bootstrap.ledger import build_ledger
from tests.support import CLERK, complainant, location
from tests.web.conftest import Run


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
            "demo.admin": "admin",
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
        ["username", "role", "unit", "name", "state"],
        ["zhang", "supervisor", "依法行政工作监督小组", "张督办", "active"],
        ["li", "handler", "城管执法中队", "li", "active"],
    ]
    code, listed, _ = run("tokens", "list")
    assert code == 0 and used.strip() not in listed and unused.strip() not in listed
    rows = [re.split(r"\s{2,}", line) for line in listed.splitlines()]
    assert rows[0] == ["id", "user", "label", "created", "last used", "expires", "revoked"]
    minute = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")
    (zhang, li) = rows[1:]
    assert zhang[:3] == [used_id, "zhang", "desk"] and minute.match(zhang[3]) and minute.match(zhang[4])
    assert zhang[5:] == ["-", "-"], "used, never expires, not revoked"
    assert li[:3] == [unused_id, "li", "手机"] and li[4] == "-" and minute.match(li[5]) and li[6] == "revoked"
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

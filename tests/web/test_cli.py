"""The caseledger command on both stores: init, users, tokens, demo data."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from application.config import Settings
from application.ledger import build_ledger
from web.cli import main


@pytest.fixture
def run(store_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CASELEDGER_DATABASE_URL", store_url)
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke


def test_init_users_and_tokens(run, store_url: str) -> None:  # type: ignore[no-untyped-def]
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


def test_demo_load_fills_the_store(run, store_url: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run("demo", "load", "--scale", "0.05")
    assert code == 0 and "complaint" in out
    ledger = build_ledger(Settings(database_url=store_url))
    assert ledger.log_position() > 500
    ledger.close()


def test_projections_status_rebuild_and_run(run, store_url: str) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "init")[0] == 0
    run("users", "add", "li", "--role", "clerk", "--unit", "受理窗口")
    code, out, _ = run("projections", "status")
    assert code == 0 and "case_index: position 0" in out
    code, out, _ = run("projections", "rebuild", "case_index")
    assert code == 0 and "case_index:" in out and "events in" in out
    code, out, _ = run("projections", "status")
    assert "lag 0" in out
    code, _, err = run("projections", "rebuild", "nonsense")
    assert code == 2 and "unknown projection" in err

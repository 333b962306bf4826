"""The command line's first-day errors: a store never initialised, a mistyped SQLite path, a PostgreSQL
server that cannot be used. Each is one line naming the cause and what to do, never a traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner

from web.cli import main

INIT = "run `caseledger db init`"


def _commands(tmp_path: Path) -> list[list[str]]:
    key = tmp_path / "committee.key"
    assert CliRunner().invoke(main, ["audit", "keygen", "--out", str(key)]).exit_code == 0
    return [
        ["projections", "status"],
        ["projections", "rebuild"],
        ["projections", "rebuild", "case_index"],
        ["audit", "verify"],
        ["audit", "checkpoint", "--key", str(key), "--out", str(tmp_path / "checkpoints")],
        ["users", "add", "li", "--role", "clerk", "--unit", "受理窗口"],
        ["tokens", "issue", "li"],
        ["identities", "erase", "p-1", "--reason", "依法删除"],
        ["demo", "load", "--scale", "0.01"],
        ["serve"],
    ]


def _run(url: str, args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env={"CASELEDGER_DATABASE_URL": url}, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(params=["sqlite", "postgres"])
def never_initialised(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store that exists but was never initialised: an empty SQLite file, an empty PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "empty.sqlite3"
        path.touch()
        yield f"sqlite:///{path}"
    else:
        yield request.getfixturevalue("fresh_postgres_url")


def test_every_command_on_a_never_initialised_store_says_run_db_init(never_initialised: str, tmp_path: Path) -> None:
    for args in _commands(tmp_path):
        code, output = _run(never_initialised, args)
        assert code == 1, (args, output)
        assert INIT in output and "Traceback" not in output and len(output.splitlines()) == 1, (args, output)
    assert _run(never_initialised, ["db", "init"])[0] == 0
    assert _run(never_initialised, ["users", "add", "li", "--role", "clerk", "--unit", "受理窗口"])[0] == 0


def test_a_mistyped_sqlite_path_is_refused_and_never_created(tmp_path: Path) -> None:
    path = tmp_path / "ledgr.sqlite3"
    for args in _commands(tmp_path):
        code, output = _run(f"sqlite:///{path}", args)
        assert code == 1 and f"there is no store at {path}" in output and "caseledger db init" in output, (args, output)
        assert not path.exists(), f"{args} created {path}"
    assert _run(f"sqlite:///{path}", ["db", "init"])[0] == 0 and path.exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _misconfigured(url: str, part: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if part == "database":
        return urlunsplit(parts._replace(path="/caseledger_nosuch")), 'database "caseledger_nosuch" does not exist'
    if part == "role":
        netloc = f"caseledger_nosuch@{host}:{port}"
        return urlunsplit(parts._replace(netloc=netloc)), 'role "caseledger_nosuch" does not exist'
    netloc = f"{parts.username}@127.0.0.1:{_free_port()}"
    return urlunsplit(parts._replace(netloc=netloc)), "Connection refused"


@pytest.mark.parametrize("part", ["database", "role", "port"])
def test_a_postgres_misconfiguration_says_which_it_is(postgres_server: str, part: str) -> None:
    url, cause = _misconfigured(postgres_server, part)
    for args in (["users", "add", "li", "--role", "clerk", "--unit", "受理窗口"], ["projections", "status"]):
        code, output = _run(url, args)
        assert code == 1 and cause in output and "Traceback" not in output, (args, output)
    code, output = _run(url, ["audit", "verify"])
    assert code == 1 and cause in output, output

"""The production layout of docs/audit.md on a fresh PostgreSQL database: an owner role and a service
role, each command run as the role the docs name, as real ``caseledger`` processes."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from bench.common import Server, caseledger_executable
from tests.web.conftest import COMPLAINT
from tests.web.test_serve_supervision import _call, _until

INITIAL, CHOSEN = "Chu-Shi-Kou-1", "Zi-Ji-De-2"


@dataclass(frozen=True)
class Layout:
    owner: dict[str, str]
    service: dict[str, str]
    admin: str
    """The superuser's URL of the database, to look at its pages."""


def _as(url: str, role: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}", path=f"/{database}"))


@pytest.fixture
def layout(postgres_server: str) -> Iterator[Layout]:
    """The superuser's part of docs/audit.md, verbatim but for the names; everything dropped afterwards."""
    suffix = uuid4().hex[:8]
    owner, service, database = f"caseledger_owner_{suffix}", f"caseledger_app_{suffix}", f"caseledger_{suffix}"
    o, a, d = sql.Identifier(owner), sql.Identifier(service), sql.Identifier(database)
    with psycopg.connect(postgres_server, autocommit=True) as su:
        su.execute(sql.SQL("CREATE ROLE {} LOGIN").format(o))
        su.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT").format(a))
        su.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(d, o))
        su.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(d))
        su.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(d, a))
    admin = _as(postgres_server, urlsplit(postgres_server).username or "postgres", database)
    with psycopg.connect(admin, autocommit=True) as su:
        su.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    env = dict(os.environ)
    try:
        yield Layout(
            env | {"CASELEDGER_DATABASE_URL": _as(postgres_server, owner, database)},
            env | {"CASELEDGER_DATABASE_URL": _as(postgres_server, service, database)},
            admin,
        )
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as su:
            su.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(d))
            su.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(a))
            su.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(o))


def _exec(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [caseledger_executable(), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def _run(env: dict[str, str], *args: str) -> str:
    done = _exec(env, *args)
    assert done.returncode == 0, f"caseledger {' '.join(args)} as {env['CASELEDGER_DATABASE_URL']}: {done.stderr}"
    return done.stdout


def _signed_in(port: int, username: str, initial: str, chosen: str) -> str:
    """A session of ``username``, signed in with the initial password and past changing it to ``chosen``."""
    status, session = _call(port, "/api/session", "", {"username": username, "password": initial})
    assert status == 201 and session["password_change_required"], session
    change = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/session/password",
        method="POST",
        data=json.dumps({"old_password": initial, "new_password": chosen}).encode(),
        headers={"Authorization": f"Bearer {session['token']}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(change, timeout=10) as response:
        assert response.status == 204
    token: str = session["token"]
    return token


def _key_in_pages(admin: str, person: str) -> tuple[bytes, bytes]:
    """The identity key of ``person`` (empty once erased) and the keys table's pages, read by the superuser."""
    with psycopg.connect(admin, autocommit=True) as su:
        su.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        pages = su.execute(
            "SELECT get_raw_page('caseledger_identity_keys', n) FROM generate_series(0,"
            " (pg_relation_size('caseledger_identity_keys') / 8192)::int - 1) AS n"
        ).fetchall()
        row = su.execute("SELECT key FROM caseledger_identity_keys WHERE person_id = %s", (person,)).fetchone()
    data = b"".join(bytes(p[0]) for p in pages)
    return (bytes(row[0]) if row else b""), data


def test_the_documented_role_layout_runs_every_command(layout: Layout, tmp_path: Path) -> None:
    owner, service = layout.owner, layout.service
    _run(owner, "db", "init")
    _run(owner, "db", "grant-service-role", urlsplit(service["CASELEDGER_DATABASE_URL"]).username or "")

    _run(service, "users", "add", "li", "--role", "clerk", "--unit", "受理窗口")
    adding = ["users", "add", "root", "--role", "security_admin", "--unit", "系统管理", "--initial-password-prompt"]
    made = subprocess.run(
        [caseledger_executable(), *adding],
        env=service,
        input=f"{INITIAL}\n{INITIAL}\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    clerk = _run(service, "tokens", "issue", "li").strip()
    follower = subprocess.Popen(
        [caseledger_executable(), "projections", "run"], env=service, stderr=subprocess.PIPE, text=True
    )
    try:
        with Server(service, workers=1, threads=2, log_path=tmp_path / "serve.log") as server:
            status, filed = _call(server.port, "/api/complaints", clerk, COMPLAINT, "roles-1")
            assert status == 201, filed
            listed = f"/api/cases?min_position={filed['position']}"
            _until("the service role's follower lists the case", lambda: _call(server.port, listed, clerk)[0] == 200)
            _until(
                "status says following",
                lambda: _exec(service, "projections", "status").returncode == 0,
            )

            key = tmp_path / "committee.key"
            _run(service, "audit", "keygen", "--out", str(key))
            _run(service, "audit", "checkpoint", "--key", str(key), "--out", str(tmp_path / "checkpoints"))
            assert _run(service, "audit", "verify", "--public-key", f"{key}.pub").startswith("OK: ")

            rebuilt = _run(owner, "projections", "rebuild")
            assert "case_index:" in rebuilt
            status, page = _call(server.port, "/api/cases", clerk)
            assert status == 200 and page["total"] == 1, page
            status, again = _call(
                server.port, "/api/complaints", clerk, COMPLAINT | {"description": "又一起"}, "roles-2"
            )
            assert status == 201, again
            listed = f"/api/cases?min_position={again['position']}"
            _until("the follower goes on after the rebuild", lambda: _call(server.port, listed, clerk)[0] == 200)

            admin = _signed_in(server.port, "root", INITIAL, CHOSEN)
            person = _call(server.port, f"/api/cases/{filed['id']}", clerk)[1]["parties"][0]["party_id"]
            other = _call(server.port, f"/api/cases/{again['id']}", clerk)[1]["parties"][0]["party_id"]
            erased_key, pages = _key_in_pages(layout.admin, person)
            assert erased_key and erased_key in pages
            status, body = _call(server.port, f"/api/audit/identities/{person}/erasure", admin, {"reason": "依法删除"})
            assert status == 200, body
            other_key, _ = _key_in_pages(layout.admin, other)
            assert "erased" in _run(service, "identities", "erase", other, "--reason", "依法删除")
            assert "purged" in _run(service, "identities", "purge")
            _, pages = _key_in_pages(layout.admin, person)
            assert erased_key not in pages and other_key not in pages, "an erased key is still in the table's pages"
            assert _call(server.port, "/health", clerk)[1]["status"] == "ok"
    finally:
        follower.terminate()
        _, errors = follower.communicate(timeout=30)
    assert "permission denied" not in errors, errors

"""Staleness is seen: ``/health``, ``/api/health`` and ``projections status`` say which projection no
follower keeps up and how far behind it is, on both stores."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from flask import Flask

from application.config import Settings
from bootstrap.ledger import build_ledger
from bootstrap.read_side import open_read_store
from tests.web.conftest import COMPLAINT, ROOT, ROOT_SECURITY, Api
from web.app import create_app
from web.cli import main
from web.read_models import close_read_models, read_models


@pytest.fixture
def web(store_url: str) -> Iterator[Api]:
    """The API on a store set up as ``caseledger db init`` leaves it, with one clerk."""
    assert CliRunner().invoke(main, ["db", "init"], env={"CASELEDGER_DATABASE_URL": store_url}).exit_code == 0
    ledger = build_ledger(Settings(database_url=store_url))
    app: Flask = create_app(ledger, {"TESTING": True})
    ledger.add_user(ROOT, "clerk", "clerk", "clerk", "受理窗口")
    yield Api(app.test_client(), {"clerk": ledger.issue_token(ROOT_SECURITY, "clerk", "t")[1]}, ledger)
    close_read_models(app)
    ledger.close()


def _follow_once(app: Flask) -> None:
    """What a follower does in one turn of its loop: apply the log, then say it has caught up."""
    with app.app_context():
        for runner in read_models().runners.values():
            runner.run_once()
            runner.beat()


def _age_heartbeats(url: str, seconds: int) -> None:
    """Make every follower's last heartbeat ``seconds`` older, as if it had stopped that long ago."""
    store = open_read_store(Settings(database_url=url))
    with store.transaction() as cursor:
        cursor.execute("UPDATE projection_followers SET seen_at = seen_at - %s", (seconds,))
    store.close()


def _status(url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["projections", "status"], env={"CASELEDGER_DATABASE_URL": url})
    return result.exit_code, result.output


def test_a_follower_not_seen_is_reported_with_how_far_behind(web: Api, store_url: str) -> None:
    app = web.client.application
    first = web.call("clerk", "POST", "/api/complaints", COMPLAINT, {"Idempotency-Key": "f-1"}).get_json()
    never = web.call(None, "GET", "/api/health")
    assert never.status_code == 200 and never.get_json()["status"] == "degraded", "nobody follows the log yet"
    assert {p["state"] for p in never.get_json()["projections"]} == {"stale"}

    _follow_once(app)
    for path in ("/health", "/api/health"):
        body = web.call(None, "GET", path).get_json()
        assert body["status"] == "ok", body
        assert [(p["name"], p["state"], p["behind"]) for p in body["projections"]] == [
            ("case_index", "following", 0),
            ("ruling_index", "following", 0),
            ("statistics", "following", 0),
        ]
    assert _status(store_url)[0] == 0

    more = COMPLAINT | {"description": "又一起占道经营"}
    second = web.call("clerk", "POST", "/api/complaints", more, {"Idempotency-Key": "f-2"})
    behind = second.get_json()["position"] - first["position"]
    _age_heartbeats(store_url, 40)  # the follower stopped 40 s ago: nothing applied since
    response = web.call(None, "GET", "/health")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "degraded", body
    case_index = body["projections"][0]
    assert (case_index["name"], case_index["state"], case_index["behind"]) == ("case_index", "stale", behind)
    assert 40 <= case_index["seen_seconds_ago"] < 60 and "caseledger projections run" in case_index["detail"]

    code, output = _status(store_url)
    assert code == 3, output
    line = output.splitlines()[0]
    assert line.startswith(f"case_index: position {first['position']}, log head {second.get_json()['position']}")
    assert f"lag {behind} (stale: last caught up 4" in line, line

    _follow_once(app)
    assert web.call(None, "GET", "/health").get_json()["status"] == "ok", "a follower that catches up is current again"

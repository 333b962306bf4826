"""Every role × every read path: the status each gets, and whether it shows a case's free text and its
protected identities, written by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from bootstrap.ledger import build_ledger
from tests.web.conftest import COMPLAINT, OWN_UNIT, Api, fast_settings, ruling_and_clearing, users_api
from tests.web.test_duties import PEOPLE_ROUTES
from tests.web.test_permission_matrix import (
    COLUMNS,
    FILINGS,
    REGISTER_CELLS,
    REGISTER_PATHS,
    REGISTRATIONS,
    ROUTES,
    register_target,
)
from web.app import create_app
from web.auth import PUBLIC_PREFIXES
from web.read_models import close_read_models, read_models

NAME = COMPLAINT["parties"][0]["name"]  # the complainant: a protected identity
HANDLED = COMPLAINT["description"]
SUMMARY = "王秀兰所述属实"
UNHANDLED = "夜间施工噪声，影响救护车通行"
YEAR = 2025


@dataclass
class World:
    app: Flask
    api: Api
    handled: str  # a complaint dispatched to OWN_UNIT and investigated there
    unhandled: str  # a complaint only registered: no unit handles it yet
    ruling: str
    clearing: str


@pytest.fixture(scope="module")
def world(module_store_url: str) -> Iterator[World]:
    ledger = build_ledger(fast_settings(module_store_url))
    app = create_app(ledger, {"TESTING": True, "FAILED_AUTH_PER_MINUTE": 100_000})
    api = users_api(app)
    handled = _file(api, COMPLAINT)
    assert api.act("supervisor", f"/api/complaints/{handled}/accept", 1).status_code == 200
    assert api.act("supervisor", f"/api/complaints/{handled}/dispatch", 2, {"lead_unit": OWN_UNIT}).status_code == 200
    body = {"finding": "substantiated", "summary": SUMMARY}
    assert api.act("handler", f"/api/complaints/{handled}/investigate", 3, body).status_code == 200
    unhandled = _file(api, COMPLAINT | {"description": UNHANDLED})
    ruling, clearing = ruling_and_clearing(ledger)
    for register, path in REGISTER_PATHS.items():
        register_target(ledger, register, path)
    with app.app_context():
        for runner in read_models().runners.values():
            runner.run_once()
    yield World(app, api, handled, unhandled, str(ruling), str(clearing))
    close_read_models(app)
    ledger.close()


def _file(api: Api, body: dict[str, Any]) -> str:
    response = api.call("clerk", "POST", "/api/complaints", body)
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["id"])


def _period() -> str:
    now = datetime.now(UTC)
    return urlencode({"since": (now - timedelta(hours=1)).isoformat(), "until": (now + timedelta(hours=1)).isoformat()})


# One row per read path: the path (from the world's records) and the status of each user, in the order
# of COLUMNS. Written by hand from the roles' duties, not computed from the permission table.
# The security and the audit administrators read no case (三员分立: their duties need none); the audit
# administrator reads the audit trail with the discipline committee.
ALL = (200, 200, 200, 200, 200, 200, 200, 200, 403, 403)
DISCIPLINE_ONLY = (403, 403, 403, 403, 403, 200, 403, 403, 403, 403)
DISCIPLINE_FINDS_NONE = (403, 403, 403, 403, 403, 404, 403, 403, 403, 403)
AUDIT_TRAIL = (403, 403, 403, 403, 403, 200, 403, 403, 403, 200)
EVERY_ROLE = (200, 200, 200, 200, 200, 200, 200, 200, 200, 200)  # the registers, and one's own session
NOWHERE = str(uuid4())
READS: dict[str, tuple[Callable[[World], str], tuple[int, ...]]] = {
    # read path: (path, statuses of (clerk, handler, other_handler, supervisor, legal, discipline, statistician,
    #                               admin, security, audit))
    "case": (lambda w: f"/api/cases/{w.handled}", ALL),
    "no case": (lambda w: f"/api/cases/{NOWHERE}", (404, 404, 404, 404, 404, 404, 404, 404, 403, 403)),
    "history": (lambda w: f"/api/cases/{w.handled}/history", (200, 200, 200, 200, 200, 200, 403, 200, 403, 403)),
    "history of no case": (
        lambda w: f"/api/cases/{NOWHERE}/history",
        (404, 404, 404, 404, 404, 404, 403, 404, 403, 403),
    ),
    "case list": (lambda w: "/api/cases?per_page=200", ALL),
    "search": (lambda w: f"/api/cases?{urlencode({'text': '救护车'})}", ALL),
    "intake queue": (lambda w: "/api/queues/intake?per_page=200", ALL),
    "my unit's queue": (lambda w: "/api/queues/my_unit", ALL),
    "a unit's queue": (
        lambda w: f"/api/queues/my_unit?{urlencode({'unit': OWN_UNIT})}",
        (200, 200, 403, 200, 200, 200, 200, 200, 403, 403),
    ),
    "rulings queue": (lambda w: "/api/queues/rulings_pending", DISCIPLINE_ONLY),
    "statistics": (lambda w: f"/api/statistics?year={YEAR}&group_by=unit", ALL),
    "report": (lambda w: f"/api/reports/{YEAR}.json", ALL),
    "report as CSV": (lambda w: f"/api/reports/{YEAR}.csv", ALL),
    "report as a page": (lambda w: f"/api/reports/{YEAR}.html", ALL),
    "ruling": (lambda w: f"/api/rulings/{w.ruling}", DISCIPLINE_ONLY),
    "no ruling": (lambda w: f"/api/rulings/{NOWHERE}", DISCIPLINE_FINDS_NONE),
    "ruling history": (lambda w: f"/api/rulings/{w.ruling}/history", DISCIPLINE_ONLY),
    "history of no ruling": (lambda w: f"/api/rulings/{NOWHERE}/history", DISCIPLINE_FINDS_NONE),
    "clearing": (lambda w: f"/api/clearings/{w.clearing}", DISCIPLINE_ONLY),
    "no clearing": (lambda w: f"/api/clearings/{NOWHERE}", DISCIPLINE_FINDS_NONE),
    "clearing history": (lambda w: f"/api/clearings/{w.clearing}/history", DISCIPLINE_ONLY),
    "history of no clearing": (lambda w: f"/api/clearings/{NOWHERE}/history", DISCIPLINE_FINDS_NONE),
    "a user's activity": (lambda w: f"/api/audit/users/clerk/activity?{_period()}", AUDIT_TRAIL),
    "ruling register": (lambda w: "/api/audit/rulings?cadre_id=cadre-7", DISCIPLINE_ONLY),
    "clearing register": (lambda w: "/api/audit/clearings", DISCIPLINE_ONLY),
    "chain status": (lambda w: "/api/audit/chain", AUDIT_TRAIL),
    "evidence export": (lambda w: f"/api/audit/cases/{w.handled}/evidence", DISCIPLINE_ONLY),
    "evidence of no case": (lambda w: f"/api/audit/cases/{NOWHERE}/evidence", DISCIPLINE_FINDS_NONE),
    "identity readings": (lambda w: f"/api/audit/cases/{w.handled}/identity-readings", AUDIT_TRAIL),
    "own session": (lambda w: "/api/session", EVERY_ROLE),
    "offices": (lambda w: "/api/offices?text=西湖", EVERY_ROLE),
    "office": (lambda w: "/api/offices/xihu", EVERY_ROLE),
    "office history": (lambda w: "/api/offices/xihu/history", EVERY_ROLE),
    "no office": (lambda w: "/api/offices/nowhere", (404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "units": (lambda w: "/api/offices/xihu/units?kind=enforcement_squad", EVERY_ROLE),
    "unit": (lambda w: "/api/offices/xihu/units/cgzd", EVERY_ROLE),
    "unit history": (lambda w: "/api/offices/xihu/units/cgzd/history", EVERY_ROLE),
    "no unit": (lambda w: "/api/offices/xihu/units/nowhere", (404, 404, 404, 404, 404, 404, 404, 404, 404, 404)),
    "places": (lambda w: "/api/offices/xihu/places?kind=village", EVERY_ROLE),
    "place": (lambda w: "/api/offices/xihu/places/donghu", EVERY_ROLE),
    "place history": (lambda w: "/api/offices/xihu/places/donghu/history", EVERY_ROLE),
    "complaint categories": (lambda w: "/api/offices/xihu/complaint-categories", EVERY_ROLE),
    "complaint categories: one": (lambda w: "/api/offices/xihu/complaint-categories/noise", EVERY_ROLE),
    "complaint categories: its history": (
        lambda w: "/api/offices/xihu/complaint-categories/noise/history",
        EVERY_ROLE,
    ),
    "dispute categories": (lambda w: "/api/offices/xihu/dispute-categories", EVERY_ROLE),
    "dispute categories: one": (lambda w: "/api/offices/xihu/dispute-categories/noise", EVERY_ROLE),
    "dispute categories: its history": (lambda w: "/api/offices/xihu/dispute-categories/noise/history", EVERY_ROLE),
    "enforcement categories": (lambda w: "/api/offices/xihu/enforcement-categories", EVERY_ROLE),
    "enforcement categories: one": (lambda w: "/api/offices/xihu/enforcement-categories/noise", EVERY_ROLE),
    "enforcement categories: its history": (
        lambda w: "/api/offices/xihu/enforcement-categories/noise/history",
        EVERY_ROLE,
    ),
}


def _read(world: World, name: str) -> dict[str, TestResponse]:
    path, _ = READS[name]
    return {user: world.api.call(user, "GET", path(world)) for user in COLUMNS}


@pytest.mark.parametrize("name", list(READS))
def test_every_role_on_every_read_path(world: World, name: str) -> None:
    _, statuses = READS[name]
    got = _read(world, name)
    assert tuple(got[user].status_code for user in COLUMNS) == statuses, {u: r.get_json() for u, r in got.items()}
    for user, response in got.items():
        if response.status_code != 200:
            assert response.content_type == "application/problem+json", (user, name)


# Whether each user reads the free text (descriptions, summaries) and the protected identities of the
# complaint dispatched to OWN_UNIT, and the free text of the one no unit handles yet: True shown,
# False left out or masked, None where the read is refused.
#                                    (clerk, handler, other_handler, supervisor, legal_reviewer, discipline,
#                                     statistician, admin, security, audit)
FREE_TEXT_OF_THE_HANDLED_CASE = (True, True, False, True, True, True, False, True, None, None)
FREE_TEXT_OF_THE_UNHANDLED_CASE = (True, False, False, True, True, True, False, True, None, None)
IDENTITY_IN_THE_CASE_VIEW = (True, True, False, False, False, False, False, False, None, None)


def _items(response: TestResponse) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in response.get_json()["items"]}


def _refused(response: TestResponse) -> bool:
    return response.status_code == 403


def test_a_case_view_shows_free_text_and_identities_only_to_those_who_may_read_them(world: World) -> None:
    got = _read(world, "case")
    shown = tuple(None if _refused(got[user]) else "description" in got[user].get_json() for user in COLUMNS)
    assert shown == FREE_TEXT_OF_THE_HANDLED_CASE
    for user, may in zip(COLUMNS, shown, strict=True):
        assert (HANDLED in got[user].get_data(as_text=True)) is bool(may), user
    names = tuple(
        None if _refused(got[user]) else got[user].get_json()["parties"][0]["name"] == NAME for user in COLUMNS
    )
    assert names == IDENTITY_IN_THE_CASE_VIEW
    for user, may in zip(COLUMNS, names, strict=True):
        assert may or NAME not in got[user].get_data(as_text=True), user


def test_a_history_shows_free_text_and_identities_only_to_those_who_may_read_them(world: World) -> None:
    got = _read(world, "history")
    readable = {user: response.get_data(as_text=True) for user, response in got.items() if response.status_code == 200}
    free_text = tuple(
        None if user not in readable else (HANDLED in readable[user] and SUMMARY in readable[user]) for user in COLUMNS
    )
    assert free_text == (True, True, False, True, True, True, None, True, None, None)
    masked = tuple(None if user not in readable else HANDLED not in readable[user] for user in COLUMNS)
    assert masked == (False, False, True, False, False, False, None, False, None, None), "no free text, or all"
    names = tuple(
        None if user not in readable else got[user].get_json()[0]["data"]["parties"][0]["name"] == NAME
        for user in COLUMNS
    )
    assert names == (True, True, False, False, False, False, None, False, None, None)


@pytest.mark.parametrize("name", ["case list", "intake queue"])
def test_a_list_shows_descriptions_only_to_those_who_may_read_them(world: World, name: str) -> None:
    got = {user: None if _refused(r) else _items(r) for user, r in _read(world, name).items()}
    unhandled = tuple(None if (items := got[u]) is None else "description" in items[world.unhandled] for u in COLUMNS)
    assert unhandled == FREE_TEXT_OF_THE_UNHANDLED_CASE
    if name == "case list":
        handled = tuple(None if (items := got[u]) is None else "description" in items[world.handled] for u in COLUMNS)
        assert handled == FREE_TEXT_OF_THE_HANDLED_CASE
    else:
        assert all(world.handled not in (got[user] or {}) for user in COLUMNS), "accepted: no longer in intake"


def test_a_unit_s_queue_shows_descriptions_only_to_those_who_may_read_them(world: World) -> None:
    got = _read(world, "a unit's queue")
    shown = tuple(
        None if got[user].status_code != 200 else "description" in _items(got[user])[world.handled] for user in COLUMNS
    )
    assert shown == (True, True, None, True, True, True, False, True, None, None)
    queues = _read(world, "my unit's queue")
    mine = tuple(None if _refused(queues[user]) else queues[user].get_json()["total"] for user in COLUMNS)
    assert mine == (0, 1, 0, 0, 0, 0, 0, 0, None, None), "each caller's own unit by default"


def test_a_search_matches_only_descriptions_the_caller_may_read(world: World) -> None:
    got = {user: None if _refused(r) else set(_items(r)) for user, r in _read(world, "search").items()}
    both, handled = {world.handled, world.unhandled}, {world.handled}
    assert tuple(got[user] for user in COLUMNS) == (both, handled, set(), both, both, both, set(), both, None, None)


@pytest.mark.parametrize("name", [n for n in READS if n not in {"case", "history"}])
def test_no_other_read_path_shows_a_protected_identity(world: World, name: str) -> None:
    for user, response in _read(world, name).items():
        assert NAME not in response.get_data(as_text=True), (user, name)


def test_reading_the_identities_needs_a_reader_the_law_allows(world: World) -> None:
    def statuses(case_id: str) -> tuple[int, ...]:
        path = f"/api/audit/cases/{case_id}/identities"
        return tuple(world.api.call(user, "POST", path, {"reason": "核查"}).status_code for user in COLUMNS)

    # (clerk, handler, other_handler, supervisor, legal, discipline, statistician, admin, security, audit)
    assert statuses(world.handled) == (200, 200, 403, 403, 403, 200, 403, 403, 403, 403)
    assert statuses(NOWHERE) == (404, 404, 404, 403, 403, 404, 403, 403, 403, 403)


def test_everyone_may_change_their_own_password_and_sign_out_only_a_session(world: World) -> None:
    # A wrong current password is refused (422) whoever asks; signing out with an API token is refused (422),
    # and the administrators' sessions signing out are in tests/web/test_signin.py.
    wrong = {"old_password": "not-the-password", "new_password": "Another-Pass-3"}
    changes = tuple(world.api.call(user, "POST", "/api/session/password", wrong).status_code for user in COLUMNS)
    assert changes == (422, 422, 422, 422, 422, 422, 422, 422, 422, 422)
    # (clerk, handler, other_handler, supervisor, legal, discipline, statistician): API tokens
    signing_out = tuple(world.api.call(user, "DELETE", "/api/session").status_code for user in COLUMNS[:7])
    assert signing_out == (422, 422, 422, 422, 422, 422, 422)


def test_every_authenticated_route_is_in_a_matrix(world: World) -> None:
    """A new route needs its cells here or in the write-side matrix (tests/web/test_permission_matrix.py)."""
    adapter = world.app.url_map.bind("test")
    record = str(uuid4())
    written = [
        *(("POST", f"/api/{resource}/{record}/{action.path}") for resource, action in ROUTES),
        *(("POST", f"/api/{resource}") for resource, _, _ in FILINGS),
        ("POST", "/api/rulings"),
        ("POST", "/api/clearings"),
        ("POST", f"/api/rulings/{record}/review"),
        ("POST", f"/api/audit/cases/{record}/identities"),
        ("POST", "/api/audit/identities/someone/erasure"),
        *(("POST", f"{REGISTER_PATHS[r.split('/')[0]]}/{r.split('/')[1]}") for r in REGISTER_CELLS),
        *(("POST", path) for path in REGISTRATIONS),
        ("POST", "/api/session"),
        ("POST", "/api/session/password"),
        ("DELETE", "/api/session"),
        *((method, path) for method, path, _ in PEOPLE_ROUTES.values()),  # cells in tests/web/test_duties.py
    ]
    read = [("GET", path(world).partition("?")[0]) for path, _ in READS.values()]
    covered = {adapter.match(path, method)[0] for method, path in written + read}
    routes = {
        rule.endpoint
        for rule in world.app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and not rule.rule.startswith(PUBLIC_PREFIXES)
    }
    assert routes - covered == set()

"""Users and tokens recorded before offices, several roles and units, and token expiry existed still load
and work, on both stores: their events lack the new attributes, which take their defaults."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from eventsourcing.domain import Aggregate

from application.accounts import token_hash
from application.ledger import CaseLedger
from domain.accounts import AccessToken, User, user_id_for
from domain.actor import Actor, Role
from tests.web.conftest import ROOT_SECURITY

OLD_ADMIN = Actor("root-admin", Role.ADMIN, "管理员")


def record_as_before(ledger: CaseLedger, aggregate: Aggregate, *missing: str) -> None:
    """Store ``aggregate``'s pending events as an older version wrote them: without ``missing`` attributes
    (nor the actor's office)."""
    events = aggregate.collect_events()
    for event in events:
        for name in missing:
            event.__dict__.pop(name)
    stored = [ledger.mapper.to_stored_event(event) for event in events]
    older = [replace(item, state=item.state.replace(b',"office":"default"', b"")) for item in stored]
    assert all(b'"office"' not in item.state for item in older)
    ledger.recorder.insert_events(older)


def test_a_user_and_a_token_recorded_before_this_version_load_and_authenticate(ledger: CaseLedger) -> None:
    at = datetime.now(UTC)
    user = User(
        username="old.clerk",
        display_name="老受理",
        role=Role.CLERK,
        unit="受理窗口",
        actor=OLD_ADMIN,
        at=at,
        office="default",
        roles=(),
        units=(),
        active_from=None,
        active_to=None,
    )
    record_as_before(ledger, user, "office", "roles", "units", "active_from", "active_to")
    token = AccessToken(
        token_hash=token_hash("old-secret"),
        username="old.clerk",
        label="desk",
        expires_at=None,
        actor=OLD_ADMIN,
        at=at,
        kind="api",
        role=None,
        unit=None,
    )
    record_as_before(ledger, token, "kind", "role", "unit")

    loaded = ledger.load(User, user_id_for("old.clerk"), "user")
    assert (loaded.office, loaded.roles, loaded.units, loaded.active_from) == (
        "default",
        (Role.CLERK,),
        ("受理窗口",),
        at,
    )
    actor = ledger.authenticate("old-secret")
    assert actor == Actor("old.clerk", Role.CLERK, "受理窗口", office="default")
    (listed,) = ledger.read_tokens(ROOT_SECURITY, "old.clerk")
    assert (listed.kind, listed.expires_at) == ("api", None), "an old token keeps working without expiry"
    history = ledger.events_of(loaded.id)
    assert history[0].actor == OLD_ADMIN

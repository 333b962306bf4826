"""Print the secret of a signed-in session of a new system administrator on the store the environment
names (administrators get no API tokens: they sign in, having changed their initial password)."""

from __future__ import annotations

import sys

from bootstrap.ledger import build_ledger
from domain.actor import Actor, Role

SYSTEM = Actor("fuzz-bootstrap", Role.ADMIN, "系统管理")
SECURITY = Actor("fuzz-bootstrap-security", Role.SECURITY_ADMIN, "系统管理")
INITIAL, CHOSEN = "Fuzz-Initial-1", "Fuzz-Chosen-2"


def main(username: str) -> None:
    ledger = build_ledger()
    ledger.add_user(SYSTEM, username, username, [], "系统管理")
    ledger.change_user_roles(SECURITY, username, [Role.ADMIN], "fuzz")
    ledger.set_password(SYSTEM, username, INITIAL)
    session = ledger.sign_in(username, INITIAL, "127.0.0.1")
    ledger.change_own_password(session.actor, INITIAL, CHOSEN)
    print(session.secret)
    ledger.close()


if __name__ == "__main__":
    main(sys.argv[1])

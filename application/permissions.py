"""Who may do what, and who sees what: every permission and visibility rule of the ledger.

One declarative table of role × action (an action is the name of a use case, a method of
:class:`application.ledger.CaseLedger`, or one of the reads below), and the rules beyond it: a handler
acts only on cases whose handling units include their own; which action reads each kind of record;
who reads which work queue; who sees a case's protected identities and its free text; and what a
correction by someone who sees only masks may change. Every read path and every use case asks here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from application.errors import Forbidden
from domain.actor import Actor, Role
from domain.case import Case
from domain.clearing import Clearing
from domain.registers.entry import RegisterEntry
from domain.tolerance import ToleranceRuling
from domain.values import Party

CLERK, HANDLER, SUPERVISOR, LEGAL, DISCIPLINE, STATISTICIAN, ADMIN = (
    Role.CLERK,
    Role.HANDLER,
    Role.SUPERVISOR,
    Role.LEGAL_REVIEWER,
    Role.DISCIPLINE,
    Role.STATISTICIAN,
    Role.ADMIN,
)
SECURITY_ADMIN, AUDIT_ADMIN = Role.SECURITY_ADMIN, Role.AUDIT_ADMIN
EVERYONE = frozenset(Role)
CASEWORK = EVERYONE - {SECURITY_ADMIN, AUDIT_ADMIN}
"""Every role that reads cases: all but the security and the audit administrators, whose duties (roles
and keys; the audit trail) need no case's content."""


@dataclass(frozen=True)
class Permission:
    """The roles allowed an action; ``unit_bound`` roles only on cases their unit handles."""

    roles: frozenset[Role]
    unit_bound: frozenset[Role] = frozenset()


def _p(*roles: Role, unit_bound: tuple[Role, ...] = ()) -> Permission:
    return Permission(frozenset(roles), frozenset(unit_bound))


_HANDLER_ON_OWN = (HANDLER,)

PERMISSIONS: dict[str, Permission] = {
    # reads
    "read_case": Permission(CASEWORK),
    "read_history": _p(CLERK, HANDLER, SUPERVISOR, LEGAL, DISCIPLINE, ADMIN),
    "list_cases": Permission(CASEWORK),
    "read_queue": Permission(CASEWORK),
    "read_statistics": Permission(CASEWORK),
    "read_report": Permission(CASEWORK),
    # shared by every kind of case
    "supervise": _p(SUPERVISOR),
    "remind": _p(SUPERVISOR),
    "link_cases": _p(CLERK, SUPERVISOR, HANDLER, unit_bound=_HANDLER_ON_OWN),
    "correct_case": _p(CLERK, SUPERVISOR),
    "pause_clock": _p(SUPERVISOR, HANDLER, unit_bound=_HANDLER_ON_OWN),
    "resume_clock": _p(SUPERVISOR, HANDLER, unit_bound=_HANDLER_ON_OWN),
    "extend_deadline": _p(SUPERVISOR),
    # complaints
    "file_complaint": _p(CLERK),
    "accept_complaint": _p(SUPERVISOR),
    "refuse_complaint": _p(SUPERVISOR),
    "answer_complaint": _p(CLERK, SUPERVISOR),
    "dispatch_complaint": _p(SUPERVISOR),
    "return_complaint": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "investigate_complaint": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "dispose_complaint": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "reply_to_complaint": _p(HANDLER, CLERK, unit_bound=_HANDLER_ON_OWN),
    "visit_complainant": _p(CLERK),
    "close_complaint": _p(SUPERVISOR),
    "reopen_complaint": _p(SUPERVISOR),
    "merge_complaint": _p(SUPERVISOR),
    "transfer_complaint": _p(SUPERVISOR),
    # disputes
    "file_dispute": _p(CLERK),
    "accept_dispute": _p(SUPERVISOR),
    "refuse_dispute": _p(SUPERVISOR),
    "assign_mediator": _p(SUPERVISOR),
    "recuse_mediator": _p(SUPERVISOR),
    "investigate_dispute": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "hold_mediation_session": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "record_agreement": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "end_mediation": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "apply_for_confirmation": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "record_confirmation": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "check_performance": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "visit_dispute_parties": _p(CLERK, HANDLER, unit_bound=_HANDLER_ON_OWN),
    "close_dispute": _p(SUPERVISOR),
    "flag_dispute_risk": _p(HANDLER, SUPERVISOR, unit_bound=_HANDLER_ON_OWN),
    # enforcement cases
    "record_clue": _p(CLERK, HANDLER),
    "file_enforcement_case": _p(SUPERVISOR),
    "decline_enforcement_case": _p(SUPERVISOR),
    "start_investigation": _p(SUPERVISOR, HANDLER, unit_bound=_HANDLER_ON_OWN),
    "add_evidence": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "conclude_investigation": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "submit_for_review": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "review_legality": _p(LEGAL),
    "give_prior_notice": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "request_hearing": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "hold_hearing": _p(LEGAL, SUPERVISOR),
    "hold_collective_discussion": _p(SUPERVISOR),
    "decide_case": _p(SUPERVISOR),
    "serve_decision": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "publish_decision": _p(HANDLER, SUPERVISOR, unit_bound=_HANDLER_ON_OWN),
    "execute_decision": _p(HANDLER, unit_bound=_HANDLER_ON_OWN),
    "close_enforcement_case": _p(SUPERVISOR),
    # rulings on people
    "request_ruling": _p(DISCIPLINE),
    "review_appeal": _p(DISCIPLINE),
    "accept_ruling": _p(DISCIPLINE),
    "decline_ruling": _p(DISCIPLINE),
    "verify_ruling": _p(DISCIPLINE),
    "deliberate_ruling": _p(DISCIPLINE),
    "issue_ruling": _p(DISCIPLINE),
    "notify_ruling": _p(DISCIPLINE),
    "file_ruling_upward": _p(DISCIPLINE),
    "appeal_ruling": _p(DISCIPLINE),
    "read_ruling": _p(DISCIPLINE),
    "propose_clearing": _p(DISCIPLINE),
    "approve_clearing": _p(DISCIPLINE),
    "clear_cadre": _p(DISCIPLINE),
    "record_clearing": _p(DISCIPLINE),
    "read_clearing": _p(DISCIPLINE),
    # audit and protected identities
    "read_user_activity": _p(DISCIPLINE, AUDIT_ADMIN),
    "read_ruling_register": _p(DISCIPLINE),
    "read_clearing_register": _p(DISCIPLINE),
    "export_case_evidence": _p(DISCIPLINE),
    "read_access_log": _p(DISCIPLINE, AUDIT_ADMIN),
    "read_chain_status": _p(DISCIPLINE, AUDIT_ADMIN),
    "read_identity": _p(CLERK, HANDLER, DISCIPLINE, unit_bound=_HANDLER_ON_OWN),
    "erase_identity": _p(SECURITY_ADMIN),
    # accounts (三员分立: the system administrator registers users, the security administrator gives roles,
    # tokens and unlocks, the audit administrator reads their history)
    "add_user": _p(ADMIN),
    "deactivate_user": _p(ADMIN),
    "set_password": _p(ADMIN),
    "change_user_roles": _p(SECURITY_ADMIN),
    "unlock_user": _p(SECURITY_ADMIN),
    "issue_token": _p(SECURITY_ADMIN),
    "revoke_token": _p(SECURITY_ADMIN),
    "read_tokens": _p(SECURITY_ADMIN),
    "read_users": _p(ADMIN, SECURITY_ADMIN, AUDIT_ADMIN),
    "read_user": _p(ADMIN, SECURITY_ADMIN, AUDIT_ADMIN),
    "read_user_history": _p(AUDIT_ADMIN),
    "change_own_password": Permission(EVERYONE),
    "sign_out": Permission(EVERYONE),
    # registers
    "read_register": Permission(EVERYONE),
    "read_register_entry": Permission(EVERYONE),
    "read_offices": Permission(EVERYONE),
    "import_register": _p(ADMIN),
    "register_office": _p(ADMIN),
    "register_unit": _p(ADMIN),
    "register_place": _p(ADMIN),
    "register_category": _p(ADMIN),
    "rename_register_entry": _p(ADMIN),
    "move_register_entry": _p(ADMIN),
    "merge_register_entry": _p(ADMIN),
    "retire_register_entry": _p(ADMIN),
    "change_category_limits": _p(ADMIN),
}


RecordKind = type[Case] | type[ToleranceRuling] | type[Clearing] | type[RegisterEntry]
"""The kinds of record a route reads; each route names its own, and answers for no other."""


@dataclass(frozen=True)
class RecordReads:
    """The actions that read a record of one kind: its current state, and its history."""

    state: str
    history: str


RECORD_READS: dict[RecordKind, RecordReads] = {
    Case: RecordReads("read_case", "read_history"),
    ToleranceRuling: RecordReads("read_ruling", "read_ruling"),
    Clearing: RecordReads("read_clearing", "read_clearing"),
    RegisterEntry: RecordReads("read_register", "read_register"),
}


def authorize(actor: Actor, action: str, record: Aggregate | None = None) -> None:
    """Raise :class:`Forbidden` unless ``actor`` may perform ``action`` (on ``record``).

    Called first without the record, before it is loaded, so that a caller whose role is refused learns
    nothing about it; then with it, for the rules on a case (its handling units, its identities).
    """
    permission = PERMISSIONS[action]
    if actor.role not in permission.roles:
        raise Forbidden(action, f"role {actor.role.code} may not {action}")
    if not isinstance(record, Case):
        return
    if actor.role in permission.unit_bound and actor.unit not in record.handling_units:
        raise Forbidden(action, f"{record.number} is not handled by {actor.unit}")
    if action == "read_identity" and not may_see_identities(actor, record):
        raise Forbidden(action, f"{actor.user_id} may not see the protected identities of {record.number}")


def allowed(actor: Actor, action: str, record: Aggregate | None = None) -> bool:
    """Whether :func:`authorize` lets ``actor`` perform ``action`` (on ``record``): what a page offers."""
    try:
        authorize(actor, action, record)
    except Forbidden:
        return False
    return True


def authorize_queue(actor: Actor, *, rulings: bool, unit_queue: bool, unit: str | None) -> str | None:
    """Refuse a work queue ``actor`` may not read; else the unit to filter it by (``unit``, as asked).

    Every role reads the case queues; the tolerated-error rulings queue also needs ``read_ruling``. A
    "my unit" queue is the caller's own unit unless another is asked for, and a handler may not ask for
    another unit's.
    """
    authorize(actor, "read_queue")
    if rulings:
        authorize(actor, "read_ruling")
    if not unit_queue:
        return unit
    if actor.role is Role.HANDLER and unit not in (None, actor.unit):
        raise Forbidden("read_queue", f"a handler of {actor.unit} reads only their own unit's queue")
    return unit or actor.unit


@dataclass(frozen=True)
class Sight:
    """What a reader authorised to read a record sees of it: its protected identities (or masks), its free text."""

    identities: bool
    free_text: bool


def sight(actor: Actor, record: Case | ToleranceRuling | Clearing | RegisterEntry) -> Sight:
    """What ``actor`` sees of ``record``: of a case, as :func:`shows_identities` and
    :func:`may_read_free_text` say; of a ruling or a clearing (no parties; discipline's), or of a register
    entry (its reasons are about the office's organisation, not about people), all of it."""
    if isinstance(record, Case):
        return Sight(shows_identities(actor, record), may_read_free_text(actor, record.handling_units))
    return Sight(identities=True, free_text=True)


def may_see_identities(actor: Actor, case: Case) -> bool:
    """The registering clerk and a handler of the case's unit see protected identities in the case.

    The discipline committee may read them too, but only through ``read_identity``, which asks for a
    reason and records the reading.
    """
    if actor.role is Role.DISCIPLINE:
        return True
    if actor.role is Role.CLERK:
        return case.filed_by.user_id == actor.user_id
    return actor.role is Role.HANDLER and actor.unit in case.handling_units


def shows_identities(actor: Actor, case: Case) -> bool:
    """Whether a view of the case shows its protected identities to ``actor`` without asking (discipline asks)."""
    return actor.role is not Role.DISCIPLINE and may_see_identities(actor, case)


def corrected_parties(actor: Actor, case: Case, parties: Sequence[Party]) -> list[Party]:
    """The parties a correction by ``actor`` leaves on ``case``.

    Only a reader of the case's protected identities (:func:`may_see_identities`) corrects them: whoever
    sees ``***`` could otherwise confirm a guessed name (a matching name keeps the person's id) or
    overwrite the identity with a wrong one. Such a correction names only the other parties; the
    protected ones stay as registered. One that names a protected party is refused, before anything is
    compared, so the refusal is the same whatever was guessed.
    """
    if may_see_identities(actor, case):
        return list(parties)
    if any(p.role.is_protected for p in parties):
        raise Forbidden(
            "correct_case",
            f"only the registering clerk or a handler of its unit may correct the protected identities of "
            f"{case.number}; a correction by {actor.role.code} names the other parties only, and the "
            "protected ones stay as registered",
        )
    return [p for p in case.parties if p.role.is_protected] + list(parties)


FREE_TEXT_FIELDS = frozenset(
    {
        "description",
        "reason",
        "note",
        "notes",
        "summary",
        "answer",
        "action_taken",
        "facts",
        "reasons",
        "responsibilities",
        "terms",
        "performance",
        "opinions",
        "record",
        "conclusion",
        "participants",
        "fingerprint",
    }
)
"""The fields of a case, its events and its evidence that hold what someone wrote about the case, and so
may name people: the description, every reason and note, summaries, facts, terms, records, conclusions,
and who took part in a session, hearing or discussion; and a filing's fingerprint, a digest of its
description that would confirm a guessed text. Codes, units, officers, courts, statutes and addresses
are not among them."""


def free_text_units(actor: Actor) -> frozenset[str] | None:
    """The units on whose cases ``actor`` reads free text (:data:`FREE_TEXT_FIELDS`); ``None``: every case.

    A statistician reads none; a handler only on the cases their unit handles (lead or assisting);
    every other role on every case.
    """
    if actor.role is Role.STATISTICIAN:
        return frozenset()
    if actor.role is Role.HANDLER:
        return frozenset({actor.unit})
    return None


def may_read_free_text(actor: Actor, handling_units: Collection[str]) -> bool:
    """Whether ``actor`` reads the free text of a case handled by ``handling_units``."""
    units = free_text_units(actor)
    return units is None or not units.isdisjoint(handling_units)


def without_free_text(data: Any) -> Any:
    """Plain data (a view, an event's data, a listed case) with every free-text field left out, at any depth."""
    if isinstance(data, dict):
        return {
            key: without_free_text(value)
            for key, value in data.items()
            if not (key in FREE_TEXT_FIELDS and _is_text(value))
        }
    if isinstance(data, list):
        return [without_free_text(value) for value in data]
    return data


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def readable_items(actor: Actor, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Listed cases, each without its free text unless ``actor`` may read it (the lists carry ``lead_unit``
    and ``assisting_units``)."""
    return [
        item
        if may_read_free_text(actor, {item.get("lead_unit"), *item.get("assisting_units", ())} - {None})
        else without_free_text(item)
        for item in items
    ]


def permission_table_markdown() -> str:
    """The permission table as the README prints it: one row per action, a column per role."""
    roles = list(Role)
    header = "| action | " + " | ".join(r.code for r in roles) + " |"
    rule = "|---|" + "---|" * len(roles)
    rows = []
    for action, permission in PERMISSIONS.items():
        marks = [
            ("own unit" if role in permission.unit_bound else "✓") if role in permission.roles else "" for role in roles
        ]
        rows.append(f"| `{action}` | " + " | ".join(marks) + " |")
    return "\n".join([header, rule, *rows])

"""A year of a subdistrict office's cases, recorded through the ledger's use cases, for demonstrations.

:func:`load_demo` files complaints, disputes and enforcement cases, tolerated-error rulings and a
clearing, and takes each through the steps the office would record, each on a working day in office
hours (Asia/Shanghai) of the chosen year and never later than now. The same seed gives the same year.
A fixed set of cases walks every path of every lifecycle and stops at every stage, whatever the scale;
the bulk, scaled by ``scale``, follows typical paths, and a step that would fall after the year's end
is not taken, which leaves a year-end backlog in every queue. The office is
:mod:`demo.office`, the plans :mod:`demo.plans`, the wording :mod:`demo.text`.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from application.errors import CaseLedgerError
from application.ledger import CaseLedger
from demo.complaints import complaint
from demo.disputes import dispute
from demo.enforcement import enforcement
from demo.office import ADMIN, CLERK, DISCIPLINE, LEGAL, SECURITY, SUPERVISOR, PastHorizon
from demo.plans import (
    BULK,
    SPECIAL_COMPLAINTS,
    SPECIAL_DISPUTES,
    SPECIAL_ENFORCEMENT,
    SPECIAL_RULINGS,
    bulk_complaint,
    bulk_dispute,
    bulk_enforcement,
)
from demo.registers import register_demo_office
from demo.rulings import clearing, ruling
from demo.run import Run, StopReached, demo_key
from demo.text import CITY
from domain.accounts import User, user_id_for
from domain.actor import ADMINISTRATORS, Actor, Role
from domain.case import case_id_for
from domain.complaint import Complaint
from domain.dispute import Dispute
from domain.enforcement import EnforcementCase
from domain.kinds import CaseKind

USERS = (
    (CLERK, "叶受理"),
    (Actor("demo.handler", Role.HANDLER, CITY), "周执法"),
    (SUPERVISOR, "陈督办"),
    (LEGAL, "何法制"),
    (DISCIPLINE, "林纪检"),
    (Actor("demo.statistician", Role.STATISTICIAN, "党政办"), "吴统计"),
    (ADMIN, "系统管理员"),
)
"""One user per role, to try each: the clerk who registers the demo cases, a handler of the unit most
cases go to, and the supervisor, reviewer and committee who act in them."""


class DemoAlreadyLoaded(CaseLedgerError):
    """The store already holds the demo cases of this year."""


class StoreHoldsCases(CaseLedgerError):
    """The store already holds cases, and the demo year would stay among them for good."""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`load_demo` recorded: cases filed per kind code, rulings, clearings, events, and their ids."""

    cases: dict[str, int]
    rulings: int
    clearings: int
    events: int
    case_ids: dict[str, list[UUID]] = field(default_factory=dict)
    ruling_ids: list[UUID] = field(default_factory=list)
    clearing_ids: list[UUID] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    """A new token of each demo user, by username: shown once, never stored in clear."""


def planned_counts(scale: float = 1.0) -> dict[str, int]:
    """How many cases of each kind code :func:`load_demo` files at ``scale`` for a past year."""
    fixed = {"complaint": SPECIAL_COMPLAINTS, "dispute": SPECIAL_DISPUTES, "enforcement": SPECIAL_ENFORCEMENT}
    return {kind: len(plans) + round(BULK[kind] * scale) for kind, plans in fixed.items()}


_Flow = Callable[[Run, Any, int], None]


def load_demo(
    ledger: CaseLedger,
    *,
    year: int = 2025,
    seed: int = 2025,
    scale: float = 1.0,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
) -> DemoSummary:
    """Record a year of the office's work through the ledger's use cases and say what was recorded.

    The fixed cases that walk every path are recorded at any ``scale``; the bulk is ``scale`` times the
    usual year (:func:`planned_counts`). ``progress``, if given, is called after each case with the number
    of events recorded so far. A load is not repeated: if the store already holds the year's first demo
    complaint, :class:`DemoAlreadyLoaded` is raised before anything is written (so an interrupted load
    needs a fresh store). A store that holds any case is refused too (:class:`StoreHoldsCases`), unless
    ``force``: the log is never rewritten, so a demo year loaded among real cases stays there for good.
    A ``year`` still running is recorded up to now only. The office's units, places and categories are
    registered first (:mod:`demo.registers`), so the cases name register entries. Then one user per role
    (:data:`USERS`) is added, if not there yet, and given a new token.
    """
    if scale < 0:
        raise ValueError("scale must not be negative")
    if ledger.exists(case_id_for(CaseKind.COMPLAINT, demo_key(year, "complaint", 1))):
        raise DemoAlreadyLoaded(f"the demo year {year} is already loaded in this store")
    if not force and ledger.created_ids(Complaint, Dispute, EnforcementCase, limit=1):
        raise StoreHoldsCases(
            "the store already holds cases, and a demo year loaded among them would stay in the log for good "
            "(it is never rewritten): load the demo into an empty store, or pass --force to add it anyway"
        )
    run = Run(ledger, year, seed)
    register_demo_office(ledger, [actor.unit for actor, _ in USERS])
    kinds: list[tuple[str, _Flow, tuple[Any, ...], Callable[[random.Random], Any]]] = [
        ("complaint", complaint, SPECIAL_COMPLAINTS, bulk_complaint),
        ("dispute", dispute, SPECIAL_DISPUTES, bulk_dispute),
        ("enforcement", enforcement, SPECIAL_ENFORCEMENT, bulk_enforcement),
    ]
    plans: list[tuple[float, str, _Flow, Any]] = []
    for kind, flow, fixed, make in kinds:
        bulk = [make(run.rng) for _ in range(round(BULK[kind] * scale))]
        plans += [(plan.start, kind, flow, plan) for plan in (*fixed, *bulk)]
    plans.sort(key=lambda item: (item[0], item[1]))
    plans += [(0, "ruling", ruling, plan) for plan in SPECIAL_RULINGS] + [(0, "clearing", clearing, None)]
    counters: dict[str, int] = {}
    numbered: list[tuple[_Flow, Any, int]] = []
    for _, kind, flow, plan in plans:
        counters[kind] = counters.get(kind, 0) + 1
        numbered.append((flow, plan, counters[kind]))
        if kind == "complaint" and plan.outcome == "merged":
            run.waiting[counters[kind]] = plan
    for flow, plan, index in numbered:
        with contextlib.suppress(StopReached, PastHorizon):
            flow(run, plan, index)
        if progress is not None:
            progress(run.events)
    ids = run.ids
    return DemoSummary(
        tokens=_demo_tokens(ledger),
        cases={kind: len(ids[kind]) for kind in BULK},
        rulings=len(ids["ruling"]),
        clearings=len(ids["clearing"]),
        events=run.events,
        case_ids={kind: ids[kind] for kind in BULK},
        ruling_ids=ids["ruling"],
        clearing_ids=ids["clearing"],
    )


def _demo_tokens(ledger: CaseLedger) -> dict[str, str]:
    """Add each demo user not there yet and issue them a new token; a deactivated one gets none, nor does
    an administrator (whose role the security administrator grants, and who signs in with a password)."""
    tokens = {}
    for actor, name in USERS:
        administrator = actor.role in ADMINISTRATORS
        if not ledger.exists(user_id_for(actor.user_id)):
            ledger.add_user(ADMIN, actor.user_id, name, [] if administrator else [actor.role], actor.unit)
            if administrator:
                ledger.change_user_roles(SECURITY, actor.user_id, [actor.role], "demo")
        elif not ledger.load(User, user_id_for(actor.user_id), "user").active:
            continue
        if not administrator:
            tokens[actor.user_id] = ledger.issue_token(SECURITY, actor.user_id, "demo")[1]
    return tokens

"""The lifecycle tables: each names only its record's statuses, covers every event its record records, and
the shared actions keep to whether they need an open case."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from application.topics import current_topics
from domain.case import Case
from domain.clearing import Clearing, ClearingStatus
from domain.complaint import Complaint, ComplaintStatus
from domain.dispute import Dispute, DisputeStatus
from domain.enforcement import EnforcementCase, EnforcementStatus
from domain.errors import RuleViolation
from domain.labels import Labelled
from domain.lifecycle import Lifecycle
from domain.tolerance import RulingStatus, ToleranceRuling
from tests.support import CLERK, SUPERVISOR, Clock, new_complaint

RECORDS: list[tuple[type[Lifecycle], type[Labelled]]] = [
    (Complaint, ComplaintStatus),
    (Dispute, DisputeStatus),
    (EnforcementCase, EnforcementStatus),
    (ToleranceRuling, RulingStatus),
    (Clearing, ClearingStatus),
]


@pytest.mark.parametrize(("record", "statuses"), RECORDS, ids=[r.__name__ for r, _ in RECORDS])
def test_a_table_names_its_own_statuses_and_every_event_its_record_records(
    record: type[Lifecycle], statuses: type[Labelled]
) -> None:
    for name, transition in record.LIFECYCLE.items():
        assert transition.sources is None or transition.sources <= set(statuses), name
        assert transition.target is None or callable(transition.target) or transition.target in statuses, name
        if transition.open_only and transition.sources is not None:
            assert not transition.sources & record.TERMINAL, f"{name} is only for an open record"
    created = [t for t in record.LIFECYCLE.values() if t.creates]
    assert len(created) == 1 and created[0].target not in record.TERMINAL
    prefixes = tuple(f"{c.__module__}:{c.__qualname__}." for c in record.__mro__ if issubclass(c, Lifecycle))
    recorded = {topic.rpartition(".")[2] for topic in current_topics() if topic.startswith(prefixes)}
    tabled = {t.event.__name__ for t in record.LIFECYCLE.values() if t.event is not None}
    assert recorded == tabled


def test_the_shared_actions_are_every_kind_s_and_only_extend_is_narrowed() -> None:
    for kind in (Complaint, Dispute, EnforcementCase):
        shared = {name: kind.LIFECYCLE[name] for name in Case.SHARED}
        assert {n for n, t in shared.items() if t != Case.SHARED[n]} == {"extend"}, kind.__name__
        assert shared["extend"].event is Case.SHARED["extend"].event


def test_on_a_closed_case_the_open_only_actions_are_refused_and_links_and_corrections_are_not() -> None:
    clock = Clock()
    case = new_complaint(clock)
    case.not_accept(SUPERVISOR, clock(), "属诉讼事项", "向人民法院起诉")
    actions: list[Callable[[], object]] = [
        lambda: case.supervise(SUPERVISOR, clock(), "督办"),
        lambda: case.remind(SUPERVISOR, clock(), "催办"),
        lambda: case.resume_clock(SUPERVISOR, clock()),
    ]
    for action in actions:
        with pytest.raises(RuleViolation) as error:
            action()
        assert error.value.rule == "complaint.closed"
        assert "不能再办理" in error.value.zh
    case.link(CLERK, clock(), new_complaint(clock, "c-2").id, "同一地点")
    case.correct(CLERK, clock(), 1, "描述有误", description="更正后的描述")
    assert case.status is ComplaintStatus.NOT_ACCEPTED and len(case.links) == 1


def test_a_refused_transition_names_its_rule_the_status_and_where_it_may_start() -> None:
    clock = Clock()
    case = new_complaint(clock)
    with pytest.raises(RuleViolation) as error:
        case.dispose(SUPERVISOR, clock(), "处置")
    assert error.value.rule == "complaint.dispose.status"
    assert error.value.zh == "投诉当前状态为「已登记」，不能处置（仅限：已调查）"
    assert error.value.en == "a complaint cannot record the action taken while registered (only when: Investigated)"

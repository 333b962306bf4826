"""The demo's tolerated-error rulings and its clearing, recorded through the ledger's use cases."""

from __future__ import annotations

import hashlib

from demo.office import DISCIPLINE
from demo.plans import EXEMPT, MITIGATE, REFUSE, RulingPlan
from demo.run import Run, Track
from demo.text import CITY, CLEARING, LEADERS, RULING
from domain.clearing import AccusationFinding, ClearingMethod
from domain.tolerance import RulingOutcome, ToleranceCondition, ToleranceEffect
from domain.tolerance import RulingStatus as RS


def cadre_id(name: str) -> str:
    return f"demo-cadre-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def ruling(run: Run, plan: RulingPlan, index: int) -> None:
    ledger, at = run.ledger, run.start_at(plan.start)
    t = Track(run, plan.stop)
    t.start(
        "ruling",
        ledger.request_ruling,
        run.key("ruling", index),
        DISCIPLINE,
        at=at,
        cadre_id=cadre_id(plan.cadre),
        cadre_name=plan.cadre,
        unit=plan.unit,
        case_ids=run.case_before(at, plan.kind),
        error=plan.error,
        consequences=RULING["consequences"],
        circumstances=RULING["circumstances"],
        motive=RULING["motive"],
        proposed_by_unit=index % 2 == 0,
    )
    t.reached(RS.REQUESTED)
    if plan.outcome is None:
        t.do(ledger.decline_ruling, DISCIPLINE, RULING["declined"], status=RS.DECLINED)
        return
    _rule(t, plan.cadre, plan.outcome)
    if plan.appeal:
        t.do(ledger.appeal_ruling, DISCIPLINE, RULING["appeal"], status=RS.APPEALED)
        review = Track(run, RS.RULED)
        key = run.key("ruling", index) + "-review"
        review.start("ruling", ledger.review_appeal, t.id, key, DISCIPLINE, at=t.next(5, 10))
        _rule(review, plan.cadre, EXEMPT)


def _rule(t: Track, cadre: str, outcome: RulingOutcome) -> None:
    ledger, days = t.run.ledger, (3, 8)
    met = [c for c in ToleranceCondition if outcome is EXEMPT or c is not ToleranceCondition.DUE_PROCEDURE]
    effects = {EXEMPT: list(ToleranceEffect), REFUSE: [], MITIGATE: [ToleranceEffect.INTEGRITY_ASSESSMENT]}[outcome]
    hit = outcome is REFUSE
    t.do(ledger.accept_ruling, DISCIPLINE, days=days, status=RS.ACCEPTED)
    t.do(ledger.verify_ruling, DISCIPLINE, [] if hit else met, hit, RULING["verified"], days=days, status=RS.VERIFIED)
    summary = f"集体研究认为应予{outcome.zh}"
    t.do(ledger.deliberate_ruling, DISCIPLINE, LEADERS, summary, days=days, status=RS.DELIBERATED)
    t.do(ledger.issue_ruling, DISCIPLINE, outcome, effects, RULING["basis"], days=days, status=RS.RULED)
    told = RULING["notified"].format(cadre=cadre)
    t.do(ledger.notify_ruling, DISCIPLINE, told, days=days, status=RS.NOTIFIED)
    t.do(ledger.file_ruling_upward, DISCIPLINE, RULING["filed_with"], days=days, status=RS.FILED_UPWARD)


def clearing(run: Run, _: None, index: int) -> None:
    ledger, t = run.ledger, Track(run, None)
    t.start(
        "clearing",
        ledger.propose_clearing,
        run.key("clearing", index),
        DISCIPLINE,
        at=run.start_at(0.5),
        cadre_id=cadre_id(CLEARING["cadre"]),
        cadre_name=CLEARING["cadre"],
        unit=CITY,
        accusation=CLEARING["accusation"],
        investigation=CLEARING["investigation"],
        finding=AccusationFinding.FALSE,
    )
    t.do(ledger.approve_clearing, DISCIPLINE, days=(3, 6))
    t.do(ledger.clear_cadre, DISCIPLINE, ClearingMethod.MEETING_NOTICE, CLEARING["scope"])
    t.do(ledger.record_clearing, DISCIPLINE, CLEARING["record"].format(year=run.year))

"""A demo complaint, recorded through the ledger's use cases as its plan says."""

from __future__ import annotations

from datetime import datetime

from demo.office import CLERK, COMPLAINT_CHANNELS, COMPLAINT_WEIGHTS, SUPERVISOR, handler, pick
from demo.plans import ComplaintPlan
from demo.run import Run, Track
from demo.text import ASSIST, BUILDING, CITY, COMPLAINTS, LOCAL, REPLIES, SAY, village_committee
from domain.complaint import ComplaintStatus as CS
from domain.kinds import Channel, ComplaintCategory
from domain.outcomes import ClockPause, Finding, PartyRole, ReplyOpinion, Satisfaction
from domain.time import local_date
from domain.values import Location


def complaint(run: Run, plan: ComplaintPlan, index: int) -> None:
    if plan.outcome == "merged" and run.waiting.pop(index, None) is None:
        return  # filed and merged while the complaint it duplicates was open (see _merge_duplicates)
    ledger = run.ledger
    category = plan.category or pick(run.rng, COMPLAINT_WEIGHTS)
    where = run.office.location(category)
    t, anonymous = _file_complaint(run, plan, index, category, where)
    if plan.correct:
        fixed = Location(where.village, where.address.replace("号", "号旁"), where.grid_cell)
        t.do(ledger.correct_case, CLERK, 1, SAY["correct"], location=fixed, days=(0, 1))
    if plan.outcome == "not_accepted":
        t.do(ledger.refuse_complaint, SUPERVISOR, SAY["refuse"], SAY["route"], days=(1, 5))
    elif plan.outcome == "transferred":
        t.do(ledger.transfer_complaint, SUPERVISOR, SAY["transfer_to"], SAY["transfer"])
    elif plan.outcome == "answered":
        answer = REPLIES[category][0]
        t.do(ledger.answer_complaint, CLERK, ReplyOpinion.EXPLAIN, answer, days=(0, 0), status=CS.ANSWERED)
        if not anonymous:
            t.do(ledger.visit_complainant, CLERK, Satisfaction.SATISFIED, SAY["answered"], days=(1, 3))
        t.do(ledger.close_complaint, SUPERVISOR, True, days=(0, 2))
    else:  # handled, or a duplicate that came in when no complaint about the same problem was open
        run.latest[category] = t
        _handle_complaint(t, plan, category, lead_unit(category, where), where, anonymous)


def lead_unit(category: ComplaintCategory, where: Location) -> str:
    """The unit that handles a complaint of ``category`` about ``where``: its village's committee for local
    matters."""
    lead = COMPLAINTS[category][1]
    return village_committee(where.village) if lead == LOCAL else lead


def _file_complaint(
    run: Run, plan: ComplaintPlan, index: int, category: ComplaintCategory, where: Location
) -> tuple[Track, bool]:
    """Register the complaint; say whether it is anonymous (only by mailbox, and only if the plan allows)."""
    adm = category is ComplaintCategory.ADMINISTRATIVE_EFFICIENCY
    if adm:
        channel = Channel.EFFICIENCY_HOTLINE
    else:
        channel = Channel.MAILBOX if plan.anonymous else pick(run.rng, COMPLAINT_CHANNELS)
    chance = channel is Channel.MAILBOX and plan.may_be_anonymous and run.rng.random() < 0.4
    anonymous = plan.anonymous or chance
    role = PartyRole.WHISTLEBLOWER if adm else PartyRole.COMPLAINANT
    t = Track(run, plan.stop)
    t.start(
        "complaint",
        run.ledger.file_complaint,
        run.key("complaint", index),
        CLERK,
        at=run.start_at(plan.start),
        category=category,
        channel=channel,
        location=where,
        description=COMPLAINTS[category][2].format(addr=where.address),
        anonymous=anonymous,
        parties=[] if anonymous else [run.office.party(role)],
    )
    t.reached(CS.REGISTERED)
    return t, anonymous


def _handle_complaint(
    t: Track, plan: ComplaintPlan, category: ComplaintCategory, lead: str, where: Location, anonymous: bool
) -> None:
    ledger = t.run.ledger
    t.do(ledger.accept_complaint, SUPERVISOR, days=(0, 2), status=CS.ACCEPTED)
    if plan.returned:
        wrong = CITY if lead != CITY else BUILDING
        t.do(ledger.dispatch_complaint, SUPERVISOR, wrong, [], days=(0, 1))
        reason = f"所反映问题不属{wrong}职责，申请退回"
        t.do(ledger.return_complaint, handler(wrong), reason, days=(1, 4), status=CS.RETURNED)
    assist = ASSIST.get(category, [])
    t.do(ledger.dispatch_complaint, SUPERVISOR, lead, assist, SAY["dispatch"], days=(0, 1), status=CS.DISPATCHED)
    if plan.supervise:
        t.do(ledger.supervise, SUPERVISOR, SAY["supervise"], days=(0, 2))
        t.do(ledger.remind, SUPERVISOR, SAY["remind"], days=(3, 6))
    if plan.extend:
        t.do(ledger.extend_deadline, SUPERVISOR, 30, SAY["extend"], days=(2, 5))
    if plan.pause:
        t.do(ledger.pause_clock, handler(lead), ClockPause.WAITING_ON_PARTY, SAY["away"], days=(1, 2))
        t.do(ledger.resume_clock, handler(lead), days=(3, 6))
    for round_ in range(plan.reopenings + 1):
        final = round_ == plan.reopenings
        satisfaction = plan.final if final else Satisfaction.DISSATISFIED
        _complaint_round(t, plan.finding, category, lead, None if anonymous else satisfaction)
        if not final:
            t.do(ledger.reopen_complaint, SUPERVISOR, SAY["reopen"], days=(0, 2), status=CS.REOPENED)
            t.do(ledger.dispatch_complaint, SUPERVISOR, lead, assist, SAY["redo"], days=(0, 1))
    last = _merge_duplicates(t, category, where)
    resolved = anonymous or satisfaction is not Satisfaction.DISSATISFIED
    reason = "" if resolved else SAY["unresolved"]
    when = t.run.office.later(last, 0, 2)
    t.do(ledger.close_complaint, SUPERVISOR, resolved, reason, when=when, status=CS.CLOSED)


def _complaint_round(
    t: Track, finding: Finding | None, category: ComplaintCategory, lead: str, satisfaction: Satisfaction | None
) -> None:
    """Investigate, dispose and reply; then visit the resident, unless anonymous (``satisfaction`` None)."""
    ledger, worker = t.run.ledger, handler(lead)
    found = finding or pick(t.run.rng, {Finding.SUBSTANTIATED: 60, Finding.PARTLY: 25, Finding.UNSUBSTANTIATED: 15})
    opinion = {Finding.SUBSTANTIATED: ReplyOpinion.SUPPORT, Finding.PARTLY: ReplyOpinion.EXPLAIN}
    reply = opinion.get(found, ReplyOpinion.NOT_SUPPORTED)
    action, basis = REPLIES[category]
    summary = f"{lead}赴现场核查，反映情况{found.zh}"
    t.do(ledger.investigate_complaint, worker, found, summary, days=(2, 8), status=CS.INVESTIGATED)
    if found is not Finding.UNSUBSTANTIATED:
        t.do(ledger.dispose_complaint, worker, action, days=(1, 5), status=CS.DISPOSED)
    facts, reasons = f"经核查，所反映{category.zh}问题{found.zh}。", f"{reply.zh}：{action}。"
    t.do(ledger.reply_to_complaint, worker, reply, facts, reasons, basis, status=CS.REPLIED)
    if satisfaction is not None:
        note = f"电话回访，投诉人表示{satisfaction.zh}"
        t.do(ledger.visit_complainant, CLERK, satisfaction, note, days=(2, 5), status=CS.VISITED)


def _merge_duplicates(t: Track, category: ComplaintCategory, where: Location) -> datetime:
    """File the waiting duplicates that came in while ``t`` was open and merge them into it (并案).

    A duplicate is another resident's complaint of the same category, filed after ``t`` and no later than
    its last step, about the same place. Returns the last merge (or ``t``'s last step), after which ``t``
    closes, so every merge is into a complaint still open at that moment.
    """
    run, last = t.run, t.at
    since, until = local_date(t.since), local_date(t.at)
    for index, plan in list(run.waiting.items()):
        if plan.category is not category or not since < run.start_day(plan.start) <= until:
            continue
        del run.waiting[index]
        duplicate, _ = _file_complaint(run, plan, index, category, where)
        duplicate.do(run.ledger.merge_complaint, SUPERVISOR, t.id, SAY["merge"], days=(0, 1))
        last = max(last, duplicate.at)
    return last

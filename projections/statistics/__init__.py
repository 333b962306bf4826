"""Statistics: one row of facts per case, per tolerated-error ruling and per clearing, so that every
indicator an annual rule-of-law report quotes is an aggregate query over them.

A year holds tens of thousands of cases, too many to aggregate per request. So the projection also keeps
a roll-up: per period received (its month, its quarter and its year) and per group of each grouping, the
sum of every count that does not depend on the day asked about (:data:`.rollup.STATIC_TERMS`), and a histogram of
the days to close. When a batch changes a case, what the case added before is taken off its cells and
what it adds now is put on, in the batch's transaction. The counts that depend on the day asked about
(:data:`.rollup.DYNAMIC_TERMS`: overdue, and the deadlines passed in three rates' denominators) are counted per
request over the period's pending cases only (open, or awaiting an acceptance decision or a publication).

Which period a fact counts in: every case counts in the period of the day it came in (registered,
applied for, or recorded as a clue; Asia/Shanghai), a ruling in the period it was requested and a
clearing in the period it was proposed; what happened to them is counted as it stands now. So a
period's rates always compare like with like (their numerators are part of their denominators), and
a past period's numbers can still change while its cases are being handled. Overdue is judged on the
day asked about (``as_of``), like the queues.

The definitions, per case counted in the period (every rate is returned as
``{numerator, denominator, rate}``, the rate ``None`` when the denominator is 0):

- received: every case; accepted: a complaint accepted or answered directly, a dispute accepted,
  an enforcement case filed (立案); not accepted: refused acceptance, refused mediation, not filed;
- on-time acceptance (按时签收率): complaints whose acceptance was decided (accepted, refused,
  answered, merged or transferred) by the acceptance deadline, over those decided plus those still
  undecided past it;
- closed (办结): cases whose status is closed; closure rate (办结率): closed over accepted cases not
  merged into a duplicate or transferred out;
- on-time closure (按期办结率): closed cases none of whose handling clocks (complaint: handle;
  dispute: settle; enforcement: decide) finished late, over the closed cases plus the open ones
  already late (a clock finished late, or the running one overdue);
- resolution (解决率): complaints and disputes closed as resolved over those closed;
- follow-up (回访率): closed complaints (not anonymous) and disputes that had a follow-up visit,
  over those closed; satisfaction (满意率): cases whose latest visit found the resident satisfied or
  basically satisfied, over the cases visited; reopen rate (发回重办率): complaints reopened at
  least once over the complaints visited (only a visited complaint can be reopened);
- repeat complaints (重复投诉): complaints merged into another as its duplicate (the index holds no
  identities, so a repeat is what the office itself merged as one);
- days to close: calendar days from the day a closed case came in to the day of its last closure;
  the mean and the median from a histogram of them per period and group, on both stores;
- mediation success (调解成功率): disputes with an agreement over those whose mediation reached an
  agreement or ended; fulfilment (履行率): agreements checked as fulfilled over those checked
  (partly fulfilled is not fulfilled);
- enforcement: filed, not filed, decided, decisions by type (no penalty and transfer to judicial
  organs among them), fines (sum, in yuan), hearings requested and held; legality-review
  coverage: major cases decided after an approved legality review over the major cases decided;
  publication on time: decisions published within the publication limit (working days after the
  decision, 20 by default after 国办发〔2018〕118号, configurable), over those published plus those
  whose limit has passed unpublished;
- rulings: requests (appeal reviews among them), declined, pending, exempted, mitigated, not
  tolerated, appealed; clearings: proposed and cleared. Rulings and clearings group by unit only.
- open and overdue: cases still open, and those whose earliest running deadline has passed.

Grouping: by kind, category (within its kind), channel, village, or unit: the lead unit of a
complaint, the mediating unit of a dispute, the enforcement unit of a case ("" before there is one);
the cadre's unit for rulings and clearings. Time limits and calendar are the ledger's when the event
is applied: after changing either, rebuild.

The parts: :mod:`.indicators` (the catalogue), :mod:`.periods`, :mod:`.facts` (the fold of one case's
events into its row), :mod:`.rollup`, :mod:`.projection` and :mod:`.queries`.
"""

from __future__ import annotations

from projections.statistics.facts import CaseFacts
from projections.statistics.indicators import INDICATORS, SECTIONS, Indicator
from projections.statistics.periods import PERIODS, Period, periods_of
from projections.statistics.projection import PUBLICATION_WORKING_DAYS, Statistics
from projections.statistics.queries import GROUPINGS, rate, yuan

__all__ = [
    "GROUPINGS",
    "INDICATORS",
    "PERIODS",
    "PUBLICATION_WORKING_DAYS",
    "SECTIONS",
    "CaseFacts",
    "Indicator",
    "Period",
    "Statistics",
    "periods_of",
    "rate",
    "yuan",
]

"""The annual indicator pack a clerk attaches to the rule-of-law report: as data, CSV and HTML.

Every number comes from :class:`~projections.statistics.Statistics` for the year (cases counted in the
year they came in, outcomes as they stand at ``as_of``); the headline repeats the few numbers the
report's text quotes, Chinese first with English.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from domain.kinds import CaseKind
from projections.statistics import INDICATORS, SECTIONS, Period, Statistics, periods_of

CSV_HEADER = ("section", "code", "指标", "indicator", "type", "value", "numerator", "denominator", "median")
UTF8_BOM = "\ufeff"
"""Lets spreadsheet programs read the CSV's Chinese as UTF-8."""


def annual_report(statistics: Statistics, year: int, *, as_of: datetime | None = None) -> dict[str, Any]:
    """The year's indicator pack: totals, per kind, per unit, per month, and the headline."""
    whole_year = [Period("year", year)]
    total = statistics.indicators(whole_year, as_of=as_of)
    by_kind = statistics.indicators(whole_year, "kind", as_of=as_of)["periods"][0]["groups"]
    by_unit = statistics.indicators(whole_year, "unit", as_of=as_of)["periods"][0]["groups"]
    monthly = statistics.indicators(periods_of("month", year), as_of=as_of)["periods"]
    indicators = total["periods"][0]["total"]
    kinds = {group["key"]: group["indicators"] for group in by_kind}
    return {
        "year": year,
        "title": {"zh": f"{year}年度依法行政工作统计", "en": f"Rule-of-law indicators for {year}"},
        "as_of": total["as_of"],
        "period": total["periods"][0]["period"],
        "publication_working_days": total["publication_working_days"],
        "headline": headline(indicators, kinds),
        "indicators": indicators,
        "by_kind": [{"kind": group["label"], "indicators": group["indicators"]} for group in by_kind],
        "by_unit": [
            {
                "unit": group["label"],
                "received": group["indicators"]["received"],
                "closed": group["indicators"]["closed"],
                "open": group["indicators"]["open"],
                "overdue": group["indicators"]["overdue"],
                "on_time_closure_rate": group["indicators"]["on_time_closure_rate"],
            }
            for group in by_unit
        ],
        "monthly": [
            {
                "period": month["period"],
                "received": month["total"]["received"],
                "accepted": month["total"]["accepted"],
                "closed": month["total"]["closed"],
            }
            for month in monthly
        ],
    }


def headline(indicators: dict[str, Any], kinds: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """The year's headline numbers as sentences, Chinese and English."""
    complaints = kinds.get(CaseKind.COMPLAINT.code) or _nothing(indicators)
    disputes = kinds.get(CaseKind.DISPUTE.code) or _nothing(indicators)
    enforcement = kinds.get(CaseKind.ENFORCEMENT.code) or _nothing(indicators)
    major = indicators["legality_review_coverage_rate"]
    return [
        {
            "code": "complaints",
            "zh": f"登记群众投诉{complaints['received']}件，受理{complaints['accepted']}件，"
            f"办结{complaints['closed']}件，"
            f"办结率{percent(complaints['closure_rate'])}，按期办结率{percent(complaints['on_time_closure_rate'])}，"
            f"按时签收率{percent(complaints['on_time_acceptance_rate'])}，"
            f"回访率{percent(complaints['follow_up_rate'])}，满意率{percent(complaints['satisfaction_rate'])}。",
            "en": f"{complaints['received']} complaints received, {complaints['accepted']} accepted and "
            f"{complaints['closed']} closed: closure rate "
            f"{percent(complaints['closure_rate'])}, on-time closure {percent(complaints['on_time_closure_rate'])}, "
            f"on-time acceptance {percent(complaints['on_time_acceptance_rate'])}, follow-up "
            f"{percent(complaints['follow_up_rate'])}, satisfaction {percent(complaints['satisfaction_rate'])}.",
        },
        {
            "code": "disputes",
            "zh": f"受理矛盾纠纷{disputes['accepted']}件，调解成功{disputes['agreements']}件，"
            f"调解成功率{percent(disputes['mediation_success_rate'])}，司法确认{disputes['judicial_confirmations']}件，"
            f"协议履行率{percent(disputes['fulfilment_rate'])}。",
            "en": f"{disputes['accepted']} disputes taken up for mediation, {disputes['agreements']} settled by "
            f"agreement (mediation success {percent(disputes['mediation_success_rate'])}), "
            f"{disputes['judicial_confirmations']} judicially confirmed, fulfilment "
            f"{percent(disputes['fulfilment_rate'])}.",
        },
        {
            "code": "enforcement",
            "zh": f"执法立案{enforcement['enforcement_filed']}件，作出处理决定{enforcement['decisions']}件，"
            f"其中罚款{enforcement['decisions_fine']}件共{enforcement['fines_total']}元，"
            f"首违不罚{enforcement['decisions_no_penalty']}件，移送司法机关{enforcement['decisions_transfer_judicial']}件，"
            f"举行听证{enforcement['hearings_held']}次；重大执法决定法制审核率{percent(major)}，"
            f"执法决定按时公示率{percent(enforcement['publication_on_time_rate'])}。",
            "en": f"{enforcement['enforcement_filed']} enforcement cases filed and {enforcement['decisions']} decided, "
            f"{enforcement['decisions_fine']} of them fines totalling {enforcement['fines_total']} yuan, "
            f"{enforcement['decisions_no_penalty']} no penalty for a first offence, "
            f"{enforcement['decisions_transfer_judicial']} transferred to judicial organs; "
            f"{enforcement['hearings_held']} hearings held; legality review of major decisions {percent(major)}, "
            f"decisions published on time {percent(enforcement['publication_on_time_rate'])}.",
        },
        {
            "code": "rulings",
            "zh": f"受理容错免责申请{indicators['ruling_requests']}件，认定免责{indicators['rulings_exempted']}件、"
            f"减责{indicators['rulings_mitigated']}件、不予容错{indicators['rulings_not_tolerated']}件；"
            f"为被诬告干部澄清正名{indicators['clearings_cleared']}人次。",
            "en": f"{indicators['ruling_requests']} tolerated-error requests: "
            f"{indicators['rulings_exempted']} exempted, "
            f"{indicators['rulings_mitigated']} mitigated, {indicators['rulings_not_tolerated']} not tolerated; "
            f"{indicators['clearings_cleared']} falsely accused cadres cleared.",
        },
    ]


def report_csv(report: dict[str, Any]) -> str:
    """The year's indicators, one row per indicator (days to close: mean, with count and median)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for indicator in INDICATORS:
        value = report["indicators"][indicator.code]
        section = SECTIONS[indicator.section][0]
        cells: tuple[Any, ...]
        if indicator.type == "rate":
            cells = (_blank(value["rate"]), value["numerator"], value["denominator"], "")
        elif indicator.type == "days":
            cells = (_blank(value["mean"]), "", value["count"], _blank(value["median"]))
        else:
            cells = (value, "", "", "")
        writer.writerow((section, indicator.code, indicator.zh, indicator.en, indicator.type, *cells))
    return UTF8_BOM + out.getvalue()


def percent(value: dict[str, Any]) -> str:
    """A rate as a percentage with one decimal, or a dash when nothing was counted."""
    if value["rate"] is None:
        return "—"
    return f"{value['rate'] * 100:.1f}%"


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _nothing(indicators: dict[str, Any]) -> dict[str, Any]:
    """Every indicator of no case at all, shaped like ``indicators``."""
    empty: dict[str, Any] = {}
    for indicator in INDICATORS:
        if indicator.type == "rate":
            empty[indicator.code] = {"numerator": 0, "denominator": 0, "rate": None}
        elif indicator.type == "days":
            empty[indicator.code] = {"count": 0, "mean": None, "median": None}
        elif indicator.type == "amount":
            empty[indicator.code] = "0.00"
        else:
            empty[indicator.code] = 0
    return {code: empty[code] for code in indicators}

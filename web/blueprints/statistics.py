"""Statistics by period and group, and the annual report as JSON, CSV or a self-contained HTML page."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask import Response
from marshmallow import ValidationError, fields, validate, validates_schema

from projections.report import annual_report, report_csv
from projections.report_html import report_html
from projections.statistics import GROUPINGS, INDICATORS, PERIODS, periods_of
from web.api import Blueprint
from web.messages import Message
from web.read_models import not_caught_up, read_models
from web.routing import authorized, problems
from web.schemas import LabelSchema, QueryArgs, moment, position_field

TAG = "Statistics"
STATISTICS_ERRORS = (401, 403, 404, 422, 429, 503)
PROJECTION = "statistics"
POSITION = "wait until the statistics have caught up with this log position"
FORMATS = {"json": "application/json", "csv": "text/csv", "html": "text/html"}

blp = Blueprint("statistics", __name__, tag=TAG, url_prefix="/api", description="Statistics and the annual report")

_CODES = ", ".join(f"{i.code} ({i.zh} / {i.en}: {i.type})" for i in INDICATORS)


def _as_of_field() -> fields.AwareDateTime:
    return moment(
        load_default=None, metadata={"description": "the moment open cases are judged overdue at (default: now)"}
    )


class StatisticsArgsSchema(QueryArgs):
    """Which periods, how to group them, and the read-your-writes position."""

    period = fields.String(load_default="year", validate=validate.OneOf(PERIODS))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    month = fields.Integer(
        validate=validate.Range(min=1, max=12), metadata={"description": "period=month only; default: every month"}
    )
    quarter = fields.Integer(
        validate=validate.Range(min=1, max=4), metadata={"description": "period=quarter only; default: every quarter"}
    )
    group_by = fields.String(validate=validate.OneOf(GROUPINGS))
    as_of = _as_of_field()
    min_position = position_field(POSITION)

    @validates_schema
    def _one_period(self, data: dict[str, Any], **_: Any) -> None:
        for name in ("month", "quarter"):
            if name in data and data["period"] != name:
                raise ValidationError(Message(f"only with period={name}", f"仅在 period={name} 时可用"), name)


class ReportArgsSchema(QueryArgs):
    as_of = _as_of_field()
    min_position = position_field(POSITION)


class GroupSchema(ma.Schema):
    key = fields.String(required=True)
    label = fields.Nested(LabelSchema, required=True)
    indicators = fields.Dict(required=True, metadata={"description": f"by indicator code: {_CODES}"})


class PeriodSchema(ma.Schema):
    period = fields.Dict(required=True, metadata={"description": "code, kind, zh, en, start and end day"})
    total = fields.Dict(
        required=True,
        metadata={
            "description": "by indicator code; a count is a number, a rate {numerator, denominator, rate}, "
            "days {count, mean, median}, an amount yuan as text"
        },
    )
    groups = fields.List(fields.Nested(GroupSchema), required=True)


class StatisticsSchema(ma.Schema):
    as_of = fields.String(required=True)
    group_by = fields.String(allow_none=True)
    publication_working_days = fields.Integer(required=True)
    periods = fields.List(fields.Nested(PeriodSchema), required=True)
    position = fields.Integer(
        required=True, metadata={"description": "the numbers reflect at least the log up to this position"}
    )


@blp.route("/statistics")
@authorized("read_statistics")
@problems(blp, *STATISTICS_ERRORS)
@blp.arguments(StatisticsArgsSchema, location="query", unknown=ma.RAISE)
@blp.response(200, StatisticsSchema, description="The indicators of each period, in total and per group")
def read_statistics(args: dict[str, Any]) -> Any:
    """Every indicator for a month, quarter or year (or each of them in a year), optionally grouped.

    Cases count in the period they came in; outcomes are as they stand now. Rates carry their
    numerator and denominator. Rulings and clearings group by unit only.
    """
    waited = not_caught_up(PROJECTION, args["min_position"], "the statistics")
    if waited is not None:
        return waited
    models = read_models()
    number = args.get("month") if args["period"] == "month" else args.get("quarter")
    chosen = periods_of(args["period"], args["year"], number)
    reached = models.position(PROJECTION)
    result = models.statistics.indicators(chosen, args.get("group_by"), as_of=args["as_of"])
    return result | {"position": reached}


REPORT_RESPONSES = {
    "200": {
        "description": "The year's indicator pack",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
}


@blp.route("/reports/<int(min=2000, max=2100):year>.<any(json, csv, html):fmt>")
@authorized("read_report")
@problems(blp, *STATISTICS_ERRORS)
@blp.doc(responses=REPORT_RESPONSES)
@blp.arguments(ReportArgsSchema, location="query", unknown=ma.RAISE)
def read_report(args: dict[str, Any], year: int, fmt: str) -> Response:
    """The annual report: headline, every indicator, per kind, per unit and per month.

    ``.json`` is the indicator pack, ``.csv`` one row per indicator (UTF-8 with a byte-order mark),
    ``.html`` a self-contained page with charts, Chinese first with English, to attach to the
    rule-of-law report.
    """
    waited = not_caught_up(PROJECTION, args["min_position"], "the statistics")
    if waited is not None:
        return waited
    models = read_models()
    reached = models.position(PROJECTION)
    report = annual_report(models.statistics, year, as_of=args["as_of"]) | {"position": reached}
    name = f"caseledger-report-{year}.{fmt}"
    if fmt == "json":
        body = json.dumps(report, ensure_ascii=False)
    elif fmt == "csv":
        body = report_csv(report)
    else:
        body = report_html(report)
    disposition = "attachment" if fmt == "csv" else "inline"
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response

"""Search and lists in the console, and the list exported as a ledger (台账): CSV, or a spreadsheet.

Lists never carry identities, and descriptions only for those who may read them (as the API's lists)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import xlsxwriter
from flask import render_template, request
from werkzeug.wrappers import Response

from domain.actor import Actor
from projections.case_listing import MAX_PER_PAGE
from web.auth import current_actor
from web.blueprints.cases import CaseListArgs, case_list_page
from web.console.pages import blp
from web.console.session import signed_in

MAX_EXPORT = 10_000
"""The most rows one export holds; a larger list asks for narrower filters."""
COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "编号"),
    ("kind", "类型"),
    ("status", "状态"),
    ("category", "类别"),
    ("channel", "渠道"),
    ("village", "村/社区"),
    ("grid_cell", "网格"),
    ("lead_unit", "主办单位"),
    ("filed_at", "登记时间"),
    ("deadline", "期限"),
    ("clock_status", "计时"),
    ("description", "情况描述"),
)
FILTERS = ("text", "kind", "status", "category", "village", "unit", "channel", "filed_from", "filed_to")


def _args(page: int | None = None, per_page: int = 20) -> dict[str, Any]:
    sent = {k: v for k, v in request.args.items() if k in FILTERS and v}
    loaded: dict[str, Any] = CaseListArgs().load(
        {**sent, "page": str(page or request.args.get("page", "1")), "per_page": str(per_page)}
    )
    return loaded


@blp.get("/cases")
@signed_in
def search() -> str:
    """Cases by number or text, kind, status, category, village, unit, channel and filing dates; paged."""
    page = case_list_page(current_actor(), _args())
    filters = {k: v for k, v in request.args.items() if k in FILTERS and v}
    return render_template("console/cases.html", actor=current_actor(), page=page, filters=filters)


@blp.get("/cases.<any(csv, xlsx):fmt>")
@signed_in
def export(fmt: str) -> Response:
    """The whole filtered list (up to :data:`MAX_EXPORT` rows) as CSV (UTF-8 with a byte-order mark, as
    spreadsheet programs in China expect) or as an .xlsx workbook."""
    rows = list(_rows(current_actor()))
    if fmt == "csv":
        response = Response(_csv(rows), mimetype="text/csv")
    else:
        response = Response(
            _workbook(rows), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response.headers["Content-Disposition"] = f'attachment; filename="caseledger-cases.{fmt}"'
    return response


def _rows(actor: Actor) -> Iterator[list[str]]:
    number = 1
    while True:
        page = case_list_page(actor, _args(number, MAX_PER_PAGE))
        for item in page["items"]:
            yield [_cell(item.get(name)) for name, _ in COLUMNS]
        if number * MAX_PER_PAGE >= min(page["total"], MAX_EXPORT):
            return
        number += 1


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("zh", ""))
    return "" if value is None else str(value)


def _csv(rows: list[list[str]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([zh for _, zh in COLUMNS])
    writer.writerows(rows)
    return "\ufeff" + text.getvalue()


def _workbook(rows: list[list[str]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("案件台账")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [zh for _, zh in COLUMNS], bold)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)  # every cell as text: a case number is never a formula
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()

"""The console's pages: each role's home, a queue, a case with the actions its reader may take, and the
filing forms. Every page calls the same use cases as the API, as the signed-in user, and loads what a
form sends with the schema the API loads it with."""

from __future__ import annotations

import itertools
from typing import Any
from uuid import UUID, uuid4

import marshmallow as ma
from flask import Blueprint, g, redirect, render_template, request
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.wrappers import Response

from application.errors import Forbidden
from application.permissions import allowed
from domain.actor import Role
from domain.case import Case
from domain.kinds import CaseKind
from domain.time import local_date, now
from projections.queues import QUEUES
from projections.report import annual_report
from projections.report_html import report_body
from web.actions import COMPLAINT, DISPUTE, ENFORCEMENT, SHARED, Action
from web.auth import current_actor
from web.blueprints.kinds import FILINGS, Filing
from web.blueprints.queues import QueueArgsSchema, queue_named, queue_page
from web.console.forms import FormField, form_fields, load_form, refused_fields
from web.console.labels import FIELD_LABELS
from web.console.session import CSRF_FIELD, csrf_token, signed_in
from web.problems import PROBLEM_ERRORS, problem_for
from web.read_models import read_models
from web.schemas import QueryArgs
from web.state import ledger

blp = Blueprint(
    "console", __name__, template_folder="../templates", static_folder="../static", static_url_path="/assets"
)

HOME_QUEUES: dict[Role, tuple[str, ...]] = {
    Role.CLERK: ("intake", "follow_up", "due_soon", "overdue"),
    Role.HANDLER: ("my_unit", "mediation", "due_soon", "overdue"),
    Role.SUPERVISOR: ("intake", "dispatch", "overdue", "due_soon", "supervised"),
    Role.LEGAL_REVIEWER: ("legality_review", "hearings"),
    Role.DISCIPLINE: ("rulings_pending", "supervised", "overdue"),
    Role.STATISTICIAN: ("overdue", "due_soon"),
}
"""What each role opens in the morning (shared/domain.md §6), in the order its home lists them; a queue the
role may not read is left out."""
HOME_ROWS = 10
ACTIONS: dict[CaseKind, list[Action]] = {
    CaseKind.COMPLAINT: COMPLAINT + SHARED,
    CaseKind.DISPUTE: DISPUTE + SHARED,
    CaseKind.ENFORCEMENT: ENFORCEMENT + SHARED,
}
INVALID = {"status": 422, "title_zh": "请求内容不合法"}


class ReportYearSchema(QueryArgs):
    year = ma.fields.Integer(
        load_default=lambda: local_date(now()).year, validate=ma.validate.Range(min=2000, max=2100)
    )


@blp.context_processor
def _page_globals() -> dict[str, Any]:
    return {
        "actor": g.get("actor"),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token,
        "filings": {k: f for k, f in FILINGS.items() if "actor" in g and allowed(g.actor, f.use_case)},
        "blank": MultiDict(),
        "all_kinds": list(CaseKind),
        "group_label": _group_label,
        "may": lambda action: "actor" in g and allowed(g.actor, action),
    }


@blp.app_template_filter("groupby_order")
def _groupby_order(fields: list[FormField], attribute: str) -> list[tuple[str, list[FormField]]]:
    """Runs of consecutive fields with the same ``attribute`` (a form's fieldsets, in the schema's order)."""
    return [(key, list(run)) for key, run in itertools.groupby(fields, key=lambda f: str(getattr(f, attribute)))]


def _group_label(group: str) -> str:
    """A fieldset's legend: ``location`` is 地点, ``parties.0`` is 当事人 1."""
    name, _, row = group.partition(".")
    zh = FIELD_LABELS.get(name, (name, name))[0] if name != "location" else "地点"
    return f"{zh} {int(row) + 1}" if row else zh


@blp.errorhandler(HTTPException)
def _error_page(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    problem = {"status": status, "title_zh": "请求未能办理", "detail_zh": error.description}
    return render_template("console/error.html", problem=problem), status


def _problem_page(error: Exception) -> tuple[str, int]:
    """A refusal the API would answer with a problem, shown as a page: its Chinese title and detail."""
    problem = problem_for(error)
    return render_template("console/error.html", problem=problem), int(problem["status"])


for _refusal in PROBLEM_ERRORS:
    blp.register_error_handler(_refusal, _problem_page)


@blp.errorhandler(ma.ValidationError)
def _invalid_query_page(error: ma.ValidationError) -> tuple[str, int]:
    return render_template("console/error.html", problem={**INVALID, "errors": refused_fields(error)}), 422


@blp.get("/")
@signed_in
def home() -> str:
    """The queues of the user's morning work, each with its count and its first rows by deadline."""
    actor = current_actor()
    queues = []
    for code in HOME_QUEUES.get(actor.role, ()):
        try:
            queues.append(queue_page(actor, QUEUES[code], {"page": 1, "per_page": HOME_ROWS}))
        except Forbidden:
            continue
    return render_template("console/home.html", actor=actor, queues=queues)


@blp.get("/queues/<string:name>")
@signed_in
def queue(name: str) -> str:
    """One queue, filtered and paged as ``GET /api/queues/<name>`` is, with the same query fields."""
    args = QueueArgsSchema().load({k: v for k, v in request.args.items() if v})
    page = queue_page(current_actor(), queue_named(name), args)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("console/queue.html", actor=current_actor(), page=page, name=name, filters=filters)


@blp.get("/report")
@signed_in
def report() -> str:
    """The annual rule-of-law report of a year (this year's by default) inside the console, printable."""
    ledger().authorize(current_actor(), "read_report")
    year = ReportYearSchema().load({k: v for k, v in request.args.items() if v})["year"]
    models = read_models()
    sections = report_body(annual_report(models.statistics, year, as_of=None))
    return render_template("console/report.html", actor=current_actor(), year=year, sections=Markup(sections))


@blp.get("/cases/<uuid:case_id>")
@signed_in
def case_page(case_id: UUID) -> str | tuple[str, int]:
    return render_case_page(case_id)


@blp.get("/cases/<uuid:case_id>/<string:path>")
def back_to_case(case_id: UUID, path: str) -> Response:
    """The address an action was sent to, opened again (a reload after a refusal): the case page."""
    return redirect(f"/cases/{case_id}", 303)


@blp.post("/cases/<uuid:case_id>/<string:path>")
@signed_in
def act(case_id: UUID, path: str) -> Response | str | tuple[str, int]:
    """Take one action on the case at the version the page showed; back to the case page either way."""
    actor = current_actor()
    kind = CaseKind.parse(ledger().view_case(actor, case_id)["kind"]["code"], "kind")
    action = next((a for a in ACTIONS[kind] if a.path == path), None)
    if action is None:
        raise NotFound(f"a {kind.en.lower()} has no action {path!r}")
    body, errors = load_form(action.schema, request.form)
    if body is None:
        return render_case_page(case_id, {**INVALID, "errors": errors}, action.path, request.form)
    version = request.form.get("version", "")
    try:
        getattr(ledger(), action.use_case)(case_id, int(version) if version.isdigit() else 0, actor, **body)
    except PROBLEM_ERRORS as error:
        return render_case_page(case_id, problem_for(error), action.path, request.form)
    return redirect(f"/cases/{case_id}?done={action.path}", 303)


@blp.route("/file/<string:kind>", methods=["GET", "POST"])
@signed_in
def file_case(kind: str) -> Response | str | tuple[str, int]:
    """A filing form; it carries its own filing key, so a second click of its button files nothing more."""
    filing = FILINGS[CaseKind.parse(kind, "kind")]
    ledger().authorize(current_actor(), filing.use_case)
    if request.method == "GET":
        return _filing_page(filing, uuid4().hex)
    key = request.form.get("filing_key", "")
    body, errors = load_form(filing.schema, request.form)
    if body is None or not key:
        return _filing_page(filing, key or uuid4().hex, {**INVALID, "errors": errors}, request.form)
    try:
        result = getattr(ledger(), filing.use_case)(key, current_actor(), **body)
    except PROBLEM_ERRORS as error:
        return _filing_page(filing, key, problem_for(error), request.form)
    return redirect(f"/cases/{result.id}?done=filed", 303)


def _filing_page(
    filing: Filing, key: str, problem: dict[str, Any] | None = None, sent: MultiDict[str, str] | None = None
) -> str | tuple[str, int]:
    page = render_template(
        "console/file.html",
        actor=current_actor(),
        filing=filing,
        fields=form_fields(filing.schema),
        key=key,
        problem=problem,
        errors=_by_field(problem),
        sent=sent or MultiDict(),
    )
    return (page, int(problem["status"])) if problem else page


def render_case_page(
    case_id: UUID,
    problem: dict[str, Any] | None = None,
    failed: str = "",
    sent: MultiDict[str, str] | None = None,
    revealed: list[dict[str, Any]] | None = None,
) -> str | tuple[str, int]:
    """The case as its reader may see it, its history as a timeline, and the forms of the actions the
    reader may take now; after a refused action, that action's form as it was sent, with why; after a
    recorded reading, the parties' identities (``revealed``), shown on this page only."""
    actor = current_actor()
    case = ledger().view_case(actor, case_id)
    history = ledger().view_history(actor, Case, case_id)
    kind = CaseKind.parse(case["kind"]["code"], "kind")
    actions = ACTIONS[kind]
    now_open = set(ledger().view_open_actions(actor, Case, case_id, {a.transition: a.use_case for a in actions}))
    page = render_template(
        "console/case.html",
        actor=actor,
        case=case,
        history=history,
        forms=[(a, form_fields(a.schema)) for a in actions if a.transition in now_open],
        labels={a.path: FILINGS[kind].case_class.LIFECYCLE[a.transition].zh for a in actions},
        problem=problem,
        errors=_by_field(problem),
        failed=failed,
        sent=sent or MultiDict(),
        done=request.args.get("done", ""),
        revealed=revealed,
        may_read_identities=allowed(actor, "read_identity"),
        readings=ledger().read_access_log(actor, case_id) if allowed(actor, "read_access_log") else None,
    )
    return (page, int(problem["status"])) if problem else page


def _by_field(problem: dict[str, Any] | None) -> dict[str, str]:
    """Each refused field's Chinese message, by the name its input posts."""
    return {e["field"]: e["message_zh"] for e in (problem or {}).get("errors", [])}

"""The discipline committee's pages: the registers of tolerated-error rulings and clearings per cadre, the
audit chain's status, and the reading of a case's protected identities with its stated reason."""

from __future__ import annotations

from uuid import UUID

import marshmallow as ma
from flask import render_template, request
from marshmallow import fields

from application.permissions import allowed
from web.auth import current_actor
from web.console.forms import refused_fields
from web.console.pages import INVALID, blp, render_case_page
from web.console.session import signed_in
from web.schemas import SHORT, Strict, text
from web.state import ledger


class IdentityReadingForm(Strict):
    csrf = text(long=False)
    reason = text()


class CadreQuery(Strict):
    cadre_id = fields.String(load_default="", validate=SHORT)


@blp.get("/discipline")
@signed_in
def registers() -> str:
    """Rulings and clearings per cadre (all cadres, or the one asked for) and the chain's head."""
    actor = current_actor()
    cadre = CadreQuery().load(request.args.to_dict()).get("cadre_id") or None
    return render_template(
        "console/discipline.html",
        actor=actor,
        cadre_id=cadre or "",
        rulings=ledger().read_ruling_register(actor, cadre),
        clearings=ledger().read_clearing_register(actor, cadre),
        chain=ledger().read_chain_status(actor) if allowed(actor, "read_chain_status") else None,
    )


@blp.post("/cases/<uuid:case_id>/identities")
@signed_in
def read_identities(case_id: UUID) -> str | tuple[str, int]:
    """Show the case's protected identities, once, after recording who reads them and why."""
    try:
        reason = IdentityReadingForm().load(request.form.to_dict())["reason"]
    except ma.ValidationError as error:
        return render_case_page(case_id, {**INVALID, "errors": refused_fields(error)}, "identities", request.form)
    revealed = ledger().read_identity(current_actor(), case_id, reason)
    return render_case_page(case_id, revealed=revealed)

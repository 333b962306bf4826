"""The caseledger application: every use case, on one eventsourcing Application per process."""

from __future__ import annotations

from application.audit_queries import AuditQueries
from application.complaints import ComplaintUseCases
from application.disputes import DisputeUseCases
from application.enforcement import EnforcementUseCases
from application.identities import IdentityUseCases
from application.queries import Queries
from application.registers import RegisterUseCases
from application.rulings import RulingUseCases
from application.shared_use_cases import SharedUseCases
from application.signin import SignInUseCases


class CaseLedger(
    SignInUseCases,
    ComplaintUseCases,
    DisputeUseCases,
    EnforcementUseCases,
    RulingUseCases,
    SharedUseCases,
    Queries,
    AuditQueries,
    IdentityUseCases,
    RegisterUseCases,
):
    """Complaints, disputes, enforcement cases, rulings and clearings, recorded as events."""

    name = "CaseLedger"

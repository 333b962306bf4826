"""The caseledger application: every use case, on one eventsourcing Application per process."""

from __future__ import annotations

from application.accounts import AccountUseCases
from application.audit_queries import AuditQueries
from application.complaints import ComplaintUseCases
from application.config import Settings
from application.disputes import DisputeUseCases
from application.enforcement import EnforcementUseCases
from application.identities import IdentityUseCases
from application.queries import Queries
from application.registers import RegisterUseCases
from application.rulings import RulingUseCases
from application.shared_use_cases import SharedUseCases
from domain.calendar import WorkingCalendar
from domain.rules import RuleTable


class CaseLedger(
    AccountUseCases,
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


def build_ledger(settings: Settings | None = None, *, create_tables: bool = False) -> CaseLedger:
    """Build the process's one ledger from the environment's settings."""
    settings = Settings.from_env() if settings is None else settings
    calendar = WorkingCalendar.default()
    if settings.calendar_dir is not None:
        calendar = calendar.overlaid(WorkingCalendar.from_directory(settings.calendar_dir))
    rules = RuleTable.statutory().overridden(settings.rule_overrides())
    return CaseLedger(settings, calendar, rules, create_tables=create_tables)

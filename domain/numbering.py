"""Human-readable case numbers per kind and year (TS-2026-000042), issued by a sequence aggregate.

The sequence is saved in the same transaction as the case it numbers, so two concurrent
filings cannot take one number: the second save conflicts on the sequence's version and is
retried with the next number.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.kinds import CaseKind


class CaseNumberSequence(Aggregate):
    """The numbers issued so far for one kind of case in one year."""

    @staticmethod
    def create_id(kind: CaseKind, year: int) -> UUID:
        return sequence_id(kind, year)

    @event("Started")
    def __init__(self, *, kind: CaseKind, year: int) -> None:
        self.kind = kind
        self.year = year
        self.last = 0

    def issue(self, case_id: UUID) -> str:
        """Issue the next number to ``case_id`` and return it."""
        self._issued(number=self.last + 1, case_id=case_id)
        return format_number(self.kind, self.year, self.last)

    @event("Issued")
    def _issued(self, number: int, case_id: UUID) -> None:
        self.last = number


def sequence_id(kind: CaseKind, year: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"caseledger:/numbers/{kind.code}/{year}")


def format_number(kind: CaseKind, year: int, n: int) -> str:
    return f"{kind.prefix}-{year}-{n:06d}"

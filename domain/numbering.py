"""Human-readable case numbers per kind and year: TS-2026-000042, JF-…, ZF-…."""

from __future__ import annotations

from domain.kinds import CaseKind


def format_number(kind: CaseKind, year: int, n: int) -> str:
    return f"{kind.prefix}-{year}-{n:06d}"

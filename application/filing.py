"""Filing a case: idempotent by filing key, numbered per kind and year without duplicates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from application.core import CommandResult, fingerprint
from application.errors import Conflict, IdempotencyKeyReused
from application.register_checks import RegisterChecks
from application.sealing import protect_parties
from domain.actor import Actor
from domain.case import Case, case_id_for
from domain.kinds import Channel
from domain.numbering import format_number
from domain.registers.refs import DEFAULT_OFFICE
from domain.time import local_date
from domain.values import require_text

C = TypeVar("C", bound=Case)


class Filing(RegisterChecks):
    def file_case(
        self,
        case_class: type[C],
        filing_key: str,
        actor: Actor,
        at: datetime | None,
        content: dict[str, Any],
        action: str,
        **details: Any,
    ) -> CommandResult:
        """File a new case of ``case_class`` from ``content`` (category, channel, location,
        description, parties) plus the kind's own ``details``.

        A retry with the same key returns the case filed first (also when two arrive at
        once: the second save conflicts on the case id); the same key with different content
        raises :class:`IdempotencyKeyReused`. The category and the location are checked against the
        office's registers as of the filing (a retry answers the case even if they have changed since),
        and the case records the time limits its category sets then, which its clocks run on. The number
        comes from the store's counter.
        """
        self.authorize(actor, action)
        key = require_text(filing_key, "filing_key", 200)
        moment = self.moment(at)
        case_class.check_filing(at=moment, **content)
        digest = fingerprint(content | details)
        case_id = case_id_for(case_class.KIND, key)
        fields = content | {
            "category": case_class.CATEGORY.parse(content["category"], "category"),
            "channel": Channel.parse(content["channel"], "channel"),
            "description": content["description"].strip(),
            "parties": protect_parties(self, content["parties"]),
        }
        if self.exists(case_id):
            return self._existing(case_class, case_id, key, digest)
        limits = self.check_category(DEFAULT_OFFICE, case_class.KIND, fields["category"].code, moment)
        self.check_location(DEFAULT_OFFICE, fields["location"], moment)
        n = self.numbers.next(case_class.KIND.prefix, local_date(moment).year)
        build: Callable[..., C] = case_class
        case = build(
            number=format_number(case_class.KIND, local_date(moment).year, n),
            filing_key=key,
            fingerprint=digest,
            actor=actor,
            at=moment,
            limits=tuple(limits),
            **fields,
            **details,
        )
        try:
            return self.commit(case)
        except Conflict:
            return self._existing(case_class, case_id, key, digest)

    def _existing(self, case_class: type[C], case_id: Any, key: str, digest: str) -> CommandResult:
        case = self.load(case_class, case_id, case_class.KIND.en.lower())
        if case.fingerprint != digest:
            raise IdempotencyKeyReused(key, case_id)
        return self.retried(case, case.number)

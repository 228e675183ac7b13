"""Known issues waive failures only with a ticket and until an expiry date; an expired one fails the gate."""

from __future__ import annotations

from loanqa.gate.context import GateInput
from loanqa.gate.verdict import RuleResult


def check(gi: GateInput) -> list[RuleResult]:
    issues = gi.policy.known_issues
    if not issues:
        return []
    expired = [k for k in issues if k.expires < gi.today]
    waived = [(t, w) for t in gi.results.tests if (w := gi.waiver_for(t)) is not None]
    detail = (f"{len(expired)} of {len(issues)} known issues expired" if expired
              else f"{len(issues)} known issues valid, {len(waived)} results waived")
    offenders = tuple(f"{k.ticket} ({k.match}) expired on {k.expires.isoformat()}: fix it or renew the waiver"
                      for k in expired)
    waived_note = tuple(f"waived by {w.ticket} until {w.expires.isoformat()}: {t.describe()}" for t, w in waived)
    return [RuleResult("known_issues", "Known issues have a ticket and are not expired", not expired, detail,
                       offenders + waived_note if expired else waived_note)]

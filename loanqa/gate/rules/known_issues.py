"""Known issues waive failures only with a ticket, for one named test, until an expiry within the policy's
maximum lifetime, and never in a critical feature the policy does not let them waive."""

from __future__ import annotations

from loanqa.gate.context import GateInput, matches
from loanqa.gate.verdict import RuleResult


def check(gi: GateInput) -> list[RuleResult]:
    issues = gi.policy.known_issues
    if not issues:
        return []
    latest = gi.latest_expiry
    expired = [f"{k.ticket} ({k.match}) expired on {k.expires.isoformat()}: fix it or renew the waiver"
               for k in issues if k.expires < gi.today]
    too_long = [f"{k.ticket} ({k.match}) expires {k.expires.isoformat()}, after {latest.isoformat()} "
                f"(waivers.max_days {gi.policy.waivers.max_days}): it waives nothing"
                for k in issues if k.expires > latest]
    refused = [f"{k.ticket} ({k.match}) cannot waive {t.describe()}: critical feature {feature!r} is not in "
               "critical.waivable" for t in gi.results.tests if t.status != "passed"
               and (feature := gi.unwaivable_feature(t)) is not None
               for k in gi.active_issues() if matches(k.match, t)]
    waived = [f"waived by {w.ticket} until {w.expires.isoformat()}: {t.describe()}"
              for t in gi.results.tests if (w := gi.waiver_for(t)) is not None]
    bad = expired + too_long + refused
    detail = (f"{len(bad)} problem(s) with {len(issues)} known issues" if bad
              else f"{len(issues)} known issues valid, {len(waived)} results waived")
    return [RuleResult("known_issues", "Known issues: a ticket, one named test, a bounded expiry", not bad, detail,
                       tuple(bad + waived))]

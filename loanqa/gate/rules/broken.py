"""A ceiling on broken results: infrastructure trouble hides product defects, so it is bounded."""

from __future__ import annotations

from loanqa.gate.context import GateInput
from loanqa.gate.verdict import RuleResult

_BROKEN = frozenset({"broken"})


def check(gi: GateInput) -> list[RuleResult]:
    b = gi.policy.broken
    tests = gi.results.tests
    broken = gi.failing(tests, _BROKEN)
    offenders = tuple(t.describe() for t in broken)
    out = []
    if b.max_count is not None:
        ok = len(broken) <= b.max_count
        out.append(RuleResult("broken.max_count", "Maximum broken (infrastructure) results", ok,
                              f"{len(broken)} broken, at most {b.max_count} allowed", () if ok else offenders))
    if b.max_rate is not None:
        rate = len(broken) / len(tests) if tests else 1.0
        ok = rate <= b.max_rate
        out.append(RuleResult("broken.max_rate", "Maximum share of broken results", ok,
                              f"{rate:.1%} broken, at most {b.max_rate:.1%} allowed", () if ok else offenders))
    return out

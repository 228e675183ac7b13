"""Flaky tests (failed, then passed on retry): counted from the retries allure-results keep."""

from __future__ import annotations

from loanqa.gate.context import GateInput
from loanqa.gate.verdict import RuleResult


def check(gi: GateInput) -> list[RuleResult]:
    limit = gi.policy.max_flaky
    if limit is None:
        return []
    names = sorted({a.name for a in gi.results.flaky})
    ok = len(names) <= limit
    offenders = tuple(a.describe() + " (passed on retry)" for a in gi.results.flaky)
    return [RuleResult("max_flaky", "Maximum flaky tests", ok, f"{len(names)} flaky tests, at most {limit} allowed",
                       () if ok else offenders)]

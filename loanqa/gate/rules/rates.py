"""Pass rates overall, per device tier and per platform (Allure's successRate, broken down)."""

from __future__ import annotations

from loanqa.gate.context import GateInput
from loanqa.gate.results import TestResult
from loanqa.gate.verdict import RuleResult

_COUNTED = frozenset({"passed", "failed", "broken", "unknown"})  # skipped is left out, as in Allure
_BAD = frozenset({"failed", "broken", "unknown"})  # a test whose outcome is unknown did not pass


def check(gi: GateInput) -> list[RuleResult]:
    pr = gi.policy.pass_rate
    out = []
    if pr.overall is not None:
        out.append(_rate(gi, "pass_rate.overall", "Overall pass rate", list(gi.results.tests), pr.overall))
    for label, field, wanted in (("tier", "by_tier", pr.by_tier), ("platform", "by_platform", pr.by_platform)):
        groups = gi.group(label)
        for value, minimum in sorted(wanted.items()):
            out.append(_rate(gi, f"pass_rate.{field}.{value}", f"Pass rate, {label} {value}",
                             groups.get(value, []), minimum))
    return out


def _rate(gi: GateInput, rule: str, title: str, tests: list[TestResult], minimum: float) -> RuleResult:
    counted = [t for t in tests if t.status in _COUNTED]
    if not counted:
        return RuleResult(rule, title, False, f"no passed, failed, broken or unknown tests (need ≥ {minimum:.1%})",
                          (f"{title}: no results (missing from the run?)",))
    bad = gi.failing(counted, _BAD)
    rate = (len(counted) - len(bad)) / len(counted)
    ok = rate >= minimum
    return RuleResult(rule, title, ok, f"{rate:.1%} of {len(counted)} tests passed, at least {minimum:.1%} required",
                      () if ok else tuple(t.describe() for t in bad))

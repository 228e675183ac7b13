"""Failure counts: Allure's maxFailures and maxDuration, and zero failures in critical features."""

from __future__ import annotations

from loanqa.gate.context import GateInput, in_feature
from loanqa.gate.results import NOT_PASSED, TestResult
from loanqa.gate.verdict import RuleResult

_FAILED = frozenset({"failed"})
_FAILED_OR_BROKEN = frozenset({"failed", "broken"})


def check(gi: GateInput) -> list[RuleResult]:
    out = _critical(gi)
    limit = gi.policy.max_failures
    if limit is not None:
        bad = gi.failing(gi.results.tests, _FAILED)
        out.append(RuleResult("max_failures", "Maximum failed tests", len(bad) <= limit,
                              f"{len(bad)} failed (known issues excluded), at most {limit} allowed",
                              _names(bad) if len(bad) > limit else ()))
    ceiling = gi.policy.max_duration_ms
    if ceiling is not None:
        slow = [t for t in gi.results.tests if t.duration_ms > ceiling]
        out.append(RuleResult("max_duration", "Maximum test duration", not slow,
                              f"{len(slow)} tests longer than {ceiling} ms",
                              tuple(f"{t.describe()} took {t.duration_ms} ms" for t in slow)))
    return out


def _critical(gi: GateInput) -> list[RuleResult]:
    """A critical feature passes only on passed tests: skipped may be allowed, `unknown` never is."""
    crit = gi.policy.critical
    excused = frozenset({"skipped"}) if crit.allow_skipped else frozenset()
    out = []
    for feature in crit.features:
        tests = [t for t in gi.results.tests if in_feature(t, feature)]
        passed = sum(1 for t in tests if t.status == "passed")
        bad = gi.failing(tests, NOT_PASSED - excused)
        ok = passed >= crit.min_passed and not bad
        if not tests:
            detail = f"no tests found for critical feature {feature!r}"
            offenders: tuple[str, ...] = (f"feature={feature}: none found (missing from the results)",)
        else:
            detail = (f"{passed} passed (at least {crit.min_passed} required), {len(bad)} of {len(tests)} "
                      "not passed (must be 0)")
            short = () if passed >= crit.min_passed else (
                f"feature={feature}: {passed} passed, {crit.min_passed} required "
                f"({', '.join(sorted({t.status for t in tests if t.status != 'passed'}))} do not count)",)
            offenders = _names(bad) or short
        out.append(RuleResult(f"critical.{feature}", f"Critical feature {feature}: zero failures", ok, detail,
                              offenders))
    return out


def _names(tests: list[TestResult]) -> tuple[str, ...]:
    return tuple(t.describe() for t in tests)

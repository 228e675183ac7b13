"""Failure counts: Allure's maxFailures and maxDuration, and zero failures in critical features."""

from __future__ import annotations

from loanqa.gate.context import GateInput
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
    crit = gi.policy.critical
    statuses = _FAILED_OR_BROKEN if crit.allow_skipped else NOT_PASSED
    out = []
    for feature in crit.features:
        tests = [t for t in gi.results.tests if _in_feature(t, feature)]
        bad = gi.failing(tests, statuses)
        ok = bool(tests) and not bad
        detail = (f"no tests found for critical feature {feature!r}" if not tests
                  else f"{len(bad)} of {len(tests)} tests not passed (must be 0)")
        offenders = _names(bad) if tests else (f"feature={feature}: none found (missing from the results)",)
        out.append(RuleResult(f"critical.{feature}", f"Critical feature {feature}: zero failures", ok, detail,
                              offenders))
    return out


def _in_feature(t: TestResult, feature: str) -> bool:
    return feature in (t.labels.get("feature"), t.labels.get("epic"))


def _names(tests: list[TestResult]) -> tuple[str, ...]:
    return tuple(t.describe() for t in tests)

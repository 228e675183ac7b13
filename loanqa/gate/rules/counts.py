"""Minimum test counts: a run that lost a suite, platform or device must not look green.

`min_tests` counts results of any status; `min_passed` counts only passed ones, so a run whose tests were
all skipped or ended `unknown` (they did not run) cannot meet it.
"""

from __future__ import annotations

from collections.abc import Callable

from loanqa.gate.context import GateInput, group_by, in_feature
from loanqa.gate.results import TestResult
from loanqa.gate.verdict import RuleResult

_GROUPS = (("per_suite", "suite"), ("per_kind", "kind"), ("per_platform", "platform"), ("per_device", "device"))


def check(gi: GateInput) -> list[RuleResult]:
    mt = gi.policy.min_tests
    total = len(gi.results.tests)
    out = [RuleResult("min_tests.total", "Minimum number of tests", total >= mt.total,
                      f"{total} tests, at least {mt.total} required",
                      () if total >= mt.total else tuple(str(d) for d in gi.results.dirs))]
    for field, label in _GROUPS:
        out.extend(_per_group(gi.group(label), "min_tests", field, label, getattr(mt, field), "tests"))
    return out + _passed(gi)


def _passed(gi: GateInput) -> list[RuleResult]:
    mp = gi.policy.min_passed
    passed = [t for t in gi.results.tests if t.status == "passed"]
    n = len(passed)
    not_run = sum(1 for t in gi.results.tests if t.status in ("skipped", "unknown"))
    out = [RuleResult("min_passed.total", "Minimum number of passed tests", n >= mp.total,
                      f"{n} passed, at least {mp.total} required ({not_run} skipped or unknown do not count)",
                      () if n >= mp.total else (f"{n} of {len(gi.results.tests)} results passed",))]
    for field, label in _GROUPS:
        groups = group_by(passed, _label_of(label))
        out.extend(_per_group(groups, "min_passed", field, label, getattr(mp, field), "passed tests"))
    by_feature = {f: [t for t in passed if in_feature(t, f)] for f in mp.per_feature}
    out.extend(_per_group(by_feature, "min_passed", "per_feature", "feature", mp.per_feature, "passed tests"))
    return out


def _label_of(label: str) -> Callable[[TestResult], str | None]:
    return lambda t: t.labels.get(label)


def _per_group(groups: dict[str, list[TestResult]], family: str, field: str, label: str, minimum: dict[str, int],
               noun: str) -> list[RuleResult]:
    out = []
    for value, need in sorted(minimum.items()):
        got = len(groups.get(value, []))
        ok = got >= need
        offenders = () if ok else (f"{label}={value}: {got} of {need} {noun}"
                                   + (" (none found: missing from the results)" if not got else ""),)
        title = "Minimum tests" if family == "min_tests" else "Minimum passed tests"
        out.append(RuleResult(f"{family}.{field}.{value}", f"{title} for {label} {value}", ok,
                              f"{got} {noun}, at least {need} required", offenders))
    return out

"""Minimum test counts: a run that lost a suite, platform or device must not look green."""

from __future__ import annotations

from loanqa.gate.context import GateInput
from loanqa.gate.verdict import RuleResult

_GROUPS = (("per_suite", "suite"), ("per_kind", "kind"), ("per_platform", "platform"), ("per_device", "device"))


def check(gi: GateInput) -> list[RuleResult]:
    mt = gi.policy.min_tests
    total = len(gi.results.tests)
    out = [RuleResult("min_tests.total", "Minimum number of tests", total >= mt.total,
                      f"{total} tests, at least {mt.total} required",
                      () if total >= mt.total else tuple(str(d) for d in gi.results.dirs))]
    for field, label in _GROUPS:
        out.extend(_per_group(gi, field, label, getattr(mt, field)))
    return out


def _per_group(gi: GateInput, field: str, label: str, minimum: dict[str, int]) -> list[RuleResult]:
    groups = gi.group(label)
    out = []
    for value, need in sorted(minimum.items()):
        got = len(groups.get(value, []))
        ok = got >= need
        offenders = () if ok else (f"{label}={value}: {got} of {need} tests"
                                   + (" (none found: missing from the results)" if not got else ""),)
        out.append(RuleResult(f"min_tests.{field}.{value}", f"Minimum tests for {label} {value}", ok,
                              f"{got} tests, at least {need} required", offenders))
    return out

"""Rule families, one module each; a rule reads a GateInput and returns RuleResults, nothing else."""

from __future__ import annotations

from collections.abc import Callable

from loanqa.gate.context import GateInput
from loanqa.gate.rules import baseline, broken, counts, failures, flaky, known_issues, load_slo, rates, same_run
from loanqa.gate.verdict import RuleResult

Rule = Callable[[GateInput], list[RuleResult]]

FAMILIES: tuple[Rule, ...] = (
    same_run.check,
    counts.check,
    failures.check,
    rates.check,
    broken.check,
    flaky.check,
    load_slo.check,
    baseline.check,
    known_issues.check,
)


def run_all(gate_input: GateInput) -> list[RuleResult]:
    return [r for family in FAMILIES for r in family(gate_input)]

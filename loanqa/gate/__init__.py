"""Release gate: allure-results and load summaries judged against a YAML policy.

`evaluate(results_dirs, policy)` returns a Verdict; `render` turns it into text, Markdown or JSON.
"""

from __future__ import annotations

from loanqa.gate.evaluate import evaluate
from loanqa.gate.policy import Policy, load_policy
from loanqa.gate.verdict import RuleResult, Stats, Verdict

__all__ = ["Policy", "RuleResult", "Stats", "Verdict", "evaluate", "load_policy"]

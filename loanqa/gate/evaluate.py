"""The gate's library entry point: results + policy in, Verdict out. No printing, no exit codes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from loanqa.errors import ConfigError
from loanqa.gate.baseline import read_baseline
from loanqa.gate.context import GateInput
from loanqa.gate.policy import Policy
from loanqa.gate.results import ResultSet, read_results
from loanqa.gate.rules import run_all
from loanqa.gate.summaries import find_summaries, read_all
from loanqa.gate.verdict import Stats, Verdict


def evaluate(results_dirs: Sequence[Path], policy: Policy, *, summaries: Sequence[Path] = (),
             baseline: Path | None = None, today: dt.date | None = None, now: float | None = None) -> Verdict:
    """Raises ResultsError (exit 2) on missing, empty, corrupt or future-stamped input; otherwise every rule
    is judged. `baseline` is the previous run (its summary.json or folder) for the policy's `baseline` limits.
    `today` and `now` (epoch seconds) default to the clock; tests pin them."""
    if baseline is not None and policy.baseline is None:
        raise ConfigError("--baseline", "", str(baseline), f"policy {policy.name!r} sets no baseline.max_change "
                          "to compare with")
    dirs = [Path(d) for d in results_dirs]
    results = read_results(dirs, now=now)
    summary_paths = find_summaries(dirs, [Path(s) for s in summaries])
    base = read_baseline(Path(baseline)) if baseline is not None else None
    gi = GateInput(results, policy, read_all(summary_paths, [Path(s) for s in summaries]), today or dt.date.today(),
                   base)
    rules = tuple(run_all(gi))
    sources = tuple(str(d) for d in dirs) + tuple(str(p) for p in summary_paths)
    sources += (f"baseline: {base[0]}",) if base is not None else ()
    return Verdict(policy.name, rules, _stats(gi, results, len(summary_paths)), sources)


def _stats(gi: GateInput, results: ResultSet, n_summaries: int) -> Stats:
    by = Counter(t.status for t in results.tests)
    waived = sum(1 for t in results.tests if gi.waiver_for(t) is not None)
    return Stats(files=results.files, tests=len(results.tests), passed=by["passed"], failed=by["failed"],
                 broken=by["broken"], skipped=by["skipped"], unknown=by["unknown"], retried=results.retried,
                 flaky=len({t.history_id for t in results.flaky}), waived=waived, summaries=n_summaries)

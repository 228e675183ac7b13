"""The one SLO judge: objectives (`loanqa.slo`) against a load summary, for the load run and the gate alike.

Fails closed: an objective measured on fewer samples than it needs is `insufficient` (too few samples), never
passed; a per-profile objective judges every profile that had borrowers, so a profile whose borrowers never
finished is judged (and fails) rather than skipped. A missed objective lists every cause that counted
against it with its share; a latency miss with no failed requests names no cause instead of guessing one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from loanqa.journey_steps import AFTER_APPROVAL
from loanqa.load_summary import Funnel, LoadSummary, Outcomes, StepStats
from loanqa.slo import STEP_METRICS, CauseShare, Objective, SloResult, SloSet, Verdict


@dataclass(frozen=True)
class Scope:
    """What one objective is measured on: the whole run or one network profile."""

    steps: dict[str, StepStats]
    funnel: Funnel
    outcomes: Outcomes


def judge(slos: SloSet, summary: LoadSummary) -> list[SloResult]:
    return [r for objective in slos.slos for r in judge_objective(slos, objective, summary)]


def judge_objective(slos: SloSet, objective: Objective, summary: LoadSummary) -> list[SloResult]:
    """One result, or one per profile for `per_profile`."""
    profiles = sorted(summary.profiles) if objective.per_profile else [objective.profile]
    return [judge_one(objective, slos.samples_needed(objective), summary, p) for p in profiles]


def scope_of(summary: LoadSummary, profile: str | None) -> Scope:
    if profile is None:
        return Scope(summary.steps, summary.funnel, summary.outcomes)
    stats = summary.profiles.get(profile)
    return Scope(stats.steps, stats.funnel, stats.outcomes) if stats else Scope({}, Funnel(), Outcomes())


def measure(objective: Objective, scope: Scope) -> tuple[float | None, int]:
    """(value, samples): latency over the step's answers, failure rate over requests, payouts over approvals."""
    if objective.metric in STEP_METRICS:
        stats = scope.steps.get(objective.step or "")
        if stats is None or stats.latency.count == 0:
            return None, 0
        return (stats.latency.p95 if objective.metric == "p95_ms" else stats.latency.p99), stats.latency.count
    if objective.metric == "technical_failure_rate":
        chosen = _steps(objective, scope)
        total = sum(s.requests for s in chosen)
        failed = sum(n for s in chosen for c, n in s.failures.items() if objective.counts(c))
        return (failed / total if total else None), total
    return scope.funnel.disbursement_rate, scope.funnel.approved


def judge_one(objective: Objective, needed: int, summary: LoadSummary, profile: str | None) -> SloResult:
    scope = scope_of(summary, profile)
    actual, samples = measure(objective, scope)
    enough = actual is not None and samples >= needed
    passed = enough and objective.met_by(actual)  # type: ignore[arg-type]
    verdict: Verdict = "passed" if passed else ("failed" if enough else "insufficient")
    causes = [] if passed else cause_shares(objective, scope)
    return SloResult(name=objective.label(profile), metric=objective.metric, threshold=objective.threshold,
                     bound="max" if objective.max is not None else "min", actual=actual, passed=passed,
                     verdict=verdict, samples=samples, min_samples=needed,
                     step=objective.step, profile=profile, causes=causes,
                     detail=_detail(objective, actual, samples, needed, causes))


def _detail(objective: Objective, actual: float | None, samples: int, needed: int, causes: list[CauseShare]) -> str:
    shown = "no data" if actual is None else f"{actual:.4g}"
    counted = f" ({', '.join(c.value for c in objective.causes)})" if objective.causes else ""
    text = f"{objective.metric}{counted} {shown}, objective {objective.objective_text()}, {samples} samples"
    if actual is None or samples < needed:
        text += f" (too few samples: at least {needed} needed)"
    if causes:
        text += "; causes: " + ", ".join(f"{c.cause} {c.share:.0%} ({c.count})" for c in causes)
    elif actual is not None and samples >= needed and objective.metric in STEP_METRICS and not objective.met_by(actual):
        text += "; slow answers, no failed requests on this step"
    return text


def _steps(objective: Objective, scope: Scope) -> list[StepStats]:
    if objective.step:
        return [scope.steps[objective.step]] if objective.step in scope.steps else []
    return list(scope.steps.values())


def cause_shares(objective: Objective, scope: Scope) -> list[CauseShare]:
    """Every cause that counted against the objective, largest first, with its share of them all."""
    counts: Counter[str] = Counter()
    if objective.metric == "disbursement_success":
        counts.update(_lost_after_approval(scope.outcomes))
    else:
        rate = objective.metric == "technical_failure_rate"
        for stats in _steps(objective, scope):
            counts.update({c.value: n for c, n in stats.failures.items() if not rate or objective.counts(c)})
    total = sum(counts.values())
    return [CauseShare(cause=c, count=n, share=n / total) for c, n in counts.most_common() if n]


def _lost_after_approval(outcomes: Outcomes) -> dict[str, int]:
    """Approved loans (not presses) that did not pay out, by the cause that ended them on a step after approval,
    or `unfinished:<step>` for borrowers still on such a step when the run ended: a failure at `otp` never
    explains a loan that was never approved."""
    out = {c.value: n for c, n in outcomes.failed_after_approval.items()}
    out.update({f"unfinished:{s}": n for s, n in outcomes.unfinished.items() if s in AFTER_APPROVAL})
    return out

"""Regression against the previous run (Allure 3's metricMaxDelta): each load metric may worsen by at most
the policy's limit; the verdict shows the baseline value, this run's value and the change. A metric measured on
fewer samples than the floor on either side is `insufficient`, never compared."""

from __future__ import annotations

from pathlib import Path

from loanqa.gate.context import GateInput
from loanqa.gate.policy import Baseline, MaxChange
from loanqa.gate.verdict import RuleResult
from loanqa.load_summary import LoadSummary
from loanqa.slo import STEP_METRICS, Objective
from loanqa.slo_judge import measure, scope_of


def check(gi: GateInput) -> list[RuleResult]:
    policy = gi.policy.baseline
    if policy is None:
        return []
    if gi.baseline is None:
        return [RuleResult("baseline.given", "Baseline run to compare with", not policy.required,
                           "no --baseline given" + (" (the policy requires one)" if policy.required else ""),
                           ("run `loanqa gate --baseline PREVIOUS_SUMMARY_OR_RUN`",) if policy.required else ())]
    base_path, base = gi.baseline
    if not gi.summaries:
        return [RuleResult("baseline.current", "Load summary to compare with the baseline", False,
                           "no load summary of this run to compare with the baseline", (str(base_path),))]
    out = []
    for path, current in gi.summaries:
        if current.run_id == base.run_id:
            out.append(RuleResult("baseline.distinct", "Baseline is an earlier run", False,
                                  f"the baseline is run {base.run_id} itself", (f"{base_path} and {path}",)))
        out.extend(_compare(policy, limit, base_path, base, path, current) for limit in policy.max_change)
    return out


def _compare(policy: Baseline, limit: MaxChange, base_path: Path, base: LoadSummary, path: Path,
             current: LoadSummary) -> RuleResult:
    what = " ".join(x for x in (limit.step, limit.metric) if x) + (f" [{limit.profile}]" if limit.profile else "")
    rule = "baseline." + ".".join(x for x in (limit.metric, limit.step, limit.profile) if x)
    title = f"Regression vs baseline: {what}"
    (before, n_before), (after, n_after) = _value(limit, base), _value(limit, current)
    if before is None or after is None:
        missing = f"baseline {base.run_id} ({base_path})" if before is None else f"run {current.run_id} ({path})"
        return RuleResult(rule, title, False, f"{what}: not measured in {missing}: cannot compare",
                          (f"{missing}: no {what}",))
    floor = limit.min_samples or policy.min_samples
    if min(n_before, n_after) < floor:
        warn = policy.too_few_samples == "warn"
        detail = (f"insufficient (baseline.too_few_samples: {policy.too_few_samples}): {what} on {n_before} "
                  f"samples in baseline {base.run_id} and {n_after} in this run; needs {floor} on each side")
        return RuleResult(rule, title, warn, detail, (f"{what}: {detail} ({base_path} → {path})",), warning=warn)
    worse_if_higher = limit.metric != "disbursement_success"
    shown = f"{_fmt(limit, before)} → {_fmt(limit, after)}"
    if limit.max_worse_pp is not None:
        change = (after - before) * 100
        worse = change if worse_if_higher else -change
        ok = worse <= limit.max_worse_pp + 1e-9
        detail = (f"{shown} ({change:+.2f} pp; may worsen by at most {limit.max_worse_pp:g} pp) "
                  f"vs baseline {base.run_id}")
    else:
        change_pct = _pct(before, after)
        worse = change_pct if worse_if_higher else -change_pct
        ok = worse <= (limit.max_worse_pct or 0) + 1e-9
        detail = (f"{shown} ({change_pct:+.1f} %; may worsen by at most {limit.max_worse_pct:g} %) "
                  f"vs baseline {base.run_id}")
    return RuleResult(rule, title, ok, detail, () if ok else (f"{what}: {detail} ({base_path} → {path})",))


def _value(limit: MaxChange, s: LoadSummary) -> tuple[float | None, int]:
    # measure() reads only an objective's metric, step and profile; the bound here is a placeholder.
    probe = Objective(metric=limit.metric, step=limit.step, profile=limit.profile, max=0)
    value, samples = measure(probe, scope_of(s, limit.profile))
    return (value if samples else None), samples


def _pct(before: float, after: float) -> float:
    if before == 0:
        return 0.0 if after == 0 else float("inf") * (1 if after > 0 else -1)
    return (after - before) / before * 100


def _fmt(limit: MaxChange, value: float) -> str:
    return f"{value:g} ms" if limit.metric in STEP_METRICS else f"{value:.2%}"

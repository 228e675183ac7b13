"""Load SLOs from `summary.json`: per step and network profile, plus the SLO verdicts the load run made."""

from __future__ import annotations

from pathlib import Path

from loanqa.gate.context import GateInput
from loanqa.gate.policy import Load, StepSlo
from loanqa.gate.verdict import RuleResult
from loanqa.load_summary import LoadSummary, StepStats


def check(gi: GateInput) -> list[RuleResult]:
    load = gi.policy.load
    if load is None:
        return []
    if not gi.summaries:
        searched = tuple(f"{d}: no summary.json in it or next to it" for d in gi.results.dirs)
        return [RuleResult("load.summary", "Load summary present", not load.required,
                           "no summary.json found in or next to the results directories"
                           + (" (the policy requires a load run)" if load.required else ""),
                           searched if load.required else ())]
    out: list[RuleResult] = []
    for path, summary in gi.summaries:
        out.extend(_summary_rules(load, path, summary))
    return out


def _summary_rules(load: Load, path: Path, s: LoadSummary) -> list[RuleResult]:
    tag = f"{s.run_id} ({path})"
    out = [_step(slo, tag, s) for slo in load.steps]
    if load.slo_results_must_pass:
        out.append(_slo_results(tag, s))
    if load.min_disbursement_rate is not None:
        out.append(_disbursement(load.min_disbursement_rate, tag, s))
    if load.max_false_rejections is not None:
        ok = s.false_rejections <= load.max_false_rejections
        out.append(RuleResult("load.false_rejections", "Fraud flags caused by network retries", ok,
                              f"{s.false_rejections} false rejections, at most {load.max_false_rejections} "
                              f"allowed in {tag}", () if ok else (f"{tag}: {s.false_rejections} false rejections",)))
    return out


def _slo_results(tag: str, s: LoadSummary) -> RuleResult:
    """A run that judged no SLO at all must not read as "all SLOs met"."""
    if not s.slos:
        return RuleResult("load.slo_results", "SLO verdicts of the load run", False,
                          f"no SLO verdicts in {tag}", (f"{tag}: the load run judged no SLO (empty SLO set?)",))
    bad = [f"{r.name}: {r.metric} {r.actual} vs {r.threshold}" + (f" ({r.detail})" if r.detail else "")
           for r in s.slos if not r.passed]
    return RuleResult("load.slo_results", "SLO verdicts of the load run", not bad,
                      f"{len(s.slos) - len(bad)} of {len(s.slos)} SLOs met in {tag}", tuple(bad))


def _disbursement(minimum: float, tag: str, s: LoadSummary) -> RuleResult:
    rate = s.funnel.disbursement_rate
    ok = rate is not None and rate >= minimum
    shown = "n/a (no approved loans)" if rate is None else f"{rate:.2%}"
    return RuleResult("load.disbursement_rate", "Disbursement rate among approved loans", ok,
                      f"{shown}, at least {minimum:.2%} required in {tag}",
                      () if ok else (f"{tag}: {s.funnel.disbursed} of {s.funnel.approved} approved paid out",))


def _step(slo: StepSlo, tag: str, s: LoadSummary) -> RuleResult:
    where = f"step {slo.step}" + (f" on {slo.profile}" if slo.profile else "")
    rule = f"load.step.{slo.step}" + (f".{slo.profile}" if slo.profile else "")
    stats = _stats_for(slo, s)
    if stats is None or stats.requests < slo.min_requests:
        got = 0 if stats is None else stats.requests
        return RuleResult(rule, f"Load SLO, {where}", False,
                          f"{got} requests for {where}, at least {slo.min_requests} required in {tag}",
                          (f"{tag}: {where} missing from the load summary",))
    misses = _misses(slo, stats)
    return RuleResult(rule, f"Load SLO, {where}", not misses,
                      f"{stats.requests} requests, {len(misses)} thresholds missed in {tag}",
                      tuple(f"{tag}: {where}: {m}" for m in misses))


def _stats_for(slo: StepSlo, s: LoadSummary) -> StepStats | None:
    if slo.profile is None:
        return s.steps.get(slo.step)
    prof = s.profiles.get(slo.profile)
    return prof.steps.get(slo.step) if prof else None


def _misses(slo: StepSlo, st: StepStats) -> list[str]:
    out = []
    for name, limit, actual in (("p95", slo.p95_ms, st.latency.p95), ("p99", slo.p99_ms, st.latency.p99)):
        if limit is not None and (actual is None or actual > limit):
            out.append(f"{name} {actual if actual is not None else 'n/a'} ms > {limit:g} ms")
    rate_limit = slo.max_technical_failure_rate
    if rate_limit is not None:
        rate = st.technical_failures / st.requests
        if rate > rate_limit:
            causes = ", ".join(f"{c.value}={n}" for c, n in st.failures.items())
            out.append(f"technical failure rate {rate:.2%} > {rate_limit:.2%} ({causes})")
    return out

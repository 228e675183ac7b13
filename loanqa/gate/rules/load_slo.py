"""Load SLOs from `summary.json`: the policy's objectives (judged by the core SLO judge) and the run's own verdicts.

An objective with too few samples (`insufficient`) is neither met nor missed: `load.too_few_samples` decides
whether it fails its rule (`fail`, naming the SLO, its profile, n and the floor) or passes it as a warning.
"""

from __future__ import annotations

from pathlib import Path

from loanqa.gate.context import GateInput
from loanqa.gate.policy import Load
from loanqa.gate.verdict import RuleResult
from loanqa.load_summary import LoadSummary
from loanqa.slo import SloResult, TooFewSamples
from loanqa.slo_judge import judge


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
    slos = load.slo_set()
    out = [_objective(r, tag, load.too_few_samples) for r in judge(slos, s)] if slos else []
    if load.slo_results_must_pass:
        out.append(_slo_results(tag, s, load.too_few_samples))
    if load.max_false_rejections is not None:
        ok = s.false_rejections <= load.max_false_rejections
        out.append(RuleResult("load.false_rejections", "Fraud flags caused by network retries", ok,
                              f"{s.false_rejections} false rejections, at most {load.max_false_rejections} "
                              f"allowed in {tag}", () if ok else (f"{tag}: {s.false_rejections} false rejections",)))
    return out


def _objective(r: SloResult, tag: str, too_few: TooFewSamples) -> RuleResult:
    rule = "load.slo." + r.name.replace(" [", ".").replace("]", "").replace(" ", "_")
    title = f"Load SLO: {r.name}"
    if r.insufficient:
        warn = too_few == "warn"
        return RuleResult(rule, title, warn, f"insufficient ({_meaning(too_few)}): {r.detail} in {tag}",
                          (f"{tag}: {r.shortfall()}",), warning=warn)
    return RuleResult(rule, title, r.passed, f"{r.verdict}: {r.detail} in {tag}",
                      () if r.passed else (f"{tag}: {r.name}: {r.verdict}: {r.detail}",))


def _meaning(too_few: TooFewSamples) -> str:
    return f"load.too_few_samples: {too_few}"


def _slo_results(tag: str, s: LoadSummary, too_few: TooFewSamples) -> RuleResult:
    """A run that judged no SLO at all must not read as "all SLOs met"; too few samples is not met, and
    fails or warns as the policy says."""
    title = "SLO verdicts of the load run"
    if not s.slos:
        return RuleResult("load.slo_results", title, False,
                          f"no SLO verdicts in {tag}", (f"{tag}: the load run judged no SLO (empty SLO set?)",))
    missed = [f"{r.name}: {r.verdict}: {r.detail}" for r in s.slos if r.missed]
    short = [r.shortfall() for r in s.slos if r.insufficient]
    met = len(s.slos) - len(missed) - len(short)
    detail = f"{met} of {len(s.slos)} SLOs met in {tag}"
    if short:
        detail += f"; {len(short)} with too few samples ({_meaning(too_few)})"
    passed = not missed and (too_few == "warn" or not short)
    return RuleResult("load.slo_results", title, passed, detail, tuple(missed + short),
                      warning=passed and bool(short))

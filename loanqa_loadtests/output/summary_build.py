"""The master's merged tally turned into `summary.json` (loanqa.load_summary), the gate's input."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from loanqa.load_summary import Funnel, Latency, LoadSummary, Outcomes, ProfileStats, StepStats
from loanqa.taxonomy import Cause
from loanqa_loadtests.output.tally import DISBURSED_AFTER_TAPS, TAPS, StepCounts, Tally, percentile


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    target: str
    shape: str
    network_mix: str | None
    started_at: float
    finished_at: float
    processes: int
    mix_profiles: tuple[str, ...] = ()  # every profile of the mix: one no borrower drew is judged as n = 0


def latency_of(hist: Counter[int]) -> Latency:
    if not hist:
        return Latency()
    return Latency(count=sum(hist.values()), p50=percentile(hist, 0.50), p95=percentile(hist, 0.95),
                   p99=percentile(hist, 0.99), max=float(max(hist)))


def step_stats(c: StepCounts) -> StepStats:
    return StepStats(requests=c.requests, successes=c.successes,
                     business={Cause(k): v for k, v in c.business.items()},
                     failures={Cause(k): v for k, v in c.failures.items()},
                     false_rejections=c.false_rejections, latency=latency_of(c.latency))


def _merged_steps(per_profile: list[dict[str, StepCounts]]) -> dict[str, StepCounts]:
    out: dict[str, StepCounts] = {}
    for steps in per_profile:
        for name, counts in steps.items():
            out.setdefault(name, StepCounts()).merge(counts)
    return out


def _causes(steps: dict[str, StepCounts]) -> dict[Cause, int]:
    total: Counter[str] = Counter()
    for c in steps.values():
        total.update(c.business)
        total.update(c.failures)
    return {Cause(k): v for k, v in sorted(total.items())}


def _funnel(stages: Counter[str]) -> Funnel:
    return Funnel(started=stages["started"], approved=stages["approved"], signed=stages["signed"],
                  disbursed=stages["disbursed"], disbursed_after_taps=stages[DISBURSED_AFTER_TAPS],
                  taps=stages[TAPS], unfinished=stages["unfinished"])


def outcomes_of(ends: Counter[str]) -> Outcomes:
    """`failed:network` → failed[network], `unfinished:apply` → unfinished[apply], …"""
    out = Outcomes(paid_out=ends["paid_out"])
    for key, n in sorted(ends.items()):
        kind, _, why = key.partition(":")
        if kind in ("business_rejected", "failed", "failed_after_approval"):
            getattr(out, kind)[Cause(why)] = n
        elif kind == "unfinished":
            out.unfinished[why] = n
    return out


def profile_stats(steps: dict[str, StepCounts], stages: Counter[str], ends: Counter[str]) -> ProfileStats:
    return ProfileStats(borrowers=stages["started"], steps={k: step_stats(v) for k, v in steps.items()},
                        causes=_causes(steps), funnel=_funnel(stages), outcomes=outcomes_of(ends))


def build_summary(t: Tally, info: RunInfo) -> LoadSummary:
    profiles = sorted(set(t.steps) | set(t.funnel) | set(t.outcomes) | set(info.mix_profiles))
    every = _merged_steps(list(t.steps.values()))
    stages: Counter[str] = Counter()
    for c in t.funnel.values():
        stages.update(c)
    ends: Counter[str] = Counter()
    for c in t.outcomes.values():
        ends.update(c)
    return LoadSummary(
        run_id=info.run_id, target=info.target, shape=info.shape, network_mix=info.network_mix,
        started_at=info.started_at, finished_at=info.finished_at, processes=info.processes,
        requests=t.attempts, steps={k: step_stats(v) for k, v in every.items()},
        profiles={p: profile_stats(t.steps.get(p, {}), t.funnel.get(p, Counter()), t.outcomes.get(p, Counter()))
                  for p in profiles},
        causes=_causes(every), false_rejections=sum(c.false_rejections for c in every.values()),
        funnel=_funnel(stages), outcomes=outcomes_of(ends))

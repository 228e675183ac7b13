"""Everything judged together must be one finished run: the same run id, target and time window.

A device matrix interrupted half-way, or a `summary.json` left over from last week's load run beside
today's results, would otherwise be judged as if it were this release's evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from loanqa.gate.context import GateInput, group_by
from loanqa.gate.results import CLOCK_SKEW_S, iso_ms
from loanqa.gate.verdict import RuleResult
from loanqa.load_summary import LoadSummary


def check(gi: GateInput) -> list[RuleResult]:
    return [_complete(gi), _same_run(gi)]


def _complete(gi: GateInput) -> RuleResult:
    bad = [f"{p}: {m.kind} run {m.run_id} is incomplete: {m.reason}"
           for p, m in gi.results.manifests if not m.complete]
    for path, summary in gi.summaries:
        status, why = _status(summary)
        if status != "complete":
            bad.append(f"{path}: load run {summary.run_id} is {status}" + (f": {why}" if why else ""))
    n = len(gi.results.manifests) + len(gi.summaries)
    detail = f"{len(bad)} of {n} runs did not finish" if bad else f"{n} runs recorded, all finished"
    return RuleResult("run.complete", "Runs finished (an interrupted run is not judged as a whole one)", not bad,
                      detail, tuple(bad))


def _status(s: LoadSummary) -> tuple[str, str]:
    """Issue 11's load run records `status` (complete, interrupted, aborted, stopped) and `stopped_by`; a summary
    written before that field existed was complete (an unfinished run left none)."""
    return str(getattr(s, "status", "complete")), str(getattr(s, "stopped_by", ""))


def _same_run(gi: GateInput) -> RuleResult:
    bad = [*_run_ids(gi), *_windows(gi), *_targets(gi), *_span(gi)]
    detail = ("results and summaries come from different runs" if bad
              else "results and summaries agree on run id, target and time window")
    return RuleResult("run.same_run", "Results and load summaries belong to the same run", not bad, detail,
                      tuple(bad))


def _run_ids(gi: GateInput) -> Iterable[str]:
    by_run = group_by(gi.results.tests, lambda t: t.run_id)
    known = {s.run_id for _, s in gi.summaries}
    for run_id, tests in sorted(by_run.items()):
        if run_id not in known:
            yield (f"{len(tests)} results of load run {run_id} (e.g. {tests[0].file}) have no summary.json of that "
                   f"run" + (f" (summaries: {', '.join(sorted(known))})" if known else ""))
    if by_run:
        for path, s in gi.summaries:
            if s.run_id not in by_run:
                yield f"{path}: summary of load run {s.run_id}, but none of the given results come from that run"


def _windows(gi: GateInput) -> Iterable[str]:
    skew = CLOCK_SKEW_S * 1000
    summaries = {s.run_id: (p, s) for p, s in gi.summaries}
    for t in gi.results.tests:
        if t.run_id in summaries:
            path, s = summaries[t.run_id]
            if t.start < s.started_at * 1000 - skew or t.stop > s.finished_at * 1000 + skew:
                yield (f"{t.file}: ran {iso_ms(t.start)} to {iso_ms(t.stop)}, outside load run {s.run_id} "
                       f"({iso_ms(int(s.started_at * 1000))} to {iso_ms(int(s.finished_at * 1000))}, {path})")


def _targets(gi: GateInput) -> Iterable[str]:
    seen = [(str(p), s.target) for p, s in gi.summaries]
    seen += [(str(p), m.target) for p, m in gi.results.manifests if m.target]
    distinct = {_norm(t) for _, t in seen}
    if len(distinct) > 1:
        yield from (f"{source}: target {target}" for source, target in seen)


def _norm(target: str) -> str:
    return target.strip().rstrip("/").lower()


def _span(gi: GateInput) -> Iterable[str]:
    limit_h = gi.policy.run.max_span_hours
    windows = [(str(p), s.started_at, s.finished_at) for p, s in gi.summaries]
    windows += [(str(p), m.started_at, m.finished_at or m.started_at) for p, m in gi.results.manifests]
    if len(windows) < 2:
        return
    first = min(w[1] for w in windows)
    last = max(w[2] for w in windows)
    if (last - first) / 3600 > limit_h:
        yield (f"the runs span {(last - first) / 3600:.1f} h, more than run.max_span_hours {limit_h:g}: "
               + "; ".join(f"{src} {iso_ms(int(a * 1000))} to {iso_ms(int(b * 1000))}" for src, a, b in windows))

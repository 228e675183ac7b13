"""Prometheus endpoint of a running load test (`--metrics-port`), for Grafana (ci/grafana/loanqa-load.json).

Served by the process that merges the run (a single process, or the master). A collector builds every series
at scrape time from the merged tally and the live monitor's last SLO judgement, so borrowers pay nothing per
request for it.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import start_http_server
from prometheus_client.core import (
    CollectorRegistry,
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from loanqa_loadtests.output.tally import Tally
from loanqa_loadtests.run import runtime
from loanqa_loadtests.run.live_monitor import Latest

# Seconds; the borrower's wait per journey step, from a fast login to a stalled e-sign.
BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0)


class LoadCollector(Collector):
    def __init__(self, latest: Latest) -> None:
        self.latest = latest

    def collect(self) -> Iterator[Metric]:
        t = runtime.TALLY
        yield CounterMetricFamily("loanqa_requests", "HTTP attempts sent by borrowers (retries included)",
                                  value=t.attempts)
        yield from _steps(t)
        yield from self._judged()

    def _judged(self) -> Iterator[Metric]:
        snap, summary = self.latest.snapshot, self.latest.summary
        users = GaugeMetricFamily("loanqa_users", "Simulated borrowers now")
        users.add_metric([], snap.users if snap else 0)
        yield users
        journeys = GaugeMetricFamily("loanqa_journeys", "Finished journeys by outcome", labels=["outcome"])
        lost = GaugeMetricFamily("loanqa_lost_journeys", "Journeys lost, by cause and network profile",
                                 labels=["cause", "profile"])
        if snap is not None:
            for outcome, n in (("paid", snap.paid), ("rejected", snap.rejected), ("lost", snap.lost)):
                journeys.add_metric([outcome], n)
        for profile, stats in sorted(summary.profiles.items()) if summary else ():
            for cause, n in sorted(stats.outcomes.failed.items()):
                lost.add_metric([cause.value, profile], n)
        yield journeys
        yield lost
        value = GaugeMetricFamily("loanqa_slo_value", "Current value of each SLO", labels=["slo", "metric"])
        met = GaugeMetricFamily("loanqa_slo_met", "1 while an SLO is met, 0 when missed or too few samples",
                                labels=["slo"])
        for r in self.latest.results:
            if r.actual is not None:
                value.add_metric([r.name, r.metric], r.actual)
            met.add_metric([r.name], 1.0 if r.passed else 0.0)
        yield value
        yield met
        if summary is not None:
            rate = summary.funnel.disbursement_rate
            paid = GaugeMetricFamily("loanqa_disbursement_success", "Paid out among approved loans")
            paid.add_metric([], rate if rate is not None else 0.0)
            yield paid


def _steps(t: Tally) -> Iterator[Metric]:
    steps = CounterMetricFamily("loanqa_step_outcomes", "Journey step outcomes (one per button press)",
                                labels=["step", "profile", "outcome"])
    hist = HistogramMetricFamily("loanqa_step_seconds", "Borrower's wait per journey step (retries included)",
                                 labels=["step", "profile"])
    for profile, by_step in sorted(t.steps.items()):
        for step, c in sorted(by_step.items()):
            steps.add_metric([step, profile, "success"], c.successes)
            for cause, n in sorted((c.failures + c.business).items()):
                steps.add_metric([step, profile, cause], n)
            buckets, total_ms = _buckets(c.latency)
            hist.add_metric([step, profile], buckets, total_ms / 1000)
    yield steps
    yield hist


def _buckets(latency: dict[int, int]) -> tuple[list[tuple[str, float]], float]:
    counts = [0] * (len(BUCKETS_S) + 1)
    total_ms = 0.0
    for ms, n in latency.items():
        total_ms += ms * n
        i = next((k for k, b in enumerate(BUCKETS_S) if ms <= b * 1000), len(BUCKETS_S))
        counts[i] += n
    out, seen = [], 0
    for bound, n in zip([*map(str, BUCKETS_S), "+Inf"], counts, strict=True):
        seen += n
        out.append((bound, float(seen)))
    return out, total_ms


def serve(port: int, host: str, latest: Latest) -> None:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LoadCollector(latest))
    start_http_server(port, addr=host, registry=registry)

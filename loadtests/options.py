"""loanqa's own Locust arguments, and the one place they become typed options.

Registered on Locust's parser (`events.init_command_line_parser`), so `locust -f loadtests/locustfile.py
--shape double-11 ...` works for people who know Locust; the master sends them to workers with every
spawn message, so workers on other hosts run with the master's values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loadtests.routing import Route, routes_from_json
from loadtests.taps import DEFAULT_PATIENCE, MAX_PATIENCE
from loanqa.durations import parse_duration
from loanqa.errors import ConfigError


def add_arguments(parser: Any) -> None:
    group = parser.add_argument_group("loanqa", "Borrower journeys, holiday-peak shapes, weak-network mix")
    group.add_argument("--shape", default="smoke", help="Load shape: catalog name or YAML path (default smoke).")
    group.add_argument("--shape-duration", default="3m", help="Run length the shape is compressed to (3m).")
    group.add_argument("--users-scale", type=float, default=1.0, help="Multiply the shape's user counts.")
    group.add_argument("--network-mix", default="", help="Name of the network mix (label; proxies via routes).")
    group.add_argument("--loanqa-routes", default="", help="JSON profile→route map (set by `loanqa load`).")
    group.add_argument("--loanqa-out", default="", help="Write summary, charts and allure-results here.")
    group.add_argument("--slo", default="default", help="SLO set: name in loadtests/slos/ or YAML path.")
    group.add_argument("--run-id", default="", help="Run id (default: derived from the start time).")
    group.add_argument("--think-scale", type=float, default=1.0, help="Scale borrowers' think times.")
    group.add_argument("--liveness-frames", type=int, default=8, help="Camera frames per liveness upload.")
    group.add_argument("--shared-device-share", type=float, default=0.0,
                       help="Share of borrowers on a few shared devices (anti-fraud experiments).")
    group.add_argument("--max-attempts", type=int, default=3, help="Attempts per request, as the app retries.")
    group.add_argument("--patience", type=int, default=DEFAULT_PATIENCE,
                       help="Retry taps a borrower makes after the app's retries give up (0: none).")
    group.add_argument("--request-timeout", type=float, default=15.0, help="Client timeout per attempt, s.")
    group.add_argument("--live-interval", type=float, default=3.0,
                       help="Seconds between live judgements (live.json, metrics, abort: true SLOs).")
    group.add_argument("--metrics-port", type=int, default=0, help="Serve Prometheus metrics on this port (0: off).")
    group.add_argument("--metrics-host", default="127.0.0.1", help="Address the metrics endpoint listens on.")


@dataclass(frozen=True)
class LoadOptions:
    shape: str
    duration_s: float
    users_scale: float
    network_mix: str
    routes: dict[str, Route]
    out: str
    slo: str
    run_id: str
    think_scale: float
    liveness_frames: int
    shared_device_share: float
    max_attempts: int
    request_timeout_s: float
    patience: int = DEFAULT_PATIENCE
    live_interval_s: float = 3.0
    metrics_port: int = 0
    metrics_host: str = "127.0.0.1"


def from_parsed(ns: Any, host: str) -> LoadOptions:
    """Typed options from Locust's namespace; without routes every borrower talks to `host` directly."""
    routes = routes_from_json(ns.loanqa_routes) if ns.loanqa_routes else {}
    if not routes and host:
        routes = {"direct": Route("direct", host.rstrip("/"))}
    return LoadOptions(
        shape=ns.shape, duration_s=parse_duration(ns.shape_duration), users_scale=ns.users_scale,
        network_mix=ns.network_mix or ("direct" if "direct" in routes else ""), routes=routes,
        out=ns.loanqa_out, slo=ns.slo, run_id=ns.run_id, think_scale=ns.think_scale,
        liveness_frames=ns.liveness_frames, shared_device_share=ns.shared_device_share,
        max_attempts=ns.max_attempts, request_timeout_s=ns.request_timeout, patience=_patience(ns.patience),
        live_interval_s=ns.live_interval, metrics_port=ns.metrics_port, metrics_host=ns.metrics_host)


def _patience(taps: int) -> int:
    if not 0 <= taps <= MAX_PATIENCE:
        raise ConfigError("--patience", "", taps, f"use 0..{MAX_PATIENCE} retry taps (0: never tap)")
    return taps

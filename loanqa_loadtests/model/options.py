"""The load run's one typed option model: its bounds, its Locust flags, and its JSON hand-over.

`loanqa load` builds `LoadOptions` once from its flags and the shape/SLO files and hands it to Locust as
JSON in an environment variable (`--loanqa-options-env`); the Locust master (or single process) reads it back
without opening a YAML file and forwards the JSON to its workers in every spawn message (`--loanqa-options`),
so workers on other hosts run with the master's options. Plain `locust -f loadtests/locustfile.py --shape ...`
builds the same model from Locust's parsed flags. Every bound on an option is written here, once; the CLI
derives its flag types from these fields.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError

from loanqa.config.loader import Strict
from loanqa.durations import parse_duration
from loanqa.errors import MISSING, ConfigError
from loanqa.slo import SloSet
from loanqa_loadtests.model.routing import Route, routes_from_json
from loanqa_loadtests.model.shape_config import ShapeSpec, load_shape
from loanqa_loadtests.model.slo_config import load_slos
from loanqa_loadtests.model.taps import DEFAULT_PATIENCE, MAX_PATIENCE

OPTIONS_ENV = "LOANQA_LOAD_OPTIONS"
MAX_LIVE_INTERVAL_S = 60.0


def _positive(seconds: float) -> float:
    if seconds <= 0:
        raise ValueError("must be positive")
    return seconds


def _not_negative(seconds: float) -> float:
    if seconds < 0:
        raise ValueError("must not be negative")
    return seconds


RunSeconds = Annotated[float, BeforeValidator(parse_duration), AfterValidator(_positive)]
GraceSeconds = Annotated[float, BeforeValidator(parse_duration), AfterValidator(_not_negative)]


class LoadOptions(Strict):
    """What every Locust process of a run needs; `shape` and `slos` are the validated files themselves."""

    shape: ShapeSpec
    slos: SloSet
    duration_s: RunSeconds
    users_scale: float = Field(default=1.0, gt=0)
    network_mix: str = ""
    routes: dict[str, Route] = Field(default_factory=dict)
    out: str = ""
    run_id: str = ""
    think_scale: float = Field(default=1.0, ge=0)
    liveness_frames: int = Field(default=8, ge=3, le=30)
    shared_device_share: float = Field(default=0.0, ge=0, le=1)
    max_attempts: int = Field(default=3, ge=1)
    request_timeout_s: float = Field(default=15.0, gt=0)
    patience: int = Field(default=DEFAULT_PATIENCE, ge=0, le=MAX_PATIENCE)
    live_interval_s: float = Field(default=3.0, ge=0.5, le=MAX_LIVE_INTERVAL_S)
    graceful_stop_s: GraceSeconds = 30.0  # journeys under way when the shape ends may finish (Locust's stop_timeout)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str, source: str) -> LoadOptions:
        """The already-validated model back; nothing is read from disk."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            raise ConfigError(source, "", text[:80], f"not valid load options: {exc.errors()[0]['msg']}") from None


# Flag of each field where it is not `--` + the field name with dashes.
CLI_FLAGS = {"duration_s": "--duration", "slos": "--slo", "live_interval_s": "--live-interval",
             "graceful_stop_s": "--graceful-stop"}
LOCUST_FLAGS = {**CLI_FLAGS, "duration_s": "--shape-duration", "out": "--loanqa-out", "routes": "--loanqa-routes",
                "request_timeout_s": "--request-timeout", "graceful_stop_s": "--stop-timeout"}


def build(values: Mapping[str, Any], flags: Mapping[str, str]) -> LoadOptions:
    """Validate flag values (shape and SLO set already loaded); a mistake is one ConfigError naming the flag."""
    try:
        return LoadOptions.model_validate(dict(values))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        shown = values.get(field, MISSING) if first["type"] != "missing" else MISSING
        raise ConfigError(flag_of(field, flags), "", shown, first["msg"].removeprefix("Value error, ")) from None


def flag_of(field: str, flags: Mapping[str, str]) -> str:
    return flags.get(field, "--" + field.replace("_", "-"))


def add_arguments(parser: Any) -> None:
    group = parser.add_argument_group("loanqa", "Borrower journeys, holiday-peak shapes, weak-network mix")
    group.add_argument("--shape", default="smoke", help="Load shape: catalog name or YAML path (default smoke).")
    group.add_argument("--shape-duration", default="3m", help="Run length the shape is compressed to (3m).")
    group.add_argument("--users-scale", type=float, default=1.0, help="Multiply the shape's user counts.")
    group.add_argument("--network-mix", default="", help="Name of the network mix (label; proxies via routes).")
    group.add_argument("--loanqa-routes", default="", help="JSON profile→route map (proxies made elsewhere).")
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
    group.add_argument("--loanqa-options-env", default="",
                       help="Environment variable holding the run's validated options as JSON (set by `loanqa load`;"
                            " the flags above are then ignored).")
    group.add_argument("--loanqa-options", default="", help="The validated options as JSON (the master sets it for "
                                                            "its workers).")


def from_parsed(ns: Any, host: str, env: Mapping[str, str] | None = None) -> LoadOptions:
    """The master's JSON, the CLI's JSON, or else the flags (the only path that reads shape and SLO files)."""
    if ns.loanqa_options:
        return LoadOptions.from_json(ns.loanqa_options, "--loanqa-options")
    if ns.loanqa_options_env:
        return _from_env(ns.loanqa_options_env, os.environ if env is None else env)
    return _from_flags(ns, host)


def _from_env(name: str, env: Mapping[str, str]) -> LoadOptions:
    text = env.get(name)
    if not text:
        raise ConfigError("--loanqa-options-env", "", name, "no such environment variable (or it is empty)")
    return LoadOptions.from_json(text, f"--loanqa-options-env {name}")


def _from_flags(ns: Any, host: str) -> LoadOptions:
    routes = routes_from_json(ns.loanqa_routes) if ns.loanqa_routes else {}
    if not routes and host:
        routes = {"direct": Route("direct", host.rstrip("/"))}
    return build({
        "shape": load_shape(ns.shape), "slos": load_slos(ns.slo), "duration_s": ns.shape_duration,
        "users_scale": ns.users_scale,
        "network_mix": ns.network_mix or ("direct" if "direct" in routes else ""), "routes": routes,
        "out": ns.loanqa_out, "run_id": ns.run_id, "think_scale": ns.think_scale,
        "liveness_frames": ns.liveness_frames, "shared_device_share": ns.shared_device_share,
        "max_attempts": ns.max_attempts, "request_timeout_s": ns.request_timeout, "patience": ns.patience,
        "live_interval_s": ns.live_interval, "metrics_port": ns.metrics_port or None,
        "metrics_host": ns.metrics_host, "graceful_stop_s": getattr(ns, "stop_timeout", 0.0)}, LOCUST_FLAGS)

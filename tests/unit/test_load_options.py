"""The load run's one option model: bounds in one place, built once, handed to Locust as JSON, never re-parsed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import click
import pytest

from loanqa.cli.load import bounded
from loanqa.errors import ConfigError
from loanqa_loadtests.control.launch import LoadPlan, WebUI, locust_argv, locust_env
from loanqa_loadtests.control.run_folder import RunFolder
from loanqa_loadtests.model import options as options_module
from loanqa_loadtests.model.options import CLI_FLAGS, OPTIONS_ENV, LoadOptions, add_arguments, build, from_parsed
from loanqa_loadtests.model.routing import Route
from loanqa_loadtests.model.shape_config import available_shapes, load_shape
from loanqa_loadtests.model.slo_config import load_slos
from loanqa_loadtests.run.runtime import build_context

HOST = "http://127.0.0.1:1"
SHAPE = "name: peak\nbaseline_users: 4\npoints: [{at: 0s, x: 1}, {at: 1m, x: 3}]\n"
SLOS = "slos:\n  - {metric: p95_ms, step: apply, max: 1500, abort: true, after: 30s}\n"


def _locust_ns(*argv: str) -> argparse.Namespace:
    """Locust's namespace as far as loanqa's flags go (Locust's own flags are left to Locust)."""
    parser = argparse.ArgumentParser(allow_abbrev=False)
    add_arguments(parser)
    return parser.parse_known_args(list(argv))[0]


def _cli_options(shape: str, slo: str, **flags: object) -> LoadOptions:
    """As `loanqa load` builds them: files loaded once, flags checked on the model."""
    return build({"shape": load_shape(shape), "slos": load_slos(slo), "duration_s": "20s", **flags}, CLI_FLAGS)


def _plan(options: LoadOptions, tmp_path: Path) -> LoadPlan:
    routes = {"subway": Route("subway", "http://127.0.0.1:2", "127.0.0.1:1", 0.4, (30.0, 5.0, 0.0), 1.0e9),
              "wifi": Route("wifi", "http://127.0.0.1:3", "127.0.0.1:1", 0.6)}
    folder = RunFolder(tmp_path / "run", created=True)
    ready = options.model_copy(update={"routes": routes, "network_mix": "commute", "run_id": "r-7",
                                       "out": str(folder.partial)})
    return LoadPlan(target=HOST, folder=folder, options=ready, processes=2, web=WebUI())


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    shape, slos = tmp_path / "peak.yaml", tmp_path / "slos.yaml"
    shape.write_text(SHAPE)
    slos.write_text(SLOS)
    return shape, slos


def test_locust_side_rebuilds_the_cli_options_without_the_shape_or_slo_files(
        tmp_path: Path, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI validated the files; Locust gets argv + environment, with the files gone and the loaders counted."""
    shape, slos = files
    plan = _plan(_cli_options(str(shape), str(slos), patience=0, live_interval_s=1.0, graceful_stop_s="45s"),
                 tmp_path)
    argv, env = locust_argv(plan), locust_env(plan)
    shape.unlink()
    slos.unlink()
    calls: list[str] = []
    monkeypatch.setattr(options_module, "load_shape", lambda name: calls.append(name))
    monkeypatch.setattr(options_module, "load_slos", lambda name: calls.append(name))
    got = from_parsed(_locust_ns(*argv[3:]), HOST, env)
    assert calls == []
    assert got == plan.options
    assert got.shape.name == "peak" and got.shape.baseline_users == 4 and got.slos.slos[0].after == 30.0
    assert got.routes["subway"].outage == (30.0, 5.0, 0.0) and got.network_mix == "commute"
    assert got.patience == 0 and got.live_interval_s == 1.0 and got.out == str(plan.partial)
    assert got.graceful_stop_s == 45.0 and plan.deadline_s == 20 + 45 + 120
    assert "--shape" not in argv and "--slo" not in argv and "--loanqa-routes" not in argv
    assert "--stop-timeout" not in argv, "the graceful stop travels with the options (the locustfile applies it)"


def test_a_worker_rebuilds_the_masters_json_without_the_environment_variable(
        tmp_path: Path, files: tuple[Path, Path]) -> None:
    """A worker on another host has the master's parsed options (spawn message), not its environment."""
    plan = _plan(_cli_options(str(files[0]), str(files[1])), tmp_path)
    forwarded = _locust_ns("--loanqa-options-env", OPTIONS_ENV)
    forwarded.loanqa_options = plan.options.to_json()
    for path in files:
        path.unlink()
    assert from_parsed(forwarded, HOST, env={}) == plan.options
    ctx = build_context(from_parsed(forwarded, HOST, env={}), process_index=1)
    assert ctx.options.run_id == "r-7" and [r.profile for r in ctx.routes] == ["subway", "wifi"]


@pytest.mark.parametrize("shape", available_shapes())
def test_every_catalog_shape_and_slo_set_survives_the_json_hand_over(shape: str) -> None:
    options = _cli_options(shape, "default", metrics_port=9100)
    assert LoadOptions.from_json(options.to_json(), "test") == options


def test_plain_locust_builds_the_same_model_from_its_flags() -> None:
    ns = _locust_ns("--shape", "smoke", "--shape-duration", "20s", "--slo", "default", "--patience", "0",
                    "--metrics-port", "0")
    ns.stop_timeout = 12  # Locust's own --stop-timeout is the graceful stop of a plain Locust run
    got = from_parsed(ns, HOST + "/", env={})
    assert got == _cli_options("smoke", "default", patience=0, graceful_stop_s="12s").model_copy(
        update={"routes": {"direct": Route("direct", HOST)}, "network_mix": "direct"})


@pytest.mark.parametrize(("given", "needle"), [
    ("-5s", "--graceful-stop: '-5s': not a duration"), ("soon", "--graceful-stop: 'soon': not a duration"),
])
def test_a_bad_graceful_stop_names_the_cli_flag(given: str, needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        _cli_options("smoke", "default", graceful_stop_s=given)
    assert needle in str(err.value)
    assert _cli_options("smoke", "default", graceful_stop_s="0s").graceful_stop_s == 0.0


@pytest.mark.parametrize(("argv", "needle"), [
    (["--patience", "-2"], "--patience: -2: Input should be greater than or equal to 0"),
    (["--shape-duration", "0s"], "--shape-duration: '0s': must be positive"),
    (["--shape-duration", "3 minutes"], "--shape-duration: '3 minutes': not a duration"),
    (["--liveness-frames", "31"], "--liveness-frames: 31:"),
    (["--shared-device-share", "1.5"], "--shared-device-share: 1.5:"),
    (["--metrics-port", "70000"], "--metrics-port: 70000:"),
    (["--shape", "black-friday"], "--shape: 'black-friday': no such shape"),
])
def test_plain_locust_flag_mistakes_name_the_flag_and_value(argv: list[str], needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        from_parsed(_locust_ns(*argv), HOST, env={})
    assert needle in str(err.value)


def test_options_from_a_missing_or_broken_environment_variable_are_one_clear_error() -> None:
    ns = _locust_ns("--loanqa-options-env", OPTIONS_ENV)
    with pytest.raises(ConfigError, match=f"--loanqa-options-env: '{OPTIONS_ENV}': no such environment variable"):
        from_parsed(ns, HOST, env={})
    with pytest.raises(ConfigError, match=f"--loanqa-options-env {OPTIONS_ENV}: .*not valid load options"):
        from_parsed(ns, HOST, env={OPTIONS_ENV: '{"shape": 1}'})


@pytest.mark.parametrize(("field", "bad", "good"), [
    ("patience", -1, 50), ("liveness_frames", 31, 3), ("users_scale", 0.0, 0.01), ("think_scale", -0.1, 0.0),
    ("live_interval_s", 0.4, 60.0), ("metrics_port", 0, 65535),
])
def test_the_cli_flag_types_take_their_bounds_from_the_model(field: str, bad: float, good: float) -> None:
    """One place for bounds: the click type (usage error, exit 2) and the model accept and refuse alike."""
    kind: Any = bounded(field)  # IntRange or FloatRange
    assert kind.convert(good, None, None) == good
    with pytest.raises(click.BadParameter):
        kind.convert(bad, None, None)
    with pytest.raises(ConfigError):
        _cli_options("smoke", "default", **{field: bad})

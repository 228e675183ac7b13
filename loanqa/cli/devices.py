"""`loanqa devices`: run the device suite on a matrix and leave allure-results, whatever happens.

The options are validated here, once, before anything starts, and handed to the pytest subprocess as JSON
in an environment variable (kept out of argv and off disk: a cloud matrix holds credentials).
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from loanqa.cli.context import Settings
from loanqa.errors import LoanQAError, RunFailed
from loanqa.process_group import run_in_group

SUITE_DIR = Path(__file__).resolve().parents[2] / "loanqa_devicetests"
STOP_GRACE_S = 120.0  # ending sessions and stopping Appium and refapp takes seconds; a hung one is killed
OPTIONS_ENV = "LOANQA_DEVICE_RUN"
PYTEST_LAB_DOWN = 6  # loanqa_devicetests.lab_status.LAB_DOWN_EXIT, not imported: keeps pytest off the CLI's import path


class LabDown(LoanQAError):
    """Every result was broken (infrastructure): the device lab, not the app, is what failed."""

    exit_code = 4


@dataclass(frozen=True)
class PytestFlags:
    """pytest's own flags the CLI passes through."""

    alluredir: Path
    workers: str = "auto"
    clean_alluredir: bool = False
    keyword: str | None = None
    reruns: int = 0
    junitxml: Path | None = None


def pytest_argv(flags: PytestFlags) -> list[str]:
    """The pytest command line the run uses (the plugin does the rest); a subprocess keeps state apart."""
    argv = [sys.executable, "-m", "pytest", str(SUITE_DIR), "--run-options-env", OPTIONS_ENV,
            "-p", "no:cacheprovider", "--alluredir", str(flags.alluredir), "-o", "addopts=", "-q", "-rfE"]
    if flags.clean_alluredir:
        argv.append("--clean-alluredir")
    if flags.workers != "0":
        argv += ["-n", flags.workers, "--dist", "loadgroup"]
    if flags.keyword:
        argv += ["-k", flags.keyword]
    if flags.reruns:
        argv += ["--reruns", str(flags.reruns)]
    if flags.junitxml is not None:
        argv += ["--junitxml", str(flags.junitxml)]
    return argv


@click.command()
@click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="Device matrix YAML (devicetests/matrices/*.yaml).")
@click.option("--device", "devices", multiple=True, help="Only this device (repeatable).")
@click.option("-n", "workers", default="auto", show_default=True, help="pytest-xdist workers; 0 runs in-process.")
@click.option("--alluredir", type=click.Path(file_okay=False, path_type=Path), default=Path("allure-results"),
              show_default=True, help="Where results go; earlier results there are kept unless --clean-alluredir.")
@click.option("--clean-alluredir", is_flag=True, help="Delete earlier results in --alluredir first.")
@click.option("-k", "keyword", help="Only tests matching this pytest -k expression (e.g. 'esign and pixel').")
@click.option("--reruns", type=click.IntRange(0, 5), default=0, show_default=True,
              help="Rerun a failed test up to N times; one that then passes is reported flaky.")
@click.option("--junitxml", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML here.")
@click.option("--event-log-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Per-loan event log of the e-sign journeys (events.jsonl; default: beside --alluredir).")
@click.option("--net-profile", help="Network profile the app's traffic goes through (e.g. 3g).")
@click.option("--appium-url", help="Appium server or Selenium Grid hub (default: the matrix's; `local` starts one).")
@click.option("--target", help="Target base URL (default: the matrix's; `local` starts refapp).")
@click.option("--toxiproxy-url", envvar="TOXIPROXY_URL", help="Toxiproxy API for --net-profile (default: local).")
@click.option("--run-id", help="Names this run in loanqa-run.json and the event log (default: devices-<time>-<hex>).")
@click.pass_obj
def devices(settings: Settings, matrix: Path, devices: tuple[str, ...], workers: str, alluredir: Path,
            clean_alluredir: bool, keyword: str | None, reruns: int, junitxml: Path | None,
            event_log_dir: Path | None, net_profile: str | None, appium_url: str | None, target: str | None,
            toxiproxy_url: str | None, run_id: str | None) -> None:
    """Face recognition, e-sign and layout checks on every device of MATRIX; writes allure-results.

    Exit code: 0 every test passed (perhaps on a rerun), 1 failures, 2 invalid input, 4 every result broken:
    the device lab (Appium, devices, sessions) is down, and one line per device says why.
    """
    from loanqa_devicetests.options import build_options

    opts = build_options(matrix, devices=list(devices), net_profile=net_profile, appium_url=appium_url,
                         target=target, toxiproxy_url=toxiproxy_url, state_dir=settings.state_dir / "devices",
                         event_log_dir=(event_log_dir or alluredir.parent).resolve(), run_id=run_id)
    flags = PytestFlags(alluredir, workers, clean_alluredir, keyword, reruns, junitxml)
    try:
        code = run_suite(pytest_argv(flags), {**os.environ, OPTIONS_ENV: opts.to_json()})
    except BaseException:
        assert opts.state_dir is not None
        stop_left_behind_quietly(opts.state_dir)
        raise
    click.echo(f"allure-results: {alluredir}\nevent log: {opts.event_log_dir}/events.jsonl")
    _verdict(code)


def _verdict(code: int) -> None:
    if code == PYTEST_LAB_DOWN:
        raise LabDown("every device result is broken: the device lab is down (one line per device above)")
    if code == 1:
        raise RunFailed("device suite found failures (see allure-results)")
    if code == 5:
        raise RunFailed("no device test matched (check -k and --device)")
    if code != 0:
        raise RunFailed(f"device suite ended with pytest exit code {code}")


def stop_left_behind_quietly(state_dir: Path) -> None:
    """After an interrupted suite: stop what it could not (a second Ctrl-C or CI's SIGTERM killed pytest before
    it ended its stack), with further interrupts held back until that is done (it takes seconds at most)."""
    from loanqa_devicetests.leftovers import stop_left_behind

    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        found = stop_left_behind(state_dir)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    if found.stopped or found.proxies:
        click.echo("loanqa devices: stopped what the interrupted suite left: "
                   + ", ".join(found.stopped + [f"proxy {p}" for p in found.proxies]), err=True)
    for error in found.errors:
        click.echo(f"loanqa devices: {error}", err=True)


def run_suite(argv: list[str], env: dict[str, str] | None = None) -> int:
    """Run pytest in its own process group, so an interrupt reaches it exactly once, from here.

    On Ctrl-C or SIGTERM it gets one SIGINT and time to end its sessions and stop the Appium and refapp it
    started; killing it at once (as `subprocess.call` does) left them, chromedriver and chromium running.
    """
    return run_in_group(argv, grace=STOP_GRACE_S, stop_signal=signal.SIGINT, env=env)

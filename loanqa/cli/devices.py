"""`loanqa devices`: run the device suite on a matrix and leave allure-results, whatever happens."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from loanqa.cli.context import Settings
from loanqa.errors import RunFailed

SUITE_DIR = Path(__file__).resolve().parents[2] / "devicetests"
STOP_GRACE_S = 120.0  # ending sessions and stopping Appium and refapp takes seconds; a hung one is killed


def pytest_argv(matrix: Path, devices: tuple[str, ...], workers: str, alluredir: Path, state_dir: Path,
                net_profile: str | None, appium_url: str | None, target: str | None) -> list[str]:
    """The pytest command line the run uses (the plugin does the rest); a subprocess keeps state apart."""
    argv = [sys.executable, "-m", "pytest", str(SUITE_DIR), "--matrix", str(matrix), "-p", "no:cacheprovider",
            "--alluredir", str(alluredir), "--clean-alluredir", "--device-state-dir", str(state_dir / "devices"),
            "-o", "addopts=", "-q", "-rfE"]
    argv += [a for d in devices for a in ("--device", d)]
    if workers != "0":
        argv += ["-n", workers, "--dist", "loadgroup"]
    for flag, value in (("--net-profile", net_profile), ("--appium-url", appium_url), ("--target", target)):
        if value:
            argv += [flag, value]
    return argv


@click.command()
@click.option("--matrix", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="Device matrix YAML (devicetests/matrices/*.yaml).")
@click.option("--device", "devices", multiple=True, help="Only this device (repeatable).")
@click.option("-n", "workers", default="auto", show_default=True, help="pytest-xdist workers; 0 runs in-process.")
@click.option("--alluredir", type=click.Path(file_okay=False, path_type=Path), default=Path("allure-results"),
              show_default=True)
@click.option("--net-profile", help="Network profile the app's traffic goes through (e.g. 3g).")
@click.option("--appium-url", help="Appium server (default: the matrix's; `local` starts one).")
@click.option("--target", help="Target base URL (default: the matrix's; `local` starts refapp).")
@click.pass_obj
def devices(settings: Settings, matrix: Path, devices: tuple[str, ...], workers: str, alluredir: Path,
            net_profile: str | None, appium_url: str | None, target: str | None) -> None:
    """Face recognition, e-sign and layout checks on every device of MATRIX; writes allure-results."""
    from devicetests.matrix import load_matrix

    load_matrix(matrix).select(list(devices), str(matrix))  # bad input: one clear line, before any start
    argv = pytest_argv(matrix, devices, workers, alluredir, settings.state_dir, net_profile, appium_url, target)
    code = run_suite(argv)
    click.echo(f"allure-results: {alluredir}")
    if code == 1:
        raise RunFailed("device suite found failures (see allure-results)")
    if code != 0:
        raise RunFailed(f"device suite ended with pytest exit code {code}")


def run_suite(argv: list[str]) -> int:
    """Run pytest in its own process group, so an interrupt reaches it exactly once, from here.

    On Ctrl-C or SIGTERM it gets one SIGINT and time to end its sessions and stop the Appium and refapp it
    started; killing it at once (as `subprocess.call` does) left them, chromedriver and chromium running.
    """
    proc = subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        _wind_down(proc)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _wind_down(proc: subprocess.Popen[bytes]) -> None:
    """One SIGINT to the suite; a second Ctrl-C, or the grace running out, kills its group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

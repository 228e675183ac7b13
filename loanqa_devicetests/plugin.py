"""pytest plugin `loanqa-devices`: inert unless `--matrix` (or `--run-options-env`) is given, then it registers
the device suite.

Loaded in every pytest run of the project, so it imports nothing heavy (no Appium, no Locust) here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from loanqa_devicetests.flaky import FlakyMarker

SUITE_NAME = "loanqa-devices-suite"
LAB_STATUS_NAME = "loanqa-devices-lab-status"


def _existing_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise pytest.UsageError(f"--matrix {value}: file not found")
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("loanqa-devices", "loanqa device matrix (Appium)")
    group.addoption("--matrix", type=_existing_file, default=None, help="device matrix YAML; turns the suite on")
    group.addoption("--device", action="append", default=[], help="run only this device (repeatable)")
    group.addoption("--net-profile", default=None, help="network profile the app's traffic goes through")
    group.addoption("--appium-url", default=None, help="Appium server (default: the matrix's, or a local one)")
    group.addoption("--target", default=None, help="target base URL (default: the matrix's, or a local refapp)")
    group.addoption("--toxiproxy-url", default=None, help="Toxiproxy API for --net-profile (default: local)")
    group.addoption("--device-state-dir", type=Path, default=None, help="locks, camera files, local stack")
    group.addoption("--event-log-dir", type=Path, default=None,
                    help="write the e-sign journeys' per-loan event log (events.jsonl) into this folder")
    group.addoption("--run-options-env", default=None, metavar="NAME",
                    help="read the run's validated options (JSON) from environment variable NAME instead of the "
                         "flags above; `loanqa devices` sets it")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if not active(config):
        return
    if getattr(config.option, "numprocesses", None) and getattr(config.option, "dist", "no") in ("load", "no"):
        config.option.dist = "loadgroup"  # a device's tests stay on one worker even with plain `-n auto`
    from loanqa_devicetests.flaky import FlakyMarker
    from loanqa_devicetests.lab_status import LabStatus
    from loanqa_devicetests.suite import DeviceSuite

    config.pluginmanager.register(DeviceSuite.from_config(config), SUITE_NAME)
    config.pluginmanager.register(LabStatus(), LAB_STATUS_NAME)
    config.stash[_FLAKY] = FlakyMarker().register()


def active(config: pytest.Config) -> bool:
    return config.getoption("matrix", None) is not None or config.getoption("run_options_env", None) is not None


def pytest_unconfigure(config: pytest.Config) -> None:
    suite = config.pluginmanager.get_plugin(SUITE_NAME)
    if suite is not None:
        suite.close()
        config.pluginmanager.unregister(suite, SUITE_NAME)
    flaky = config.stash.get(_FLAKY, None)
    if flaky is not None:
        flaky.unregister()


_FLAKY: pytest.StashKey[FlakyMarker] = pytest.StashKey()

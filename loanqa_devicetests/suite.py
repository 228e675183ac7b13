"""The device suite's live state, registered by the plugin only under `--matrix`.

Parametrizes tests per device, keeps a device's tests on one xdist worker, opens a locked session per
test and sorts every exception into failed (product, with its cause) or broken (infrastructure).
"""

from __future__ import annotations

import contextlib
import os
import random
import time
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import allure_commons
import pytest
from pydantic import ValidationError
from selenium.common.exceptions import WebDriverException
from urllib3.exceptions import HTTPError as TransportError

from loanqa import allure_labels as L
from loanqa.errors import LoanQAError
from loanqa.masking import register_pii, register_secret
from loanqa.paths import state_dir as default_state_dir
from loanqa.report.environment import write_properties
from loanqa.run_manifest import RunManifest
from loanqa.synthetic import take_canary
from loanqa.taxonomy import Cause, cause_for_response
from loanqa_devicetests import probe, run_record
from loanqa_devicetests import reporting as R
from loanqa_devicetests.evidence import Evidence
from loanqa_devicetests.journey_log import DeviceJourneyLog, part_name
from loanqa_devicetests.lab_status import CAUSE_ATTR, tag
from loanqa_devicetests.locks import device_lock
from loanqa_devicetests.masking import OutputMasking, mask
from loanqa_devicetests.matrix import Device
from loanqa_devicetests.options import Endpoints, RunOptions, build_options
from loanqa_devicetests.outcomes import DeviceFailure, InfrastructureError, label_cause
from loanqa_devicetests.phone import Phone, creditworthy_borrower
from loanqa_devicetests.providers import DeviceProvider, provider_for
from loanqa_devicetests.runtime import Runtime
from loanqa_devicetests.session import AppiumHealth, Backoff, SessionStats, open_session

WORKER_KEY = "loanqa_devices"
OPTIONS_KEY = "loanqa_devices_options"


def run_options(config: pytest.Config) -> RunOptions:
    """The run's options: from the controller (xdist worker), from `--run-options-env`, or built from the flags.

    Only the last parses the matrix YAML; workers and `loanqa devices` runs read validated JSON.
    """
    workerinput = getattr(config, "workerinput", None)
    try:
        if workerinput is not None and OPTIONS_KEY in workerinput:
            return RunOptions.from_json(workerinput[OPTIONS_KEY])
        env_name = config.getoption("run_options_env")
        if env_name is not None:
            return _options_from_env(env_name, config.getoption("matrix"))
        return build_options(config.getoption("matrix"), devices=list(config.getoption("device")),
                             net_profile=config.getoption("net_profile"), appium_url=config.getoption("appium_url"),
                             target=config.getoption("target"), toxiproxy_url=config.getoption("toxiproxy_url"),
                             state_dir=config.getoption("device_state_dir"),
                             event_log_dir=config.getoption("event_log_dir"))
    except LoanQAError as exc:
        raise pytest.UsageError(str(exc)) from None


def _options_from_env(name: str, matrix: Path | None) -> RunOptions:
    if matrix is not None:
        raise pytest.UsageError("--matrix and --run-options-env exclude each other: the options hold the matrix")
    text = os.environ.get(name)
    if not text:
        raise pytest.UsageError(f"--run-options-env {name}: environment variable not set")
    try:
        return RunOptions.from_json(text)
    except ValidationError as exc:
        raise pytest.UsageError(f"--run-options-env {name}: not valid run options: {exc.errors()[0]['msg']}") from None


class DeviceSuite:
    def __init__(self, opts: RunOptions, state_dir: Path, endpoints: Endpoints, runtime: Runtime | None) -> None:
        self.opts, self.matrix, self.devices, self.state_dir = opts, opts.matrix, opts.selected(), state_dir
        self.endpoints, self.runtime = endpoints, runtime
        self.provider: DeviceProvider = provider_for(self.matrix, state_dir)
        self.health = AppiumHealth(endpoints.appium_url)
        self.backoff = Backoff(attempts=self.matrix.session_start_attempts)
        self.stats = SessionStats()
        self.masking = OutputMasking()
        self._record: RunManifest | None = None
        self._alluredir: Path | None = None
        self.events = None if opts.event_log_dir is None else DeviceJourneyLog(
            opts.event_log_dir, opts.run_id, opts.net_profile, part_name())
        if self.matrix.auth is not None:
            register_secret(self.matrix.auth.username)
            register_secret(self.matrix.auth.access_key)

    @classmethod
    def from_config(cls, config: pytest.Config) -> DeviceSuite:
        opts = run_options(config)
        state = (opts.state_dir or default_state_dir() / "devices").resolve()
        state.mkdir(parents=True, exist_ok=True)
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None and WORKER_KEY in workerinput:
            return cls(opts, state, Endpoints.from_json(workerinput[WORKER_KEY]), None)
        runtime = Runtime(opts, state)
        try:
            endpoints = runtime.open()
        except LoanQAError as exc:
            raise pytest.UsageError(f"cannot start the device run: {exc}") from None
        return cls(opts, state, endpoints, runtime)

    def pytest_configure(self, config: pytest.Config) -> None:
        config.pluginmanager.register(self.masking, "loanqa-devices-masking")
        allure_commons.plugin_manager.register(self.masking)

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            allure_commons.plugin_manager.unregister(self.masking)
        if self.events is not None:
            self.events.close(merge_parts=self.runtime is not None)
        if self.runtime is not None:
            self.runtime.close()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[WORKER_KEY] = self.endpoints.to_json()
        node.workerinput[OPTIONS_KEY] = self.opts.to_json()

    def pytest_report_header(self) -> list[str]:
        e = self.endpoints
        return [mask(f"loanqa devices: matrix {self.matrix.name} ({self.matrix.provider}), "
                     f"{len(self.devices)} device(s), appium {e.appium_url}, app {e.browser_target}")]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "device" in metafunc.fixturenames:
            metafunc.parametrize("device", self.devices, ids=[d.name for d in self.devices])

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            item.add_marker(R.mark_label(L.RUN_ID, self.opts.run_id))
            dev = getattr(item, "callspec", None) and item.callspec.params.get("device")  # type: ignore[attr-defined]
            if isinstance(dev, Device):
                item.add_marker(pytest.mark.xdist_group(dev.name))
                for name, value in _suite_labels(item, dev).items():
                    item.add_marker(R.mark_label(name, value))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[
            None, pytest.TestReport, pytest.TestReport]:
        report = yield
        item.stash.setdefault(_REPORTS, {})[report.when] = report
        exc = call.excinfo.value if call.excinfo is not None else None
        if isinstance(exc, DeviceFailure | InfrastructureError):
            tag(report, exc.cause, exc.device, mask(exc.text))
        if isinstance(exc, InfrastructureError):  # lab trouble: the message says it all (Allure keeps the trace)
            report.longrepr, report.sections = mask(str(exc)), []
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        try:
            return (yield)
        except (DeviceFailure, InfrastructureError) as exc:
            label_cause(exc.cause)
            raise
        except Exception as exc:
            classified = self._classify(item, exc)
            if classified is None:
                raise
            label_cause(classified.cause)
            raise classified from exc

    def _classify(self, item: pytest.Item, exc: Exception) -> DeviceFailure | InfrastructureError | None:
        phone: Phone | None = item.stash.get(_PHONE, None)
        # A killed Appium surfaces as a transport error (urllib3/OSError), not a WebDriverException.
        if phone is None or not isinstance(exc, WebDriverException | TimeoutError | OSError | TransportError):
            return None
        name = phone.device.name
        if not self.health.alive():
            return InfrastructureError(name, f"Appium stopped answering mid-test: {_first_line(exc)}")
        if not isinstance(exc, WebDriverException | TimeoutError):
            return InfrastructureError(name, f"connection to Appium lost mid-test: {_first_line(exc)}")
        try:
            banner = _banner_code(phone.driver)
            answered = probe.answered_cause(probe.calls(phone.driver))
        except WebDriverException:
            return InfrastructureError(name, f"device session lost mid-test: {_first_line(exc)}")
        if answered is not None:  # what the target answered decides, by the same rules as load
            return DeviceFailure(answered[0], name, f"target answered {answered[1].step}: {_answer(answered[1])}; "
                                                    f"{_first_line(exc)}")
        if banner:
            cause = Cause.NETWORK if banner.startswith("NETWORK") else cause_for_response(500, banner)
            return DeviceFailure(cause or Cause.SERVER_ERROR, name, f"app shows error {banner}: {_first_line(exc)}")
        return DeviceFailure(Cause.COMPATIBILITY, name, _first_line(exc))

    @pytest.fixture
    def phone(self, request: pytest.FixtureRequest, device: Device) -> Iterator[Phone]:
        scenario = request.getfixturevalue("scenario") if "scenario" in request.fixturenames else "good"
        _label(device, self.opts.net_profile)
        # The session ends before the device lock is released, on every path (a failed camera setup, evidence
        # that raises, Ctrl-C): a session left open keeps the device busy for the next test.
        with self._locked(device), contextlib.ExitStack() as session:
            with self._setup_guard(device):
                driver = self._session(device, str(scenario), session)
                phone = self._phone(driver, device, request.node.nodeid)
            request.node.stash[_PHONE] = phone
            yield phone
            reports = request.node.stash.get(_REPORTS, {})
            if any(r.failed for r in reports.values()):
                with contextlib.suppress(Exception):  # evidence is best effort: the test's result stands
                    phone.evidence.on_failure()

    @pytest.fixture
    def journey_log(self, request: pytest.FixtureRequest, phone: Phone) -> Iterator[None]:
        """A test using this walks a whole journey: its calls and end go to the event log, its loan id to Allure."""
        yield
        try:
            seen = probe.calls(phone.driver)
        except Exception:  # the session is gone (its failure is reported already): nothing left to read
            return
        loan = next((c.loan_id for c in seen if c.loan_id), None)
        if loan:
            R.label(L.LOAN_ID, loan)
        if self.events is None:
            return
        report = request.node.stash.get(_REPORTS, {}).get("call")
        tagged = getattr(report, CAUSE_ATTR, None)
        self.events.record(seen, device=phone.device.name, journey_id=f"{phone.device.name}-{uuid.uuid4().hex[:12]}",
                           phone=phone.borrower.phone, passed=bool(report and report.passed),
                           cause=Cause(tagged) if tagged else None,
                           detail=mask(report.longreprtext) if report and report.failed else "")

    @contextlib.contextmanager
    def _locked(self, device: Device) -> Iterator[None]:
        lock = device_lock(self.state_dir, device.name, self.opts.lock_timeout_s)
        try:
            lock.__enter__()
        except InfrastructureError as exc:
            label_cause(exc.cause)
            raise
        with contextlib.ExitStack() as release:
            release.push(lock)
            yield

    @contextlib.contextmanager
    def _setup_guard(self, device: Device) -> Iterator[None]:
        """Setup that dies with Appium or its transport is the lab's trouble (broken), never the product's."""
        try:
            yield
        except (DeviceFailure, InfrastructureError):
            raise
        except (WebDriverException, OSError, TransportError) as exc:
            if self.health.alive() and isinstance(exc, WebDriverException):
                raise
            label_cause(Cause.INFRASTRUCTURE)
            raise InfrastructureError(device.name, f"Appium lost during session setup: {_first_line(exc)}") from exc

    def _session(self, device: Device, scenario: str, session: contextlib.ExitStack) -> Any:
        try:
            driver = open_session(self.health, self.provider.options(device, scenario), device.name,
                                  self.backoff, self.stats)
        except InfrastructureError as exc:
            label_cause(exc.cause)
            raise
        session.callback(_quit, driver)
        camera = self.provider.camera(device)
        if camera is not None:
            camera.activate(driver, scenario)
        return driver

    def _phone(self, driver: Any, device: Device, nodeid: str) -> Phone:
        borrower = take_canary() or creditworthy_borrower(random.Random(f"{nodeid}:{time.time_ns()}:{os.getpid()}"))
        register_pii(borrower.name)  # names match no pattern; phone and ID number do
        log = Path(self.endpoints.appium_log) if self.endpoints.appium_log else None
        evidence = Evidence(driver, device.name, log, [borrower.name])
        return Phone(driver, device, self.endpoints.browser_target, borrower, evidence)

    @pytest.fixture
    def api_target(self) -> str:
        return self.endpoints.api_target

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        alluredir = session.config.getoption("allure_report_dir", None)
        if alluredir and getattr(session.config, "workerinput", None) is None:
            self._alluredir = Path(alluredir)
            self._record = run_record.started(self._alluredir, mask(self.endpoints.api_target), self.opts.run_id)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self._record is not None and self._alluredir is not None:
            run_record.ensure(self._record, self._alluredir)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        alluredir = session.config.getoption("allure_report_dir", None)
        if alluredir and getattr(session.config, "workerinput", None) is None:
            self._write_environment(Path(alluredir))
            if self._record is not None:
                run_record.finished(self._record, Path(alluredir), session, exitstatus)

    def _write_environment(self, alluredir: Path) -> None:
        alluredir.mkdir(parents=True, exist_ok=True)
        env = {"matrix": self.matrix.name, "provider": self.matrix.provider,
               "devices": ",".join(d.name for d in self.devices), "appium": self.endpoints.appium_url,
               "target": self.endpoints.api_target, "app_url": self.endpoints.browser_target,
               "network_profile": self.opts.net_profile or "none"}
        write_properties(alluredir, {k: mask(v) for k, v in env.items()})  # https://user:key@hub never verbatim


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_PHONE = pytest.StashKey[Phone]()


def _label(device: Device, net_profile: str | None) -> None:
    R.parameter("device", device.name)
    R.label(L.KIND, "device")
    R.label(L.DEVICE, device.name)
    R.label(L.PLATFORM, device.platform)
    R.label(L.TIER, device.tier)
    R.label(L.NETWORK_PROFILE, net_profile or "none")
    R.description(device.label)


def _banner_code(driver: Any) -> str | None:
    code = driver.execute_script(
        "const b=document.querySelector('[data-testid=\"error-banner\"]');"
        "return b && !b.hidden ? (b.dataset.code || 'UNKNOWN') : null;")
    return None if code is None else str(code)


def _answer(call: probe.Call) -> str:
    if call.error is not None:
        return f"no answer ({call.error})"
    return f"{call.status} {call.code or ''}".strip()


def _quit(driver: Any) -> None:
    with contextlib.suppress(Exception):  # a session already gone (Appium died) has nothing left to end
        driver.quit()


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    return str(text).strip().splitlines()[0][:300]


def _suite_labels(item: pytest.Item, dev: Device) -> dict[str, str]:
    """Allure's Suites tab groups by these. Left to allure-pytest they come from the test file's path relative
    to pytest's rootdir, which names the venv's folders when the suite runs from site-packages."""
    module = getattr(item, "module", None)
    name = module.__name__.rsplit(".", 1)[-1] if module is not None else item.name
    return {"parentSuite": "devicetests", "suite": name, "subSuite": dev.name}

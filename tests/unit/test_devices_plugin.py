"""The pytest plugin: inert without --matrix, clear usage errors, per-device parametrization and groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loanqa.gate.results import read_results
from loanqa.ports import free_port
from loanqa_devicetests.lab_status import LAB_DOWN_EXIT
from loanqa_devicetests.options import build_options

pytest_plugins = ["pytester"]
MATRIX = Path(__file__).resolve().parents[2] / "devicetests" / "matrices" / "ci-emulated.yaml"

PROBE = """
import pytest

def test_device_param(device):
    assert device.emulation is not None

def test_groups(request, device):
    marks = [m.args[0] for m in request.node.iter_markers("xdist_group")]
    assert marks == [device.name]
"""


def test_inert_without_matrix(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert 1 + 1 == 2\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)
    assert "loanqa devices" not in result.stdout.str()


def test_missing_matrix_file_is_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--matrix", "nope.yaml")
    result.stderr.fnmatch_lines(["*--matrix nope.yaml: file not found*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_unknown_device_is_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--matrix", str(MATRIX), "--device", "nokia-3310")
    result.stderr.fnmatch_lines(["*--device: 'nokia-3310': not in matrix; known: android-small-360*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_bad_matrix_is_usage_error_naming_key(pytester: pytest.Pytester) -> None:
    bad = pytester.makefile(".yaml", m="name: m\nprovider: emulated\nappium_url: ftp://x\ntarget: local\n"
                                       "devices: []\n")
    result = pytester.runpytest_subprocess("--matrix", str(bad))
    result.stderr.fnmatch_lines(["*m.yaml: appium_url: 'ftp://x': String should match pattern*"])


def test_parametrized_per_device_with_xdist_group(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PROBE)
    dead = f"http://127.0.0.1:{free_port()}"
    result = pytester.runpytest_subprocess("--matrix", str(MATRIX), "--device", "pixel-7", "--device", "iphone-se",
                                "--appium-url", dead, "--target", dead, "-v", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["loanqa devices: matrix ci-emulated (emulated), 2 device(s), appium http*",
                                 "*test_device_param?pixel-7? PASSED*", "*test_groups?iphone-se? PASSED*"])
    result.assert_outcomes(passed=4)


PHONE_PROBE = """
def test_needs_a_phone(phone):
    pass
"""


def test_every_result_broken_is_the_lab_down_exit_code_with_one_line_per_device(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PHONE_PROBE)
    dead = f"http://127.0.0.1:{free_port()}"
    result = pytester.runpytest_subprocess("--matrix", str(MATRIX), "--device", "pixel-7", "--device", "iphone-se",
                                           "--appium-url", dead, "--target", dead, "-p", "no:randomly")
    assert result.ret == LAB_DOWN_EXIT
    result.stdout.fnmatch_lines(["*device lab down*", "every result is broken (infrastructure), none failed: 2 tests "
                                 "on 2 device(s); exit code 6",
                                 f"  iphone-se: Appium at {dead} is not answering: *",
                                 f"  pixel-7: Appium at {dead} is not answering: *"])
    assert "Traceback" not in result.stdout.str() and "raise " not in result.stdout.str()


def test_a_product_failure_among_broken_results_is_plain_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PHONE_PROBE + "\ndef test_product(device):\n    assert device.name == 'nokia'\n")
    dead = f"http://127.0.0.1:{free_port()}"
    result = pytester.runpytest_subprocess("--matrix", str(MATRIX), "--device", "pixel-7", "--appium-url", dead,
                                           "--target", dead, "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "device lab down" not in result.stdout.str()


def test_options_from_the_environment_skip_the_matrix_file(pytester: pytest.Pytester,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(PROBE)
    dead = f"http://127.0.0.1:{free_port()}"
    opts = build_options(MATRIX, devices=["galaxy-s23"], appium_url=dead, target=dead)
    monkeypatch.setenv("RUN_OPTS", opts.to_json())
    result = pytester.runpytest_subprocess("--run-options-env", "RUN_OPTS", "-v", "-p", "no:randomly")
    result.stdout.fnmatch_lines(["loanqa devices: matrix ci-emulated (emulated), 1 device(s), appium http*",
                                 "*test_device_param?galaxy-s23? PASSED*"])
    result.assert_outcomes(passed=2)
    monkeypatch.setenv("RUN_OPTS", "{not json")
    bad = pytester.runpytest_subprocess("--run-options-env", "RUN_OPTS")
    bad.stderr.fnmatch_lines(["*--run-options-env RUN_OPTS: not valid run options: *"])
    assert bad.ret == pytest.ExitCode.USAGE_ERROR


FLAKY_PROBE = """
from pathlib import Path

def test_flaky_once(device, tmp_path_factory):
    marker = Path(__file__).with_name("attempted")
    first = not marker.exists()
    marker.touch()
    assert not first, "first attempt fails"
"""


def test_a_test_passing_on_rerun_is_flaky_in_allure_and_for_the_gate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(FLAKY_PROBE)
    dead = f"http://127.0.0.1:{free_port()}"
    out = pytester.path / "allure-results"
    result = pytester.runpytest_subprocess("--matrix", str(MATRIX), "--device", "pixel-7", "--appium-url", dead,
                                           "--target", dead, "--reruns", "1", "--alluredir", str(out),
                                           "-p", "no:randomly")
    assert result.parseoutcomes() == {"passed": 1, "rerun": 1}
    attempts = sorted((json.loads(p.read_text()) for p in out.glob("*-result.json")), key=lambda r: r["start"])
    assert [a["status"] for a in attempts] == ["failed", "passed"]
    assert attempts[1]["statusDetails"]["flaky"] is True
    assert "flaky" not in (attempts[0].get("statusDetails") or {})
    seen = read_results([out])
    assert [t.status for t in seen.tests] == ["passed"] and [t.status for t in seen.flaky] == ["failed"]

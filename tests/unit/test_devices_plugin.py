"""The pytest plugin: inert without --matrix, clear usage errors, per-device parametrization and groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ports import free_port

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

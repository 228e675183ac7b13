"""`loanqa devices`: bad input is one line naming file, key and value; the pytest command is what runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.cli.devices import pytest_argv
from loanqa.cli.main import main

MATRIX = Path(__file__).resolve().parents[2] / "devicetests" / "matrices" / "ci-emulated.yaml"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    return int(exit_.value.code or 0), capsys.readouterr().err


def test_unknown_device_is_one_line_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["devices", "--matrix", str(MATRIX), "--device", "nokia"], capsys)
    assert code == 2
    assert err.strip() == (f"loanqa: error: {MATRIX}: --device: 'nokia': not in matrix; known: "
                           "android-small-360, pixel-7, galaxy-s23, redmi-note-12, iphone-se, iphone-15-pro-max")


def test_invalid_matrix_names_entry_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text("name: m\nprovider: lab\nappium_url: local\ntarget: local\n"
                   "devices:\n  - {name: a, platform: ios, tier: top, label: x, lab: {udid: u}}\n")
    code, err = _run(["devices", "--matrix", str(bad)], capsys)
    assert code == 2 and "Traceback" not in err
    assert f"{bad}: devices[0].tier: 'top': Input should be 'flagship', 'mid' or 'entry'" in err


def test_pytest_command_keeps_devices_on_workers_and_writes_results(tmp_path: Path) -> None:
    argv = pytest_argv(MATRIX, ("pixel-7",), "2", tmp_path / "ar", tmp_path, "3g", None, None)
    joined = " ".join(argv)
    assert "-n 2 --dist loadgroup" in joined and f"--alluredir {tmp_path / 'ar'}" in joined
    assert "--device pixel-7" in joined and "--net-profile 3g" in joined and "--appium-url" not in joined
    assert "-n" not in pytest_argv(MATRIX, (), "0", tmp_path, tmp_path, None, None, None)

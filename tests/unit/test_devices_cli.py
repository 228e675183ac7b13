"""`loanqa devices`: bad input is one line naming file, key and value; the pytest command is what runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.cli import devices as devices_cli
from loanqa.cli.devices import PytestFlags, pytest_argv
from loanqa.cli.main import main
from loanqa_devicetests.options import RunOptions, build_options

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


def test_bad_flags_exit_2_before_anything_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def never(*args: object) -> int:
        raise AssertionError("the suite (and Appium, refapp, Toxiproxy with it) must not start")

    monkeypatch.setattr(devices_cli, "run_suite", never)
    state = tmp_path / "state"
    code, err = _run(["--state-dir", str(state), "devices", "--matrix", str(MATRIX), "--net-profile", "9g"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("loanqa: error: command line: --net-profile: '9g': no such profile; known: ")
    code, err = _run(["--state-dir", str(state), "devices", "--matrix", str(MATRIX), "--appium-url", "notaurl"],
                     capsys)
    assert code == 2
    assert err.strip() == ("loanqa: error: command line: --appium-url: 'notaurl': not a URL (http://… or "
                           "https://…) or `local`")
    assert not list(state.rglob("*.json")), "something was started"
    code, err = _run(["--state-dir", str(state), "devices", "--matrix", str(MATRIX), "--run-id", "a b"], capsys)
    assert code == 2 and err.strip() == ("loanqa: error: command line: --run-id: 'a b': use 1-64 letters, digits, "
                                         "dots, dashes or underscores")


def test_options_survive_the_trip_to_the_pytest_process_as_json() -> None:
    opts = build_options(MATRIX, devices=["pixel-7"], net_profile="3g", appium_url="http://127.0.0.1:4723",
                         target="local")
    again = RunOptions.from_json(opts.to_json())
    assert again == opts
    assert opts.run_id.startswith("devices-"), "a run of its own gets an id of its own"
    given = build_options(MATRIX, run_id="run-20261201-180034")
    assert RunOptions.from_json(given.to_json()).run_id == "run-20261201-180034", "`loanqa run` names every step"
    assert [d.name for d in again.selected()] == ["pixel-7"] and again.matrix.name == "ci-emulated"


def test_pytest_command_keeps_devices_on_workers_and_passes_qa_flags_through(tmp_path: Path) -> None:
    flags = PytestFlags(tmp_path / "ar", "2", keyword="esign and pixel", reruns=2, junitxml=tmp_path / "j.xml")
    argv = pytest_argv(flags)
    joined = " ".join(argv)
    assert "-n 2 --dist loadgroup" in joined and f"--alluredir {tmp_path / 'ar'}" in joined
    assert argv[argv.index("-k") + 1] == "esign and pixel" and "--reruns 2" in joined
    assert f"--junitxml {tmp_path / 'j.xml'}" in joined and "--run-options-env LOANQA_DEVICE_RUN" in joined
    assert "--clean-alluredir" not in argv, "earlier results are kept unless asked"
    plain = pytest_argv(PytestFlags(tmp_path, "0", clean_alluredir=True))
    assert "-n" not in plain and "-k" not in plain and "--reruns" not in plain and "--clean-alluredir" in plain

"""`loanqa load` input errors: one line naming the flag or file, exit 2, no traceback, nothing started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loanqa.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(["load", *args])
    return int(info.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(("args", "needle"), [
    (["--shape", "black-friday"], "--shape: 'black-friday': no such shape; known: "),
    (["--duration", "3 minutes"], "--duration: '3 minutes'"),
    (["--duration", "0s"], "must be positive"),
    (["--run-id", "-x"], "--run-id: '-x'"),
    (["--slo", "nonexistent"], "--slo: 'nonexistent'"),
    (["--proxy-host", "https://toxiproxy:8474"], "--proxy-host: 'https://toxiproxy:8474'"),
    (["--proxy-host", "toxiproxy"], "--proxy-bind: required when --proxy-host is a name"),
    (["--proxy-ports", "20000-1"], "--proxy-ports: '20000-1'"),
    (["--toxiproxy-url", "http://127.0.0.1:9", "--network-mix", "cn-2026", "--proxy-ports", "20000-20001"],
     "--proxy-ports: '20000-20001': mix cn-2026 needs 12 proxies"),
])
def test_bad_flags_are_one_clear_line(capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str],
                                      needle: str) -> None:
    code, err = _run(capsys, "--target", "http://127.0.0.1:9", "--out", str(tmp_path / "o"), *args)
    assert code == 2 and needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.partial").exists()


def test_patience_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = _run(capsys, "--target", "http://127.0.0.1:9", "--out", str(tmp_path / "o"), "--patience", "-1")
    assert code == 2 and "'--patience': -1 is not in the range 0<=x<=50" in err and "Traceback" not in err


def test_bad_shape_file_names_file_and_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shape = tmp_path / "peak.yaml"
    shape.write_text("name: peak\nbaseline_users: many\npoints: [{at: 0s, x: 1}, {at: 1m, x: 2}]\n")
    code, err = _run(capsys, "--target", "http://127.0.0.1:9", "--shape", str(shape))
    assert code == 2 and f"{shape}: baseline_users: 'many'" in err


def test_cli_and_load_modules_never_import_locust() -> None:
    code = ("import sys, loanqa.cli.main, loanqa.cli.load, loadtests.launch, loadtests.results, "
            "loadtests.network; bad = {'locust', 'gevent'} & set(sys.modules); assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize(("mix", "needle"), [("nosuch", "no such network mix"), ("bad-profile", "nosuch-link")])
def test_bad_network_mix_fails_before_the_embedded_stack_starts(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path, mix: str, needle: str) -> None:
    """Without --target the refapp would be started first; a typo must not cost a start and a stop."""
    (tmp_path / "bad-profile.yaml").write_text("name: bad-profile\nrationale: x\nweights: {nosuch-link: 1.0}\n")
    state = tmp_path / "state"
    with pytest.raises(SystemExit) as info:
        main(["--state-dir", str(state), "load", "--network-mix", mix if mix == "nosuch" else
              str(tmp_path / "bad-profile.yaml")])
    err = capsys.readouterr().err
    assert info.value.code == 2 and needle in err and "Traceback" not in err, err
    assert not state.exists(), "nothing may be started for a bad mix"

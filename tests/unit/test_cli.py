"""The CLI as a user meets it: one clear line for a mistake, never a traceback; lazy subcommands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loanqa.cli.main import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for name in ("up", "down", "status", "net", "load", "devices", "gate", "report", "run"):
        assert f"  {name} " in out


def test_bad_project_config_is_one_line_naming_file_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "loanqa.yaml"
    cfg.write_text("stack:\n  refapp_port: 70000\n")
    code, _, err = run(["--config", str(cfg), "--state-dir", str(tmp_path / "s"), "status"], capsys)
    assert code == 2
    assert f"{cfg}: stack.refapp_port: 70000" in err
    assert "Traceback" not in err


def test_non_loopback_host_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "loanqa.yaml"
    cfg.write_text("stack:\n  host: 10.0.0.5\n")
    code, _, err = run(["--config", str(cfg), "status"], capsys)
    assert code == 2 and "stack.host: '10.0.0.5'" in err


def test_status_with_nothing_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--state-dir", str(tmp_path), "status"], capsys)
    assert code == 0 and "nothing running" in out


def test_installed_script_runs_without_importing_locust() -> None:
    """Locust monkey-patches the process with gevent; the CLI must not pay for it unless it loads."""
    script = Path(sys.executable).parent / "loanqa"
    probe = ("import sys; from loanqa.cli.main import cli; "
             "from click.testing import CliRunner; CliRunner().invoke(cli, ['--help']); "
             "print('locust' in sys.modules, 'gevent' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.split() == ["False", "False"]
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "loanqa" in done.stdout


def test_terminal_output_is_masked_unless_show_pii(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from loanqa.masking import SHOW_PII_ENV

    monkeypatch.delenv(SHOW_PII_ENV, raising=False)
    cfg = tmp_path / "loanqa.yaml"
    cfg.write_text("stack:\n  host: '13812345678'\n")
    code, _, err = run(["--config", str(cfg), "status"], capsys)
    assert code == 2 and "stack.host: '138****5678'" in err and "13812345678" not in err
    monkeypatch.setenv(SHOW_PII_ENV, "")  # restored after the test; --show-pii sets it for subprocesses
    code, _, err = run(["--show-pii", "--config", str(cfg), "status"], capsys)
    assert code == 2 and "stack.host: '13812345678'" in err


@pytest.mark.parametrize(("argv", "named"), [
    (["--skip-devices", "--shape", "dubble-11"], "dubble-11"),
    (["--skip-devices", "--network-mix", "cn-2062"], "cn-2062"),
    (["--skip-devices", "--duration", "90 parsecs"], "--duration"),
    (["--skip-load", "--device", "pixel-77"], "pixel-77")])
def test_run_refuses_a_typo_before_it_starts_anything(
        argv: list[str], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    code, _, err = run(["--state-dir", str(state), "run", "--out", str(tmp_path / "out"), *argv], capsys)
    assert code == 2 and named in err and "Traceback" not in err, err
    assert not list(state.rglob("*.json")) and not (tmp_path / "out").exists(), "nothing started, nothing written"

"""`loanqa load` input errors: one line naming the flag or file, exit 2, no traceback, nothing started."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from loanqa.cli.main import main
from loanqa.load_summary import LoadSummary


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
    code = ("import sys, loanqa.cli.main, loanqa.cli.load, loanqa_loadtests.control.launch, "
            "loanqa_loadtests.output.results, loanqa_loadtests.control.network; "
            "bad = {'locust', 'gevent'} & set(sys.modules); assert not bad, bad")
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


def _judged(passed: bool, status: str = "complete") -> LoadSummary:
    from loanqa.slo import SloResult

    slo = SloResult(name="apply p95", metric="p95_ms", threshold=2000, actual=900 if passed else 2500,
                    passed=passed, verdict="passed" if passed else "failed", detail="p95_ms …")
    return LoadSummary(run_id="r", target="t", shape="smoke", started_at=0, finished_at=1, slos=[slo],
                       status=status, stopped_by="" if status == "complete" else "stopped by the user")  # type: ignore[arg-type]


@pytest.mark.parametrize(("passed", "code"), [(True, 3), (False, 1)])
def test_the_verdict_comes_first_and_a_clean_up_problem_after_it(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                                   passed: bool, code: int) -> None:
    """Toxiproxy died mid-run: the SLO verdict is still printed; the clean-up error follows (exit 3 if all met)."""
    from loanqa.cli.load import _report
    from loanqa.errors import ComponentError, LoanQAError

    with pytest.raises(LoanQAError) as err:
        _report(_judged(passed), tmp_path, ComponentError("cannot reach Toxiproxy at http://127.0.0.1:9"))
    out, errs = capsys.readouterr()
    assert ("PASS  apply p95" if passed else "FAIL  apply p95") in out
    assert "clean-up after the run failed: cannot reach Toxiproxy" in errs
    assert err.value.exit_code == code


def test_an_interrupted_run_prints_its_verdict_so_far_and_exits_130(capsys: pytest.CaptureFixture[str],
                                                                    tmp_path: Path) -> None:
    from loanqa.cli.load import _report
    from loanqa.errors import Interrupted

    with pytest.raises(Interrupted) as err:
        _report(_judged(True, "interrupted"), tmp_path)
    assert err.value.exit_code == 130 and "PASS  apply p95" in capsys.readouterr().out


def _starved() -> LoadSummary:
    from loanqa.slo import SloResult

    met = SloResult(name="apply p95", metric="p95_ms", threshold=2000, actual=900, passed=True, verdict="passed",
                    detail="p95_ms 900 …")
    few = SloResult(name="technical failure rate [festival]", metric="technical_failure_rate", threshold=0.2,
                    actual=0.25, passed=False, verdict="insufficient", samples=8, min_samples=30, profile="festival",
                    detail="technical_failure_rate 0.25, objective ≤ 0.2, 8 samples (too few samples: at least 30 "
                           "needed)")
    return LoadSummary(run_id="r", target="t", shape="smoke", started_at=0, finished_at=1, slos=[met, few])


def test_too_few_samples_fails_the_load_run_by_default(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from loanqa.cli.load import _report
    from loanqa.errors import RunFailed

    with pytest.raises(RunFailed) as err:
        _report(_starved(), tmp_path)
    assert "FEW   technical failure rate [festival]" in capsys.readouterr().out
    assert str(err.value) == ("1 SLOs with too few samples (too_few_samples: fail): technical failure rate "
                              "[festival]: too few samples on profile festival: 8 of the 30 needed "
                              "(technical_failure_rate 0.25 so far, objective ≤ 0.2)")


def test_many_starved_slos_make_one_short_error_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A short run on a 12-profile mix starves ~20 per-profile SLOs: the error names the count, not a wall of text."""
    from loanqa.cli.load import _report
    from loanqa.errors import RunFailed

    starved = _starved()
    few = starved.slos[1]
    many = starved.model_copy(update={"slos": [few.model_copy(update={"profile": f"p{i}"}) for i in range(20)]})
    with pytest.raises(RunFailed) as err:
        _report(many, tmp_path)
    assert capsys.readouterr().out.count("FEW   technical failure rate") == 20
    assert str(err.value) == ("20 SLOs with too few samples (too_few_samples: fail): each named on its FEW line "
                              "above")


def test_too_few_samples_only_warns_when_asked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from loanqa.cli.load import _report

    _report(_starved(), tmp_path, too_few="warn")
    out = capsys.readouterr().out
    assert "FEW   technical failure rate [festival]: technical_failure_rate 0.25, objective ≤ 0.2, 8 samples (too " \
           "few samples: at least 30 needed)" in out
    assert "loanqa load: warning: 1 SLOs with too few samples to judge (too_few_samples: warn); n and floor on " \
           "their FEW lines above" in out


def test_a_bad_too_few_samples_value_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--state-dir", str(tmp_path / "state"), "load", "--too-few-samples", "ignore"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "'ignore' is not one of 'fail', 'warn'" in err and "Traceback" not in err
    assert not (tmp_path / "state").exists()


def test_the_slo_sets_too_few_samples_is_validated_naming_file_key_and_value(tmp_path: Path) -> None:
    from loanqa.errors import ConfigError
    from loanqa_loadtests.model.slo_config import load_slos

    bad = tmp_path / "slos.yaml"
    bad.write_text("too_few_samples: skip\nslos: [{metric: technical_failure_rate, max: 0.1}]\n")
    with pytest.raises(ConfigError) as err:
        load_slos(str(bad))
    assert str(err.value) == f"{bad}: too_few_samples: 'skip': Input should be 'fail' or 'warn'"
    assert load_slos("default").too_few_samples == "fail", "fail closed unless a set or --too-few-samples says warn"


def test_shape_slo_mix_and_profile_files_are_each_read_once_before_anything_starts(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control process reads each file once and hands typed objects down (Locust gets them as JSON).

    Toxiproxy is refused on purpose: the run stops when the proxies are made, after every file was needed.
    """
    from loanqa.ports import free_port

    profiles = tmp_path / "profiles"
    profiles.mkdir()
    files = {"shape": tmp_path / "peak.yaml", "slo": tmp_path / "slos.yaml", "mix": tmp_path / "mix.yaml",
             "profile": profiles / "lab-link.yaml"}
    files["shape"].write_text("name: peak\nbaseline_users: 2\npoints: [{at: 0s, x: 1}, {at: 1m, x: 2}]\n")
    files["slo"].write_text("slos:\n  - {metric: p95_ms, step: apply, max: 1500}\n")
    files["mix"].write_text("name: lab\nrationale: one link\nweights: {lab-link: 1.0}\n")
    files["profile"].write_text("description: lab link\nsource: test\ndownstream: [{type: latency, latency: 5}]\n")
    reads: list[Path] = []
    read_text = Path.read_text

    def counted(path: Path, *args: object, **kwargs: object) -> str:
        reads.append(path.resolve())
        return read_text(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counted)
    code, err = _run(capsys, "--target", "http://127.0.0.1:9", "--toxiproxy-url", f"http://127.0.0.1:{free_port()}",
                     "--out", str(tmp_path / "o"), "--shape", str(files["shape"]), "--slo", str(files["slo"]),
                     "--network-mix", str(files["mix"]), "--profiles-dir", str(profiles))
    assert code == 3 and "Toxiproxy" in err and "Traceback" not in err, err
    assert {name: reads.count(path.resolve()) for name, path in files.items()} == dict.fromkeys(files, 1)

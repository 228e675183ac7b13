"""Passes the gate must not give: results that did not run, forged retries, and careless waivers.

Each case starts from a set the shipped policy passes and changes one thing, so a failure here is that
one thing being caught (and not some other rule failing by accident).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest

from loanqa.config.loader import validate
from loanqa.errors import ConfigError, ResultsError
from loanqa.gate import Policy, Verdict, evaluate, load_policy
from loanqa.gate.results import read_results
from loanqa.load_summary import LoadSummary
from loanqa.paths import project_root
from loanqa.run_manifest import RunManifest
from loanqa.slo import SloResult
from tests.unit.gate_factory import device, write_result

GATES = project_root() / "ci" / "gates"
TODAY = dt.date(2026, 6, 1)
NOW_MS = int(time.time() * 1000)


def load_run(folder: Path) -> Path:
    """A passing load run: summary.json beside allure-results with one passed SLO per critical feature."""
    results = folder / "allure-results"
    for feature in ("Disbursement", "Face recognition", "E-sign", "Loan application"):
        write_result(results, f"{feature} SLO", labels={"kind": "load", "feature": feature, "platform": "load"})
    LoadSummary(run_id="run-1", target="http://127.0.0.1:1", shape="double-11", started_at=0, finished_at=60,
                slos=[SloResult(name="disburse p95", metric="p95_ms", threshold=2000, actual=900, passed=True)]
                ).write(folder)
    return results


def device_run(folder: Path, status: str = "passed", n: int = 3) -> Path:
    results = folder / "devices"
    for i in range(n):
        write_result(results, f"face_{i}", status, labels=device(feature="Face recognition"))
    return results


def judge(dirs: list[Path], pol: Policy) -> Verdict:
    return evaluate(dirs, pol, today=TODAY)


def failed(v: Verdict) -> set[str]:
    return {r.rule for r in v.failed_rules}


def policy(**data: Any) -> Policy:
    return validate(data, Policy, "p.yaml")


def test_baseline_set_passes_the_default_policy(tmp_path: Path) -> None:
    assert judge([load_run(tmp_path), device_run(tmp_path)], load_policy(GATES / "default.yaml")).passed


@pytest.mark.parametrize("status", ["unknown", "skipped"])
def test_device_results_that_did_not_run_fail_the_default_policy(tmp_path: Path, status: str) -> None:
    v = judge([load_run(tmp_path), device_run(tmp_path, status)], load_policy(GATES / "default.yaml"))
    assert "min_passed.per_kind.device" in failed(v)
    (r,) = [r for r in v.rules if r.rule == "min_passed.per_kind.device"]
    assert r.detail == "0 passed tests, at least 1 required"


def test_unknown_critical_test_fails_the_release_policy(tmp_path: Path) -> None:
    dirs = [load_run(tmp_path), device_run(tmp_path)]
    write_result(dirs[1], "layout_small", "unknown", labels=device(feature="E-sign"))
    v = judge(dirs, load_policy(GATES / "release.yaml"))
    (r,) = [r for r in v.rules if r.rule == "critical.E-sign"]
    assert not r.passed and "layout_small" in r.offenders[0] and "unknown" in r.offenders[0]


def test_allow_skipped_never_lets_unknown_through(tmp_path: Path) -> None:
    results = device_run(tmp_path)
    write_result(results, "pay", labels=device(feature="Disbursement"))
    write_result(results, "pay_unknown", "unknown", labels=device(feature="Disbursement"))
    pol = policy(critical={"features": ["Disbursement"], "allow_skipped": True})
    assert "critical.Disbursement" in failed(judge([results], pol))


def test_critical_feature_whose_only_test_was_skipped_fails_the_default_policy(tmp_path: Path) -> None:
    load = tmp_path / "load"
    results = load / "allure-results"
    write_result(results, "disbursement success", "skipped", labels={"kind": "load", "feature": "Disbursement"})
    write_result(results, "apply p95", labels={"kind": "load", "feature": "Loan application"})
    LoadSummary(run_id="r", target="t", shape="s", started_at=0, finished_at=1,
                slos=[SloResult(name="x", metric="p95_ms", threshold=1, actual=1, passed=True)]).write(load)
    v = judge([results, device_run(tmp_path)], load_policy(GATES / "default.yaml"))
    assert failed(v) == {"critical.Disbursement"}
    (r,) = v.failed_rules
    assert "0 passed (at least 1 required)" in r.detail


def test_unknown_counts_against_the_pass_rate(tmp_path: Path) -> None:
    results = device_run(tmp_path, n=9)
    write_result(results, "lost", "unknown", labels=device())
    (r,) = [r for r in judge([results], policy(pass_rate={"overall": 0.95})).rules if r.rule == "pass_rate.overall"]
    assert not r.passed and r.detail.startswith("90.0% of 10 tests passed")


def test_a_passed_copy_from_the_future_is_rejected_not_folded(tmp_path: Path) -> None:
    results = device_run(tmp_path)
    write_result(results, "pay", "failed", history_id="h-pay", start=NOW_MS - 5000, stop=NOW_MS - 4000,
                 labels=device(feature="Disbursement"))
    forged = write_result(results, "pay", "passed", history_id="h-pay", start=32503680000000,
                          stop=32503680001000, labels=device(feature="Disbursement"))
    with pytest.raises(ResultsError) as err:
        judge([results], load_policy(GATES / "release.yaml"))
    assert str(err.value).startswith(f"{results / forged.name}: stop 3000-01-01T00:00:01Z is in the future")


def test_retries_fold_by_start_time_as_allure_does(tmp_path: Path) -> None:
    """The attempt that started last is the verdict, even if an earlier one was still finishing after it."""
    write_result(tmp_path, "t", "passed", history_id="h", start=1000, stop=9000)
    write_result(tmp_path, "t", "failed", history_id="h", start=2000, stop=3000)
    (t,) = read_results([tmp_path]).tests
    assert t.status == "failed"


def test_wildcard_waiver_is_refused_when_the_policy_loads() -> None:
    with pytest.raises(ConfigError, match=r"known_issues\[0\]\.match: '\*': a known issue names one test exactly"):
        policy(known_issues=[{"match": "*", "ticket": "LOAN-1", "expires": "2999-01-01"}])


def test_waiver_beyond_the_maximum_lifetime_waives_nothing(tmp_path: Path) -> None:
    results = device_run(tmp_path)
    write_result(results, "flaky_cam", "failed", labels=device(feature="Profile"))
    issue = {"match": "flaky_cam", "ticket": "LOAN-1", "expires": "2999-01-01"}
    v = judge([results], policy(max_failures=0, known_issues=[issue]))
    assert failed(v) == {"max_failures", "known_issues"}
    (r,) = [r for r in v.rules if r.rule == "known_issues"]
    assert r.offenders[0].startswith("LOAN-1 (flaky_cam) expires 2999-01-01, after 2026-08-30 (waivers.max_days 90)")
    ok = judge([results], policy(max_failures=0, known_issues=[issue | {"expires": "2026-07-01"}]))
    assert ok.passed and ok.stats.waived == 1


def test_critical_failure_is_waived_only_where_the_policy_allows_it(tmp_path: Path) -> None:
    results = device_run(tmp_path)
    write_result(results, "pay", labels=device(feature="Disbursement"))
    write_result(results, "pay_dark", "failed", labels=device(feature="Disbursement"))
    issue = {"match": "pay_dark", "ticket": "LOAN-2", "expires": "2026-06-10"}
    strict = judge([results], policy(critical={"features": ["Disbursement"]}, known_issues=[issue]))
    assert failed(strict) == {"critical.Disbursement", "known_issues"}
    (r,) = [r for r in strict.rules if r.rule == "known_issues"]
    assert "cannot waive pay_dark" in r.offenders[0] and "critical.waivable" in r.offenders[0]
    allowed = judge([results], policy(critical={"features": ["Disbursement"], "waivable": ["Disbursement"]},
                                      known_issues=[issue]))
    assert allowed.passed and allowed.stats.waived == 1


def test_waivable_must_name_a_critical_feature() -> None:
    with pytest.raises(ConfigError, match=r"critical: .*waivable names Face, not in critical\.features"):
        policy(critical={"features": ["Disbursement"], "waivable": ["Face"]})


def _load_dir(folder: Path, results_run: str, summary_run: str, *, at_ms: int = 10_000,
              target: str = "http://127.0.0.1:1") -> Path:
    results = folder / "allure-results"
    write_result(results, "disburse SLO", labels={"kind": "load", "feature": "Disbursement"}, run_id=results_run,
                 start=at_ms, stop=at_ms + 1000)
    LoadSummary(run_id=summary_run, target=target, shape="double-11", started_at=0, finished_at=60,
                slos=[SloResult(name="x", metric="p95_ms", threshold=1, actual=1, passed=True)]).write(folder)
    return results


def test_a_summary_from_another_run_is_named(tmp_path: Path) -> None:
    v = judge([_load_dir(tmp_path, "run-today", "run-last-week")], policy())
    (r,) = [r for r in v.rules if r.rule == "run.same_run"]
    assert not r.passed
    assert r.offenders[0].startswith("1 results of load run run-today (e.g. ")
    assert r.offenders[0].endswith("have no summary.json of that run (summaries: run-last-week)")
    assert r.offenders[1] == (f"{tmp_path / 'summary.json'}: summary of load run run-last-week, but none of the "
                              "given results come from that run")


def test_load_results_outside_their_summary_window_are_named(tmp_path: Path) -> None:
    v = judge([_load_dir(tmp_path, "r", "r", at_ms=3_600_000)], policy())
    (r,) = [r for r in v.rules if r.rule == "run.same_run"]
    assert not r.passed and "outside load run r (1970-01-01T00:00:00Z to 1970-01-01T00:01:00Z" in r.offenders[0]


def test_device_and_load_runs_against_different_targets_are_named(tmp_path: Path) -> None:
    load = _load_dir(tmp_path / "load", "r", "r")
    devices = device_run(tmp_path)
    RunManifest(kind="device", run_id="d", target="https://staging.example/", started_at=0, finished_at=60,
                complete=True, reason="").write(devices)
    (r,) = [r for r in judge([load, devices], policy()).rules if r.rule == "run.same_run"]
    assert not r.passed
    assert r.offenders == (f"{tmp_path / 'load' / 'summary.json'}: target http://127.0.0.1:1",
                           f"{devices / 'loanqa-run-d.json'}: target https://staging.example/")


def test_runs_further_apart_than_the_policy_allows_are_named(tmp_path: Path) -> None:
    load = _load_dir(tmp_path / "load", "r", "r")
    devices = device_run(tmp_path)
    day = 86_400.0
    for t in read_results([devices]).tests:  # move the device results two days on, inside their own run
        raw = (devices / t.file).read_text().replace('"start": 1000', f'"start": {int(2 * day * 1000)}')
        (devices / t.file).write_text(raw.replace('"stop": 2000', f'"stop": {int(2 * day * 1000) + 1}'))
    RunManifest(kind="device", run_id="d", target="http://127.0.0.1:1", started_at=2 * day, finished_at=2 * day + 60,
                complete=True, reason="").write(devices)
    (r,) = [r for r in judge([load, devices], policy()).rules if r.rule == "run.same_run"]
    assert not r.passed and r.offenders[0].startswith("the runs span 48.0 h, more than run.max_span_hours 24")


def test_a_result_outside_its_device_run_is_rejected(tmp_path: Path) -> None:
    devices = device_run(tmp_path)
    RunManifest(kind="device", run_id="d-1", started_at=3600, finished_at=7200, complete=True, reason=""
                ).write(devices)
    with pytest.raises(ResultsError, match=r"-result\.json: ran 1970-01-01T00:00:01Z to 1970-01-01T00:00:02Z, "
                       r"outside run d-1 \(1970-01-01T01:00:00Z to 1970-01-01T02:00:00Z, loanqa-run-d-1\.json\)"):
        judge([devices], policy())


def test_a_tie_between_attempts_is_judged_as_the_worse(tmp_path: Path) -> None:
    write_result(tmp_path, "t", "passed", history_id="h", start=1000, stop=2000)
    write_result(tmp_path, "t", "unknown", history_id="h", start=1000, stop=2000)
    write_result(tmp_path, "t", "skipped", history_id="h", start=1000, stop=2000)
    (t,) = read_results([tmp_path]).tests
    assert t.status == "unknown"


def test_a_critical_feature_named_in_a_second_label_still_counts(tmp_path: Path) -> None:
    """Allure labels repeat: a test in E-sign and Disbursement is a Disbursement test too."""
    results = device_run(tmp_path)
    write_result(results, "pay", labels=device(feature="Disbursement"))
    path = write_result(results, "sign_then_pay", "failed", labels=device(feature="E-sign"))
    raw = json.loads(path.read_text())
    raw["labels"].append({"name": "feature", "value": "Disbursement"})
    path.write_text(json.dumps(raw))
    v = judge([results], policy(critical={"features": ["Disbursement"]}))
    assert "critical.Disbursement" in failed(v)


@pytest.mark.skipif("status" not in LoadSummary.model_fields, reason="summary.status arrives with issue 11")
def test_an_interrupted_load_run_is_refused(tmp_path: Path) -> None:
    results = load_run(tmp_path)
    raw = json.loads((tmp_path / "summary.json").read_text())
    raw |= {"status": "interrupted", "stopped_by": "SIGINT"}
    (tmp_path / "summary.json").write_text(json.dumps(raw))
    (r,) = [r for r in judge([results], policy()).rules if r.rule == "run.complete"]
    assert not r.passed and r.offenders == (f"{tmp_path / 'summary.json'}: load run run-1 is interrupted: SIGINT",)

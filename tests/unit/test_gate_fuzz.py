"""Fuzzing the gate with hypothesis: allure-results folders and load summaries generated from the result schema.

Whatever the files hold (valid results, retries sharing a historyId, timestamps from the future, broken
labels, garbage, empty or deeply nested JSON, FIFOs, a summary from another run), the gate must answer in
bounded time with a verdict or one LoanQAError, and must never pass a set in which a test of a critical
feature did not pass, nor one whose device run record says the run did not finish. The number of cases
and the worst time are printed at the end of the module.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loanqa.config.loader import validate
from loanqa.errors import LoanQAError
from loanqa.gate import Policy, evaluate, load_policy
from loanqa.paths import project_root

NOW_S = 1_800_000_000.0  # the gate's clock in every case
NOW_MS = int(NOW_S * 1000)
TODAY = dt.date(2027, 1, 15)
CASES = 500
WORST_ALLOWED_S = 2.0  # per case, on a loaded 2-core CI machine

GATES = project_root() / "ci" / "gates"
CRITICAL = ("Disbursement", "Face recognition")
FEATURES = (*CRITICAL, "Loan application", "Layout compatibility")
FEATURE_LABELS = ("feature", "epic")
STATUSES = ("passed",) * 20 + ("failed", "broken", "skipped", "unknown")


@dataclass
class Stats:
    cases: int = 0
    passed_verdicts: int = 0
    refused_inputs: int = 0
    critical_not_passed: int = 0
    worst_s: float = 0.0
    worst_case: str = ""


STATS = Stats()


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    line = (f"gate fuzz: {STATS.cases} generated cases, worst {STATS.worst_s * 1000:.0f} ms ({STATS.worst_case}); "
            f"{STATS.passed_verdicts} passed, {STATS.refused_inputs} refused as invalid input, "
            f"{STATS.critical_not_passed} with a critical test not passed (none may pass)")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # shown on the terminal, not swallowed with the teardown
            reporter.write_line(line)


# ---- the result schema, with the ways a flaky lab or a hostile pipeline bends it ---------------------------

timestamps = st.one_of(
    st.integers(NOW_MS - 3_600_000, NOW_MS),  # the last hour: a normal run
    st.integers(NOW_MS - 3_600_000, NOW_MS + 10 * 365 * 86_400_000),  # up to ten years ahead
    st.sampled_from([0, -1, 2**63, 10**30]),
    st.sampled_from([None, "1700000000000", 1.5e12, True]),
)
labels = st.lists(st.one_of(
    st.builds(lambda n, v: {"name": n, "value": v},
              st.sampled_from(["kind", "platform", "feature", "epic", "device", "tier", "cause", "suite"]),
              st.sampled_from(["device", "load", "android", "ios", *FEATURES, "Pixel 7", "network", "", "mid"])),
    st.sampled_from([{"name": 3, "value": "x"}, "feature", None, {"value": "Disbursement"}]),
), max_size=6)
labels_field = st.one_of(labels, labels, labels, st.sampled_from([None, "feature=Disbursement", {"feature": "x"}]))


@st.composite
def result(draw: st.DrawFn, hostile: bool) -> dict[str, Any]:
    """A result as allure-pytest writes it; `hostile` bends every field the schema has."""
    start = draw(st.integers(NOW_MS - 3_600_000, NOW_MS - 60_000))
    raw: dict[str, Any] = {
        "name": draw(st.sampled_from([f"test_{i}" for i in range(6)])),
        "status": draw(st.sampled_from(STATUSES)),
        "start": start,
        "stop": start + draw(st.integers(0, 60_000)),
        "historyId": draw(st.sampled_from([f"h{i}" for i in range(6)])),
        "labels": [{"name": "kind", "value": draw(st.sampled_from(["device", "load"]))},
                   {"name": "platform", "value": draw(st.sampled_from(["android", "ios"]))}],
    }
    for feature in draw(st.lists(st.sampled_from(FEATURES), max_size=2)):
        raw["labels"].append({"name": draw(st.sampled_from(FEATURE_LABELS)), "value": feature})
    if draw(st.sampled_from([False] * 150 + [True])):  # a retry copy stamped ahead of the clock
        raw["start"] = raw["stop"] = draw(st.integers(NOW_MS + 600_000, NOW_MS + 10 * 365 * 86_400_000))
    if not hostile:
        return raw
    for key, values in (("name", st.one_of(st.text(max_size=12), st.sampled_from([None, 7]))),
                        ("status", st.sampled_from(["exploded", None, 1, "PASSED"])),
                        ("start", timestamps), ("stop", timestamps), ("labels", labels_field),
                        ("historyId", st.sampled_from([None, "", 5])),
                        ("fullName", st.sampled_from(["suite#a", "", None, 3])),
                        ("statusDetails", st.sampled_from([{"message": "[network] timeout"}, {"message": 3}, "x"])),
                        ("parameters", st.sampled_from([[{"name": "run_id", "value": "run-1"}],
                                                        [{"name": "run_id", "value": "run-2"}], "run_id", [None]]))):
        if draw(st.sampled_from([False] * 4 + [True])):
            raw[key] = draw(values)
    return raw


def _json(r: dict[str, Any]) -> tuple[str, bytes]:
    return ("json", json.dumps(r).encode())


hostile_files = st.sampled_from([
    ("empty", b""), ("garbage", b"\x00\xff{]"), ("truncated", b'{"name": "t", "sta'),
    ("deep", b'{"name": "t", "status": "passed", "labels": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
    ("array", b"[1, 2, 3]"), ("fifo", b""), ("dir", b"")])
@st.composite
def near_pass_sets(draw: st.DrawFn) -> list[tuple[str, bytes]]:
    """A set the gate should pass, then one change a flaky lab or a forger makes: the boundary to explore."""
    base = [dict(r, status="passed") for r in draw(st.lists(result(hostile=False), min_size=4, max_size=15))]
    for n, (r, feature) in enumerate(zip(base, CRITICAL * 2, strict=False)):
        r["labels"].append({"name": "feature", "value": feature})
        r["historyId"] = f"crit-{feature}-{n}"
    i = draw(st.integers(0, len(base) - 1))
    status = draw(st.sampled_from(["failed", "broken", "skipped", "unknown"]))
    change = draw(st.sampled_from(["status", "later retry", "earlier retry", "tie", "extra feature"]))
    victim = base[i]
    if change == "status":
        victim["status"] = status
    elif change == "extra feature":
        base.append(dict(victim, status=status, historyId="other", labels=[
            {"name": "feature", "value": "Loan application"}, {"name": "epic", "value": CRITICAL[i % 2]}]))
    else:
        shift = {"later retry": 1000, "earlier retry": -1000, "tie": 0}[change]
        base.append(dict(victim, status=status, start=victim["start"] + shift, stop=victim["stop"] + shift))
    return [_json(r) for r in base]


clean_sets = st.lists(result(hostile=False).map(_json), min_size=1, max_size=25)
hostile_sets = st.lists(st.one_of(result(hostile=True).map(_json), result(hostile=True).map(_json), hostile_files),
                        min_size=0, max_size=25)
file_sets = st.one_of(near_pass_sets(), near_pass_sets(), clean_sets, clean_sets, hostile_sets)


@st.composite
def summary(draw: st.DrawFn) -> dict[str, Any] | bytes | None:
    kind = draw(st.sampled_from(["none", "valid", "valid", "valid", "valid", "broken"]))
    if kind == "none":
        return None
    if kind == "broken":
        return draw(st.sampled_from([b"", b"{", b'{"run_id": 5}', b"[]", b'{"run_id": ' + b"[" * 5000 + b"]" * 5000
                                     + b"}"]))
    slo = {"name": "disburse p95", "metric": "p95_ms", "threshold": 2000.0, "actual": draw(
        st.sampled_from([900.0, 900.0, 2500.0, None])), "passed": draw(st.sampled_from([True, True, False]))}
    return {"run_id": draw(st.sampled_from(["run-1", "run-2"])), "target": "http://127.0.0.1:1", "shape": "smoke",
            "started_at": draw(st.sampled_from([NOW_S - 3600] * 4 + [NOW_S - 86_400 * 3, NOW_S + 86_400])),
            "finished_at": NOW_S - 60, "slos": [] if draw(st.sampled_from([False] * 3 + [True])) else [slo],
            "funnel": {"started": 10, "approved": 10, "signed": 10, "disbursed": draw(st.integers(0, 10))}}


fuzz_policies = st.builds(lambda skipped, load: validate({"name": "fuzz", "critical": {"features": list(CRITICAL),
                                                                                      "allow_skipped": skipped},
                                                          "load": {"required": load}}, Policy, "fuzz.yaml"),
                          st.booleans(), st.booleans())
policies = st.one_of(
    fuzz_policies, fuzz_policies, fuzz_policies,
    st.just(load_policy(GATES / "default.yaml")),
    st.just(load_policy(GATES / "release.yaml")),
)


# The device run's record: none (another tool's results), finished, interrupted, or not a record at all.
manifests = st.sampled_from([
    None, None,
    {"kind": "device", "run_id": "d", "started_at": NOW_S - 3700, "finished_at": NOW_S, "complete": True,
     "reason": ""},
    {"kind": "device", "run_id": "d", "started_at": NOW_S - 3700, "finished_at": NOW_S, "complete": False,
     "reason": "the device run ended early (pytest exit status 2, interrupted)"},
    {"kind": "device", "run_id": "d", "started_at": NOW_S - 3700},
    {"kind": "device", "run_id": "d", "started_at": NOW_S - 600, "finished_at": NOW_S, "complete": True},
    b"{", b"[]"])


def _write(folder: Path, files: list[tuple[str, bytes]], summ: dict[str, Any] | bytes | None,
           manifest: dict[str, Any] | bytes | None) -> Path:
    results = folder / "allure-results"
    results.mkdir()
    if manifest is not None:
        body = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
        (results / "loanqa-run.json").write_bytes(body)
    for i, (kind, body) in enumerate(files):
        path = results / f"{i:04d}-result.json"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "dir":
            path.mkdir()
        else:
            path.write_bytes(body)
    if summ is not None:
        (folder / "summary.json").write_bytes(summ if isinstance(summ, bytes) else json.dumps(summ).encode())
    return results


def _critical_not_passed(files: list[tuple[str, bytes]], policy: Policy) -> bool:
    """Independent of the gate: the last-started attempt of some critical test did not pass."""
    attempts: dict[str, list[dict[str, Any]]] = {}
    for kind, body in files:
        if kind != "json":
            continue
        raw = json.loads(body)
        full = raw.get("fullName") if isinstance(raw.get("fullName"), str) and raw.get("fullName") else raw.get("name")
        attempts.setdefault(str(raw.get("historyId") or raw.get("testCaseId") or full), []).append(raw)
    excused = {"passed", "skipped"} if policy.critical.allow_skipped else {"passed"}
    for group in attempts.values():
        last = max((_ms(r.get("start")), _ms(r.get("stop"))) for r in group)
        for r in group:
            labs: list[Any] = r["labels"] if isinstance(r.get("labels"), list) else []
            names = {lab.get("value") for lab in labs if isinstance(lab, dict) and lab.get("name") in FEATURE_LABELS}
            if ((_ms(r.get("start")), _ms(r.get("stop"))) == last and names & set(policy.critical.features)
                    and r.get("status") not in excused):
                return True
    return False


def _ms(value: Any) -> int:
    return value if isinstance(value, int) else 0


@settings(max_examples=CASES, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=file_sets, summ=summary(), manifest=manifests, policy=policies)
def test_gate_never_crashes_hangs_or_passes_a_critical_failure(files: list[tuple[str, bytes]],
                                                              summ: dict[str, Any] | bytes | None,
                                                              manifest: dict[str, Any] | bytes | None,
                                                              policy: Policy) -> None:
    with tempfile.TemporaryDirectory(prefix="gate-fuzz-") as tmp:
        results = _write(Path(tmp), files, summ, manifest)
        started = time.perf_counter()
        try:
            verdict = evaluate([results], policy, today=TODAY, now=NOW_S)
        except LoanQAError as exc:
            verdict = None
            assert "\n" not in str(exc), f"one line: {exc}"
            STATS.refused_inputs += 1
        took = time.perf_counter() - started
    STATS.cases += 1
    if took > STATS.worst_s:
        STATS.worst_s, STATS.worst_case = took, f"{len(files)} files, policy {policy.name}"
    assert took < WORST_ALLOWED_S, f"the gate took {took:.2f} s on one generated case"
    if verdict is None:
        return
    critical_failed = all(k == "json" for k, _ in files) and _critical_not_passed(files, policy)
    STATS.critical_not_passed += critical_failed
    STATS.passed_verdicts += verdict.passed
    assert not (verdict.passed and critical_failed), "the gate passed a set in which a critical test did not pass"
    unfinished = isinstance(manifest, dict) and not manifest.get("complete", False)
    assert not (verdict.passed and unfinished), "the gate passed the results of a device run that did not finish"

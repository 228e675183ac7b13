"""Read allure-results as the gate sees them: one verdict per test, retries folded, nothing skipped silently.

Parsing is plain `json.loads` plus a few checks (no pydantic per file): the gate must stay fast on
10,000 files, and a corrupt or malformed file is an invalid input that names the file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loanqa import allure_labels
from loanqa.errors import ResultsError
from loanqa.input_files import read_bounded
from loanqa.run_manifest import RunManifest, is_manifest, read_manifests
from loanqa.taxonomy import Cause

STATUSES = frozenset({"passed", "failed", "broken", "skipped", "unknown"})
NOT_PASSED = frozenset({"failed", "broken", "skipped", "unknown"})
_TIE_RANK = {"passed": 0, "skipped": 1}
CLOCK_SKEW_S = 300.0  # a result stamped later than now + this came from the future
# allure-pytest prefixes the exception type: "AssertionError: [network] read timeout".
_CAUSE_IN_MESSAGE = re.compile(r"^(?:[\w.]+: )?\[([a-z_]+)\] ")


@dataclass(frozen=True, slots=True)
class TestResult:
    """One allure `*-result.json`, reduced to what the rules judge."""

    name: str
    full_name: str
    history_id: str
    status: str
    message: str
    labels: dict[str, str]
    file: str
    start: int
    stop: int
    run_id: str | None = None  # the `run_id` parameter load results carry
    features: frozenset[str] = frozenset()  # all `feature` and `epic` labels (`labels` keeps the first of each)

    __test__ = False  # not a pytest class

    def label(self, name: str) -> str | None:
        return self.labels.get(name)

    @property
    def cause(self) -> Cause | None:
        return cause_of(self.labels.get(allure_labels.CAUSE), self.message)

    @property
    def duration_ms(self) -> int:
        return max(0, self.stop - self.start)

    def describe(self) -> str:
        """How a failed rule names this result: test, device or platform, file, first message line."""
        where = ", ".join(f"{k}={v}" for k in ("device", "platform", "network_profile")
                          if (v := self.labels.get(k)))
        head = self.name + (f" [{where}]" if where else "")
        msg = self.message.splitlines()[0][:160] if self.message else ""
        return f"{head} ({self.file}) {self.status}" + (f": {msg}" if msg else "")


def cause_of(label: str | None, message: str) -> Cause | None:
    if label:
        try:
            return Cause(label)
        except ValueError:
            pass
    m = _CAUSE_IN_MESSAGE.match(message)
    if m:
        return allure_labels.cause_from_message(f"[{m.group(1)}] ")
    return None


@dataclass(frozen=True)
class ResultSet:
    """Latest attempt of each test, plus earlier attempts that failed (the flaky evidence)."""

    tests: tuple[TestResult, ...]
    flaky: tuple[TestResult, ...]
    retried: int
    files: int
    dirs: tuple[Path, ...] = field(default=())
    manifests: tuple[tuple[Path, RunManifest], ...] = field(default=())  # (the manifest file, what it says)


def read_results(dirs: Sequence[Path], *, now: float | None = None) -> ResultSet:
    """Fail closed: a missing directory, one with no result files, a corrupt file, or a result stamped in the
    future or outside the run that wrote it (its run's manifest in the folder; it would shadow the real attempt
    when retries are folded) is a ResultsError."""
    if not dirs:
        raise ResultsError("no results directory given")
    now_s = time.time() if now is None else now
    parsed: list[TestResult] = []
    manifests: list[tuple[Path, RunManifest]] = []
    for d in dirs:
        found = list(_read_dir(d))
        if not found:
            raise ResultsError(f"{d}: no *-result.json files (empty results: the gate does not pass what it "
                               "did not see)")
        here = read_manifests(d)
        manifests += here
        for r in found:
            _check_when(d, r, now_s, here)
        parsed.extend(found)
    latest, flaky, retried = _fold_retries(parsed)
    return ResultSet(tuple(latest), tuple(flaky), retried, len(parsed), tuple(dirs), tuple(manifests))


def _check_when(d: Path, r: TestResult, now_s: float, manifests: list[tuple[Path, RunManifest]]) -> None:
    """A result naming its run (the `run_id` label) is checked against that run's manifest; one naming none
    (an earlier producer) must fall inside some run the folder records."""
    skew = int(CLOCK_SKEW_S * 1000)
    stamp = max(r.start, r.stop)
    if stamp > int(now_s * 1000) + skew:
        raise ResultsError(f"{d / r.file}: {'stop' if r.stop >= r.start else 'start'} {iso_ms(stamp)} is in the "
                           f"future (now {iso_ms(int(now_s * 1000))}): results from the future are rejected "
                           "(a wrong clock, or a copy that would shadow the real attempt)")
    if not manifests:
        return
    run = r.labels.get(allure_labels.RUN_ID)
    own = [(p, m) for p, m in manifests if m.run_id == run] if run else manifests
    if not own:
        raise ResultsError(f"{d / r.file}: written by run {run}, but {d} holds no manifest of that run (runs: "
                           f"{', '.join(sorted(m.run_id for _, m in manifests))}): results of an unrecorded run "
                           "are rejected")
    windows = [(p, m, *_window(m, now_s, skew)) for p, m in own]
    if not any(first <= r.start and stamp <= last for _, _, first, last in windows):
        p, m, first, last = windows[0]
        where = (f"run {m.run_id} ({iso_ms(first + skew)} to {iso_ms(last - skew)}, {p.name})" if len(windows) == 1
                 else f"every run recorded in {d}")
        raise ResultsError(f"{d / r.file}: ran {iso_ms(r.start)} to {iso_ms(r.stop)}, outside {where}: "
                           "results from another run are rejected")


def _window(m: RunManifest, now_s: float, skew: int) -> tuple[int, int]:
    first = int(m.started_at * 1000) - skew
    last = int((m.finished_at if m.finished_at is not None else now_s) * 1000) + skew
    return first, last


def iso_ms(ms: int) -> str:
    try:
        return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{ms} ms since 1970"


def result_files(d: Path) -> list[str]:
    """The `*-result.json` paths in `d`; a missing or unlistable directory is a ResultsError (the gate and
    the report must refuse the same inputs)."""
    if not d.is_dir():
        raise ResultsError(f"{d}: results directory not found" if not d.exists()
                           else f"{d}: not a directory")
    try:
        return [e.path for e in os.scandir(d) if e.name.endswith("-result.json") and not is_manifest(e.name)]
    except OSError as exc:
        raise ResultsError(f"{d}: cannot list results: {exc}") from None


def _read_dir(d: Path) -> Iterable[TestResult]:
    for path in result_files(d):
        yield parse_result(path, load_result(path, d))


def load_result(path: str, folder: Path) -> Any:
    """The parsed JSON of one result file; hostile files (FIFO, huge, nested, outside `folder`) are refused."""
    data = read_bounded(path, "result file", within=folder)
    if not data.strip():
        raise ResultsError(f"{path}: corrupt result file (empty)")
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: corrupt result file (invalid JSON: {exc})") from None
    except RecursionError:
        raise ResultsError(f"{path}: corrupt result file (JSON nested too deeply to be an Allure result)") from None


def parse_result(path: str, raw: Any) -> TestResult:
    """Validate the few fields the gate relies on; anything else an Allure writer adds is ignored."""
    if not isinstance(raw, dict):
        raise ResultsError(f"{path}: (top level): expected a JSON object, got {type(raw).__name__}")
    status, name = raw.get("status"), raw.get("name")
    if status not in STATUSES:
        raise ResultsError(f"{path}: status: {status!r}: expected one of {', '.join(sorted(STATUSES))}")
    if not isinstance(name, str) or not name:
        raise ResultsError(f"{path}: name: {name!r}: expected a non-empty string")
    details = raw.get("statusDetails") or {}
    message = details.get("message") if isinstance(details, dict) else None
    full_raw = raw.get("fullName")
    full = full_raw if isinstance(full_raw, str) and full_raw else name
    hid = raw.get("historyId") or raw.get("testCaseId") or full
    return TestResult(name=name, full_name=full, history_id=str(hid), status=status,
                      message=message if isinstance(message, str) else "", labels=_labels(path, raw),
                      file=os.path.basename(path), start=_int(raw.get("start")), stop=_int(raw.get("stop")),
                      run_id=_run_id(raw.get("parameters")), features=_features(raw))


def _labels(path: str, raw: dict[str, Any]) -> dict[str, str]:
    labels = raw.get("labels") or []
    if not isinstance(labels, list):
        raise ResultsError(f"{path}: labels: expected a list, got {type(labels).__name__}")
    out: dict[str, str] = {}
    for item in labels:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            out.setdefault(item["name"], str(item.get("value", "")))
    return out


def _features(raw: dict[str, Any]) -> frozenset[str]:
    """Every feature and epic a result names: Allure labels repeat, and a second feature is no less real."""
    return frozenset(str(item.get("value", "")) for item in raw.get("labels") or []
                     if isinstance(item, dict) and item.get("name") in ("feature", "epic"))


def _run_id(params: Any) -> str | None:
    if not isinstance(params, list):
        return None
    return next((str(p.get("value")) for p in params if isinstance(p, dict) and p.get("name") == "run_id"), None)


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _fold_retries(results: list[TestResult]) -> tuple[list[TestResult], list[TestResult], int]:
    """Allure's rules: attempts share a historyId, the one that started last wins; an earlier failure of a
    test that then passed is flaky."""
    groups: dict[str, list[TestResult]] = {}
    for r in results:
        groups.setdefault(r.history_id, []).append(r)
    latest: list[TestResult] = []
    flaky: list[TestResult] = []
    retried = 0
    for attempts in groups.values():
        attempts.sort(key=lambda r: (r.start, r.stop, _TIE_RANK.get(r.status, 2)))  # a tie is judged as the worse
        last = attempts[-1]
        latest.append(last)
        retried += len(attempts) - 1
        if last.status == "passed":
            flaky.extend(a for a in attempts[:-1] if a.status in ("failed", "broken"))
    latest.sort(key=lambda r: (r.full_name, r.file))
    return latest, flaky, retried

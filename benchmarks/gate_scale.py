"""Gate over 10,000 allure-result files vs the floor (plain `json.loads` of every file), same run, same disk.

Run: .venv/bin/python -m benchmarks.gate_scale [--files N] [--repeat R]
Prints best-of-R seconds for both and the ratio; exits 1 if the gate takes longer than 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from loanqa.config.loader import validate
from loanqa.gate import Policy, evaluate

BUDGET_S = 3.0
PLATFORMS = ("android", "ios")
TIERS = ("flagship", "mid", "entry")
FEATURES = ("disbursement", "face", "esign", "identity")
POLICY = {
    "min_tests": {"total": 1000, "per_platform": {"android": 100, "ios": 100}, "per_kind": {"device": 100}},
    "max_failures": 300, "max_duration_ms": 600_000, "max_flaky": 100,
    "pass_rate": {"overall": 0.9, "by_tier": {t: 0.9 for t in TIERS}, "by_platform": {p: 0.9 for p in PLATFORMS}},
    "critical": {"features": ["disbursement"]}, "broken": {"max_count": 200, "max_rate": 0.1},
    "known_issues": [{"match": "test_face_flow[dev-1]", "ticket": "LOAN-1",
                      "expires": (dt.date.today() + dt.timedelta(days=30)).isoformat()}],
}


def write_results(folder: Path, n: int, seed: int = 7) -> None:
    """allure-pytest-shaped files: labels, trace, params; ~2% failed, ~1% broken, ~1% retried."""
    rng = random.Random(seed)
    for i in range(n):
        retry = i % 100 == 99
        status = "failed" if rng.random() < 0.02 else "broken" if rng.random() < 0.01 else "passed"
        feature = FEATURES[i % len(FEATURES)]
        name = f"test_{feature}_flow[dev-{(i - 1 if retry else i) % 400}]"
        raw = {"name": name, "status": status, "uuid": str(uuid.uuid4()), "historyId": f"h{i - 1 if retry else i}",
               "fullName": f"devicetests.test_{feature}#{name}", "start": 1000 * i, "stop": 1000 * i + 900,
               "statusDetails": {"message": "AssertionError: [compatibility] button hidden", "trace": "x" * 400}
               if status != "passed" else {},
               "labels": [{"name": k, "value": v} for k, v in (
                   ("kind", "device"), ("platform", PLATFORMS[i % 2]), ("tier", TIERS[i % 3]), ("feature", feature),
                   ("device", f"dev-{i % 400}"), ("suite", "devicetests"), ("severity", "critical"))],
               "parameters": [{"name": "device", "value": f"dev-{i % 400}"}]}
        (folder / f"{raw['uuid']}-result.json").write_text(json.dumps(raw), encoding="utf-8")


def floor(folder: Path) -> int:
    n = 0
    for entry in os.scandir(folder):
        if entry.name.endswith("-result.json"):
            with open(entry.path, "rb") as fh:
                json.loads(fh.read())
            n += 1
    return n


def best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    policy = validate(POLICY, Policy, "benchmarks/gate_scale.py:POLICY")
    with tempfile.TemporaryDirectory(prefix="gate-scale-") as tmp:
        folder = Path(tmp)
        write_results(folder, args.files)
        floor(folder)  # warm the page cache for both contenders alike
        f_best, f_med = best(lambda: floor(folder), args.repeat)
        g_best, g_med = best(lambda: evaluate([folder], policy), args.repeat)
        verdict = evaluate([folder], policy)
    print(f"files: {args.files}, repeat: {args.repeat} (best / median seconds)")
    print(f"floor  json.loads of every file : {f_best:.3f} / {f_med:.3f}")
    print(f"gate   loanqa.gate.evaluate     : {g_best:.3f} / {g_med:.3f}")
    print(f"ratio  gate / floor             : {g_best / f_best:.2f}x (best), {g_med / f_med:.2f}x (median)")
    print(f"verdict: {'PASSED' if verdict.passed else 'FAILED'}, {len(verdict.rules)} rules, "
          f"{verdict.stats.tests} tests after folding {verdict.stats.retried} retries")
    ok = g_med <= BUDGET_S
    print(f"budget  median ≤ {BUDGET_S:.1f} s: {'OK' if ok else 'OVER'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

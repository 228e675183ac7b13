"""Per-loan truth on real components: every borrower accounted for, every lost loan explained.

Real refapp (fault knobs), real embedded Toxiproxy, real short Locust runs via `loanqa load`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from loanqa.load_summary import read_summary
from tests.integration.test_load_runs import FAST, journeys, refapp_with, run_load

pytestmark = [pytest.mark.slow, pytest.mark.toxiproxy]

# Every byte held forever: a borrower on it waits out its timeouts, retries and taps past the run's end.
STALL_PROFILE: dict[str, object] = {
    "name": "stall", "description": "nothing gets through, nothing is refused", "source": "loanqa test",
    "downstream": [{"type": "timeout", "timeout": 0}]}


def _mix(tmp: Path, weights: dict[str, float], *profiles: dict[str, object]) -> tuple[Path, Path]:
    folder = tmp / "profiles"
    folder.mkdir(exist_ok=True)
    for p in profiles:
        (folder / f"{p['name']}.yaml").write_text(yaml.safe_dump(p))
    mix = tmp / "mix.yaml"
    mix.write_text(yaml.safe_dump({"name": "truth", "rationale": "test", "weights": weights}))
    return mix, folder


def test_a_weak_link_that_outlasts_the_run_leaves_its_borrowers_unfinished_not_missing(tmp_path: Path,
                                                                                        toxiproxy_url: str) -> None:
    mix, profiles = _mix(tmp_path, {"clean": 0.5, "stall": 0.5}, STALL_PROFILE)
    with refapp_with({**FAST, "max_inflight": 10_000}, tmp_path / "refapp") as target:
        done, out = run_load(tmp_path, target, toxiproxy_url, "--shape", "smoke", "--duration", "12s",
                             "--users-scale", "2", "--network-mix", str(mix), "--profiles-dir", str(profiles),
                             "--think-scale", "0.01", "--liveness-frames", "3")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    summary = read_summary(out / "summary.json")
    stall = summary.profiles["stall"]
    assert stall.funnel.started > 0, "the worst profile does not vanish"
    assert stall.funnel.unfinished == stall.funnel.started == sum(stall.outcomes.unfinished.values())
    assert set(stall.outcomes.unfinished) <= {"otp", "login"} and stall.outcomes.paid_out == 0
    rows = journeys(out)
    assert {r["outcome"] for r in rows if r["profile"] == "stall"} == {"unfinished"}
    assert all(float(r["since"]) >= summary.started_at for r in rows if r["outcome"] == "unfinished")
    assert summary.funnel.started == summary.outcomes.journeys == len(rows), "one outcome per borrower who started"
    assert summary.profiles["clean"].outcomes.paid_out > 0

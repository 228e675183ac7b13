"""A device matrix through a Selenium Grid 4 hub whose relay nodes forward to two Appium servers.

Real JVMs (hub + two relay nodes), two real Appium 3 servers, real chromium sessions. Grid's /status is
polled during the run to see which node served each session; the device lock is proven by tests of the
same device landing on different xdist workers (`--dist worksteal`) and still never overlapping.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from loanqa.config.project import StackConfig
from loanqa.ports import free_port
from loanqa.stack.components import appium_spec
from loanqa.stack.process import ProcessManager
from tests.grid import Grid, start_grid, stop_grid

ROOT = Path(__file__).resolve().parents[2]
MATRIX = ROOT / "devicetests" / "matrices" / "ci-emulated.yaml"
WORKERS = 4

pytestmark = [pytest.mark.slow, pytest.mark.appium]


@pytest.fixture
def grid(tmp_path: Path) -> Iterator[tuple[Grid, ProcessManager]]:
    appiums = ProcessManager(tmp_path / "appiums")
    grid_pm = ProcessManager(tmp_path / "grid")
    urls = []
    try:
        for i in range(2):
            spec = appium_spec(StackConfig(appium_port=free_port()))
            running = appiums.start(replace(spec, name=f"appium-{i}"), ready_timeout=90)
            urls.append(running.url.removesuffix("/status"))
        yield start_grid(grid_pm, urls, sessions_per_node=2), appiums
    finally:
        stop_grid(grid_pm, nodes=2)
        for i in range(2):
            appiums.stop(f"appium-{i}")


class SessionWatch:
    """Polls the hub's /status: which node held which session, while the run lasts."""

    def __init__(self, grid: Grid) -> None:
        self.grid, self.peak = grid, 0
        self.seen: defaultdict[str, set[str]] = defaultdict(set)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SessionWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(0.25):  # poll interval
            try:
                nodes = self.grid.status().get("nodes", [])
            except OSError:
                continue
            busy = 0
            for node in nodes:
                for slot in node.get("slots", []):
                    if slot.get("session"):
                        self.seen[node["uri"]].add(slot["session"]["sessionId"])
                        busy += 1
            self.peak = max(self.peak, busy)


def test_ci_matrix_through_a_grid_hub_spreads_over_both_relay_nodes_and_keeps_device_locks(
        tmp_path: Path, refapp_url: str, grid: tuple[Grid, ProcessManager]) -> None:
    hub, appiums = grid
    results = tmp_path / "allure-results"
    argv = [sys.executable, "-m", "pytest", str(ROOT / "devicetests"), "--matrix", str(MATRIX), "-o", "addopts=",
            "--alluredir", str(results), "--device-state-dir", str(tmp_path / "state"), "-p", "no:cacheprovider",
            "-p", "no:randomly", "-q", "--appium-url", hub.hub_url, "--target", refapp_url,
            "-k", "good_face or pages_fit", "-n", str(WORKERS), "--dist", "worksteal"]
    with SessionWatch(hub) as watch:
        proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    found = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    bad = [(r["name"], r["status"], (r.get("statusDetails") or {}).get("message", "")[:300])
           for r in found if r["status"] != "passed"]
    assert proc.returncode == 0 and len(found) == 12 and not bad, (bad, proc.stdout[-3000:])

    # The hub lists a slot's session while it is being created too (a reservation); the ones Appium served
    # are those its log names, and each relay node forwards to one Appium server only.
    served = [_sessions_in(appiums.state_dir / "logs" / f"appium-{i}.log") for i in range(2)]
    spread = {uri: len(ids & (served[0] | served[1])) for uri, ids in watch.seen.items()}
    print(f"grid spread (sessions per relay node): {spread}; per Appium: {[len(s) for s in served]}; "
          f"peak concurrent sessions {watch.peak}")
    assert len(spread) == 2 and all(n >= 2 for n in spread.values()), spread
    assert sum(spread.values()) == 12 and sorted(spread.values()) == sorted(len(s) for s in served), spread
    assert watch.peak >= 3, "4 workers never had more than 2 sessions open at once"

    workers = {_label(r, "thread") for r in found}
    assert len(workers) >= 2, workers
    by_device: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in found:
        by_device[_label(r, "device")].append((_session_start(r), r["stop"], _label(r, "thread")))
    assert len(by_device) == 6
    shared = [d for d, spans in by_device.items() if len({w for _, _, w in spans}) > 1]
    assert shared, "no device had tests on two workers: the lock was never put to the test"
    for device, spans in by_device.items():
        spans.sort()
        for (_, stop, _), (start, _, _) in itertools.pairwise(spans):
            assert start >= stop, f"{device}: two sessions at once ({spans})"


def _label(result: dict[str, Any], name: str) -> str:
    return str(next(lab["value"] for lab in result["labels"] if lab["name"] == name))


def _session_start(result: dict[str, Any]) -> int:
    """The first step begins once the locked device's session is open."""
    return int(min(s["start"] for s in result["steps"]))


def _sessions_in(log: Path) -> set[str]:
    return set(re.findall(r"--> POST /session/([0-9a-f-]{36})/url ", log.read_text(errors="replace")))

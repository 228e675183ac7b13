"""Device matrix figures: median session start (Appium vs chromedriver alone) and full CI matrix wall time.

Run by hand: `.venv/bin/python -m benchmarks.device_matrix [--sessions 5] [--skip-matrix]`.
Prints figures side by side with a reference measured in the same run, as ratios; never a timed test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from loanqa.config.project import StackConfig
from loanqa.ports import free_port
from loanqa.stack.stack import Stack
from loanqa_devicetests.matrix import load_matrix
from loanqa_devicetests.providers import provider_for

ROOT = Path(__file__).resolve().parents[1]
MATRIX = ROOT / "devicetests" / "matrices" / "ci-emulated.yaml"


def _timed(start: Any) -> float:
    t = time.perf_counter()
    driver = start()
    elapsed = time.perf_counter() - t
    driver.quit()
    return elapsed


def session_starts(appium_url: str, state: Path, n: int) -> tuple[list[float], list[float]]:
    """Appium+chromium sessions and, as the reference, chromedriver sessions with the same Chrome options."""
    from appium import webdriver as appium_webdriver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    m = load_matrix(MATRIX)
    provider, dev = provider_for(m, state), m.devices[1]
    via_appium, direct = [], []
    for _ in range(n):
        opts = provider.options(dev, "good")
        via_appium.append(_timed(lambda o=opts: appium_webdriver.Remote(appium_url, options=o)))
        chrome = webdriver.ChromeOptions()
        caps = opts.to_capabilities()["goog:chromeOptions"]
        chrome.binary_location = caps["binary"]
        for arg in caps["args"]:
            chrome.add_argument(arg)
        chrome.add_experimental_option("mobileEmulation", caps["mobileEmulation"])
        exe = opts.to_capabilities()["appium:executable"]
        direct.append(_timed(lambda c=chrome, e=exe: webdriver.Chrome(options=c, service=Service(e))))
    return via_appium, direct


def matrix_wall(appium_url: str, target: str, workers: int, state: Path) -> tuple[float, str]:
    argv = [sys.executable, "-m", "pytest", str(ROOT / "devicetests"), "--matrix", str(MATRIX), "-o", "addopts=",
            "-p", "no:cacheprovider", "-p", "no:randomly", "-q", "--appium-url", appium_url, "--target", target,
            "--device-state-dir", str(state / f"n{workers}"), "-n", str(workers), "--dist", "loadgroup"]
    t = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    tail = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
    return time.perf_counter() - t, tail


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sessions", type=int, default=5)
    ap.add_argument("--skip-matrix", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="loanqa-bench-") as tmp:
        state = Path(tmp)
        stack = Stack(StackConfig(refapp_port=free_port(), appium_port=free_port(), toxiproxy_port=free_port(),
                                  ready_timeout_s=90), state / "stack")
        try:
            eps = {ep.name: ep.url for ep in stack.up(["appium", "refapp"])}
            report(eps["appium"], eps["refapp"], state, args.sessions, args.skip_matrix)
        finally:
            stack.down()


def report(appium_url: str, target: str, state: Path, n: int, skip_matrix: bool) -> None:
    via_appium, direct = session_starts(appium_url, state, n)
    a, d = statistics.median(via_appium), statistics.median(direct)
    print(f"session start, median of {n}: appium+chromium {a:.2f} s | chromedriver alone {d:.2f} s "
          f"| ratio {a / d:.2f}x")
    if skip_matrix:
        return
    devices = len(load_matrix(MATRIX).devices)
    one, tail1 = matrix_wall(appium_url, target, 1, state)
    print(f"full CI matrix ({devices} devices x all flows), -n 1: {one:.0f} s  [{tail1}]")
    two, tail2 = matrix_wall(appium_url, target, 2, state)
    print(f"full CI matrix ({devices} devices x all flows), -n 2: {two:.0f} s  [{tail2}]")
    print(f"speed-up -n 2 vs -n 1: {one / two:.2f}x; target <= 300 s with -n 2: {'met' if two <= 300 else 'MISSED'}")


if __name__ == "__main__":
    main()

"""Live load runs on real components: the progress view, Locust's web UI with loanqa's tab, the Prometheus
endpoint, abort on an SLO breach, Ctrl-C keeping every measurement, and `--out` never deleting foreign files.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from loanqa.load_summary import read_summary
from loanqa.ports import free_port
from tests.integration.test_load_runs import LOANQA, _alive_with, _until, allure_results, proxies
from tests.interrupt import ctrl_c_blocked_or_ignored, takes_ctrl_c

pytestmark = [pytest.mark.slow, pytest.mark.toxiproxy]

FAST_RUN = ("--think-scale", "0.02", "--liveness-frames", "3", "--live-interval", "1")
LOOSE = {"slos": [{"name": "technical failure rate", "metric": "technical_failure_rate", "max": 0.5}]}


def _argv(tmp: Path, *args: str) -> list[str]:
    return [LOANQA, "--state-dir", str(tmp / "state"), "load", *args]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return str(resp.read().decode())


def _with(url: str, *needles: str) -> str | None:
    text = _get(url)
    return text if all(n in text for n in needles) else None


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _slos(tmp: Path, body: dict[str, Any]) -> str:
    path = tmp / "slos.yaml"
    path.write_text(yaml.safe_dump(body))
    return str(path)


def test_progress_lines_web_tab_and_metrics_during_a_real_run(tmp_path: Path, refapp_url: str,
                                                              toxiproxy_url: str) -> None:
    web, metrics, out = free_port(), free_port(), tmp_path / "run"
    proc = subprocess.Popen(_argv(tmp_path, "--target", refapp_url, "--toxiproxy-url", toxiproxy_url,
                                  "--network-mix", "cn-2026", "--duration", "25s", "--users-scale", "0.5",
                                  "--quiet", "--web", "--web-port", str(web), "--metrics-port", str(metrics),
                                  "--slo", _slos(tmp_path, LOOSE), "--out", str(out), *FAST_RUN),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        scrape = _until("metrics with finished steps", lambda: _with(
            f"http://127.0.0.1:{metrics}/metrics", "loanqa_step_seconds_bucket{", "loanqa_slo_value{"), proc)
        page = _until("the loanqa page with SLOs", lambda: _with(f"http://127.0.0.1:{web}/loanqa",
                                                                 "technical failure rate"), proc)
        stats = json.loads(_get(f"http://127.0.0.1:{web}/stats/requests"))
        index = _get(f"http://127.0.0.1:{web}/")
        output, _ = proc.communicate(timeout=120)
    finally:
        _stop(proc)
    assert proc.returncode == 0, output
    for series in ("loanqa_requests_total", "loanqa_step_outcomes_total{", "loanqa_users ", "loanqa_slo_met{",
                   'profile="'):
        assert series in scrape, series
    assert "<td>journeys</td><td>started</td>" in page and "<td>journeys</td><td>lost</td>" in page, page
    assert [e["key"] for e in stats["extendedStats"]] == ["loanqa"]
    assert {"name": "technical failure rate"}.items() <= next(
        r for r in stats["extendedStats"][0]["data"] if r["kind"].startswith("SLO")).items()
    assert "extendedTabs" in index and "loanqa" in index
    assert any(name in {e["name"] for e in stats["stats"]} for name in ("otp", "login")), "loanqa's borrowers run"
    progress = [line for line in output.splitlines() if line.startswith("loanqa: ") and " req/s " in line]
    assert len(progress) >= 5, output
    last = progress[-1]
    assert "journeys started " in last and " finished " in last and "SLOs missed" in last and "users " in last, last
    assert any("outage now: " in line for line in progress) or "subway" in scrape
    summary = read_summary(out / "summary.json")
    assert summary.status == "complete" and not (out / ".loanqa-partial").exists()


def test_an_abort_slo_stops_the_run_early_and_names_itself(tmp_path: Path, refapp_url: str) -> None:
    slos = {"slos": [{"name": "otp p95 impossible", "metric": "p95_ms", "step": "otp", "max": 0.001,
                      "abort": True, "after": "4s", "min_samples": 3}, *LOOSE["slos"]]}
    out = tmp_path / "run"
    started = time.monotonic()
    done = subprocess.run(_argv(tmp_path, "--target", refapp_url, "--network-mix", "none", "--duration", "90s",
                                "--slo", _slos(tmp_path, slos), "--out", str(out), "--quiet", *FAST_RUN),
                          capture_output=True, text=True, timeout=150, check=False)
    took = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr
    assert took < 60, f"the abort did not stop the 90 s run early ({took:.0f}s)"
    summary = read_summary(out / "summary.json")
    assert summary.status == "aborted" and "otp p95 impossible" in summary.stopped_by
    (stopper,) = [r for r in summary.slos if r.stopped_run_at_s is not None]
    assert stopper.name == "otp p95 impossible" and stopper.stopped_run_at_s is not None
    assert 4 <= stopper.stopped_run_at_s < 60
    assert "stopped early by SLO 'otp p95 impossible' missed at" in done.stderr
    (allure,) = [r for r in allure_results(out) if r["name"] == "otp p95 impossible"]
    assert allure["status"] == "failed" and "stopped the run at" in allure["statusDetails"]["message"]


def test_ctrl_c_keeps_every_measurement_removes_proxies_and_exits_130(tmp_path: Path, refapp_url: str,
                                                                      toxiproxy_url: str) -> None:
    run_id = f"int{abs(hash(tmp_path.name)) % 10**8}"
    out = tmp_path / "run"
    proc = subprocess.Popen(_argv(tmp_path, "--target", refapp_url, "--toxiproxy-url", toxiproxy_url,
                                  "--network-mix", "cn-2026", "--duration", "90s", "--out", str(out),
                                  "--run-id", run_id, "--quiet", *FAST_RUN),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=takes_ctrl_c)
    try:
        _until("finished journeys", lambda: json.loads((out / ".loanqa-partial" / "live.json").read_text())
               ["journeys_finished"] >= 2, proc)
        assert any(run_id in name for name in proxies(toxiproxy_url))
        assert not ctrl_c_blocked_or_ignored(proc.pid), ctrl_c_blocked_or_ignored(proc.pid)
        proc.send_signal(signal.SIGINT)
        stdout, err = proc.communicate(timeout=90)
    finally:
        _stop(proc)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err + stdout, err
    summary = read_summary(out / "summary.json")
    assert summary.status == "interrupted" and "Ctrl-C" in summary.stopped_by
    assert summary.funnel.started >= 2 and summary.requests > 0
    for name in ("journeys.csv", "locust_stats.csv", "locust.html", "charts/rps.png"):
        assert (out / name).stat().st_size > 0, name
    results = allure_results(out)
    assert results and all(r["status"] == "broken" for r in results)
    assert all("run interrupted" in r["statusDetails"]["message"] for r in results)
    assert "FAIL" in stdout or "PASS" in stdout, "the verdict so far is printed before the exit"
    assert not any(run_id in name for name in proxies(toxiproxy_url)), "proxies left behind"
    assert _alive_with(f"--run-id={run_id}") == [], "locust processes left behind"


def test_out_never_deletes_what_it_did_not_write(tmp_path: Path, refapp_url: str) -> None:
    mine = tmp_path / "results"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    args = ("--target", refapp_url, "--network-mix", "none", "--duration", "6s", "--slo", _slos(tmp_path, LOOSE),
            "--run-id", "keep1", "--quiet", *FAST_RUN)
    done = subprocess.run(_argv(tmp_path, "--out", str(mine), *args), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (mine / "notes.txt").read_text() == "keep me"
    assert read_summary(mine / "load-keep1" / "summary.json").run_id == "keep1"
    here = subprocess.run(_argv(tmp_path, "--out", ".", *args), capture_output=True, text=True, timeout=120,
                          check=False, cwd=mine)
    assert here.returncode == 0 and "Traceback" not in here.stderr, here.stdout + here.stderr
    assert (mine / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in mine.iterdir()) == ["load-keep1", "notes.txt"]
    assert read_summary(mine / "load-keep1" / "summary.json").run_id == "keep1", "a loanqa run folder is reused"

"""Real Locust against a real refapp through real proxies of the (embedded) Toxiproxy, via `loanqa load`.

Each run is bounded by its shape's duration; dedicated refapps (fault knobs, tiny capacity) are started
with ProcessManager on free loopback ports and stopped again.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from loanqa import tools
from loanqa.config.project import StackConfig
from loanqa.load_summary import LoadSummary, read_summary
from loanqa.masking import SHOW_PII_ENV
from loanqa.ports import free_port
from loanqa.stack.components import RefappOptions, refapp_spec
from loanqa.stack.process import ProcessManager, http_ready
from loanqa.synthetic import unit_hash
from loanqa.taxonomy import Cause

pytestmark = [pytest.mark.slow, pytest.mark.toxiproxy]

LOANQA = str(Path(sys.executable).with_name("loanqa"))
LOCUSTFILE = Path(__file__).resolve().parents[2] / "loadtests" / "locustfile.py"
FAST = {"bureau_latency_ms": 1, "core_banking_latency_ms": 1, "otp_per_minute": 1000,
        "fraud_max_borrowers_per_device": 10_000, "fraud_max_applications_per_hour": 10_000}


@contextmanager
def refapp_with(settings: dict[str, Any], folder: Path) -> Iterator[str]:
    folder.mkdir(parents=True, exist_ok=True)
    settings_file = folder / "refapp-settings.yaml"
    settings_file.write_text(yaml.safe_dump(settings))
    cfg = StackConfig(refapp_port=free_port())
    pm = ProcessManager(folder)
    running = pm.start(refapp_spec(cfg, folder, RefappOptions(settings_file=settings_file)), ready_timeout=90)
    try:
        yield running.url.removesuffix("/healthz")
    finally:
        pm.stop("refapp")


def run_load(tmp: Path, target: str, toxiproxy: str, *args: str,
             show_pii: bool = False) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp / "run"
    argv = [LOANQA, "--state-dir", str(tmp / "state"), "load", "--target", target, "--toxiproxy-url", toxiproxy,
            "--out", str(out), "--run-id", f"t{abs(hash(tmp.name)) % 10**8}", *args]
    env = {**os.environ, SHOW_PII_ENV: "1"} if show_pii else None  # journeys.csv is masked by default
    done = subprocess.run(argv, capture_output=True, text=True, timeout=240, check=False, env=env)
    return done, out


def journeys(out: Path) -> list[dict[str, str]]:
    with (out / "journeys.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def allure_results(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in (out / "allure-results").glob("*-result.json")]


def labels(result: dict[str, Any]) -> dict[str, str]:
    return {lab["name"]: lab["value"] for lab in result["labels"]}


def proxies(toxiproxy_url: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(f"{toxiproxy_url}/proxies", timeout=5) as resp:
        data: dict[str, Any] = json.loads(resp.read())
        return data


# CI machines are shared: latency objectives loose enough for a busy runner, failure objectives strict.
CI_SLOS = {"slos": [
    {"name": "apply p95", "metric": "p95_ms", "step": "apply", "max": 15000},
    {"name": "technical failure rate", "metric": "technical_failure_rate", "max": 0.01},
    {"name": "disbursement success among approved", "metric": "disbursement_success", "min": 0.995},
    {"name": "technical failure rate", "metric": "technical_failure_rate", "per_profile": True, "max": 0.05},
]}


def test_smoke_with_two_processes_writes_a_complete_run(tmp_path: Path, refapp_url: str,
                                                         toxiproxy_url: str) -> None:
    slo = tmp_path / "ci-slos.yaml"
    slo.write_text(yaml.safe_dump(CI_SLOS))
    # 40 s: on a 2-core CI machine the device matrix runs beside this test and starves both processes.
    done, out = run_load(tmp_path, refapp_url, toxiproxy_url, "--shape", "smoke", "--duration", "40s",
                         "--slo", str(slo), "--processes", "2", "--network-mix", "clean", "--think-scale", "0.02",
                         "--liveness-frames", "3", show_pii=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    summary = read_summary(out / "summary.json")
    assert summary.processes == 2 and summary.network_mix == "clean" and summary.shape == "smoke"
    assert summary.funnel.disbursed >= 2 and set(summary.profiles) == {"clean"}
    assert {"otp", "login", "identity", "liveness", "apply", "contract", "sign", "disburse", "payout",
            "status"} <= set(summary.steps)
    assert summary.steps["status"].requests > summary.steps["apply"].requests  # status checks outnumber
    process_slots = {row["phone"][4:6] for row in journeys(out)}
    assert process_slots == {"00", "01"}, "both Locust processes ran borrowers, each with its own phones"
    for name in ("locust_stats.csv", "locust_stats_history.csv", "locust_failures.csv", "locust_exceptions.csv",
                 "locust.html", "charts/users.png", "charts/failures_by_cause.png"):
        assert (out / name).stat().st_size > 0, name
    with (out / "locust_stats.csv").open(encoding="utf-8") as fh:
        locust_counts = {r["Name"]: int(r["Request Count"]) for r in csv.DictReader(fh)}
    assert {step: locust_counts.get(step) for step in summary.steps} == {
        step: stats.requests for step, stats in summary.steps.items()}, "Locust's CSV counts the run to its end"
    assert (out / "charts/p95.png").read_bytes()[:4] == b"\x89PNG"
    results = allure_results(out)
    assert len(results) == len(summary.slos) and all(r["status"] == "passed" for r in results)
    assert all(labels(r)["kind"] == "load" for r in results)
    assert not (tmp_path / "run.partial").exists()
    assert not any(name.startswith("loanqa-") for name in proxies(toxiproxy_url)), "proxies left behind"
    report = tmp_path / "report"
    subprocess.run([str(tools.allure()), "generate", str(out / "allure-results"), "-o", str(report)],
                   check=True, capture_output=True, timeout=120)
    assert (report / "index.html").exists()


DEAD_PROFILE = {"name": "dead", "description": "every connection reset at once", "source": "loanqa test",
                "downstream": [{"type": "reset_peer", "timeout": 0}]}
INJECTED = {"credit_reject_share": 0.2, "esign_stall_share": 0.1, "payout_fail_share": 0.05,
            "multi_lending_share": 0.0, "fraud_share": 0.0}


def _share(rows: list[dict[str, str]], knob: str) -> float:
    return sum(unit_hash(r["id_number"].upper(), knob) < INJECTED[knob.replace("-", "_") + "_share"]
               for r in rows) / len(rows)


def _measured(summary: LoadSummary, step: str, cause: Cause) -> float:
    stats = summary.steps[step]
    return (stats.business.get(cause, 0) + stats.failures.get(cause, 0)) / stats.requests


def test_known_faults_and_network_are_attributed_within_two_points(tmp_path: Path, toxiproxy_url: str) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "dead.yaml").write_text(yaml.safe_dump(DEAD_PROFILE))
    mix = tmp_path / "known.yaml"
    mix.write_text(yaml.safe_dump({"name": "known", "rationale": "15 % of borrowers on a dead link",
                                   "weights": {"clean": 0.85, "dead": 0.15}}))
    settings = {**FAST, "max_inflight": 10_000, "esign_stall_s": 0.2, "disburse_workers": 8, "faults": INJECTED}
    with refapp_with(settings, tmp_path / "refapp") as target:
        done, out = run_load(tmp_path, target, toxiproxy_url, "--shape", "smoke", "--duration", "40s",
                             "--users-scale", "4", "--network-mix", str(mix), "--profiles-dir", str(profiles),
                             "--think-scale", "0.005", "--liveness-frames", "3", show_pii=True)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    summary = read_summary(out / "summary.json")
    rows = journeys(out)
    finished = [r for r in rows if r["outcome"] != "unfinished"]  # dead-link borrowers may still be tapping
    applied = [r for r in finished if r["last_step"] in ("apply", "contract", "sign", "disburse", "payout")]
    signed = [r for r in applied
              if r["last_step"] in ("sign", "disburse", "payout") and r["cause"] != "credit_rejected"]
    paid = [r for r in signed if r["last_step"] == "payout"]
    assert len(applied) > 150, f"too few journeys to judge: {len(applied)}"
    checks = {
        "credit_rejected": (_measured(summary, "apply", Cause.CREDIT_REJECTED), _share(applied, "credit-reject")),
        "esign": (_measured(summary, "sign", Cause.ESIGN), _share(signed, "esign-stall")),
        "payout": (_measured(summary, "payout", Cause.SERVER_ERROR), _share(paid, "payout-fail")),
        "network": (sum(r["cause"] == "network" for r in finished) / len(finished),
                    sum(r["profile"] == "dead" for r in finished) / len(finished)),
    }
    for cause, (measured, injected) in checks.items():
        assert abs(measured - injected) <= 0.02, f"{cause}: measured {measured:.3f} vs injected {injected:.3f}"
    assert abs(checks["network"][1] - 0.15) < 0.08, "borrowers follow the mix's weights"
    with (out / "locust_stats.csv").open(encoding="utf-8") as fh:
        locust_failures = {r["Name"]: int(r["Failure Count"]) for r in csv.DictReader(fh)}
    assert locust_failures["apply"] == 0, "credit rejections are business outcomes, not Locust failures"
    esign = summary.steps["sign"].failures[Cause.ESIGN]
    assert esign > 0 and abs(locust_failures["sign"] - esign) <= 2, "the stall is a Locust failure (± in-flight)"
    with (out / "locust_failures.csv").open(encoding="utf-8") as fh:
        errors = [r["Error"] for r in csv.DictReader(fh) if r["Name"] == "sign"]
    assert errors and all("[esign]" in e for e in errors), f"Locust's failure names its cause: {errors}"
    assert Cause.NETWORK not in summary.profiles["clean"].causes
    assert set(summary.profiles["dead"].causes) == {Cause.NETWORK}
    assert not any(name.startswith("loanqa-") for name in proxies(toxiproxy_url))


def test_overload_on_purpose_is_overload_not_network(tmp_path: Path, toxiproxy_url: str) -> None:
    settings = {**FAST, "max_inflight": 2, "retry_after_s": 1}
    with refapp_with(settings, tmp_path / "refapp") as target:
        assert http_ready(f"{target}/healthz")
        done, out = run_load(tmp_path, target, toxiproxy_url, "--shape", "smoke", "--duration", "15s",
                             "--users-scale", "6", "--network-mix", "clean", "--think-scale", "0",
                             "--liveness-frames", "3")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "SLOs missed" in done.stderr and "Traceback" not in done.stderr
    summary = read_summary(out / "summary.json")
    assert summary.causes.get(Cause.OVERLOAD, 0) >= 20
    assert Cause.NETWORK not in summary.causes
    (tech,) = [r for r in allure_results(out) if r["name"] == "technical failure rate"]
    assert tech["status"] == "failed" and labels(tech)["cause"] == "overload"
    assert tech["statusDetails"]["message"].startswith("[overload] ")


TUNNEL_PROFILE = {"name": "tunnel", "description": "the cell is lost 2.5 s of every 6 s", "source": "loanqa test",
                  "timeline": {"every_s": 6, "down_s": 2.5, "offset_s": 1, "mode": "refuse"}}


def test_borrower_taps_outlast_an_outage_longer_than_the_apps_retries(tmp_path: Path, toxiproxy_url: str) -> None:
    """The app's 3 attempts span ~1.5 s against a refused link; the 2.5 s outage outlasts them every time."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "tunnel.yaml").write_text(yaml.safe_dump(TUNNEL_PROFILE))
    mix = tmp_path / "tunnel-mix.yaml"
    mix.write_text(yaml.safe_dump({"name": "tunnel", "rationale": "every borrower in a tunnel",
                                   "weights": {"tunnel": 1.0}}))
    with refapp_with({**FAST, "max_inflight": 10_000}, tmp_path / "refapp") as target:
        done, out = run_load(tmp_path, target, toxiproxy_url, "--shape", "smoke", "--duration", "18s",
                             "--users-scale", "2", "--network-mix", str(mix), "--profiles-dir", str(profiles),
                             "--think-scale", "0.05", "--patience", "10", "--liveness-frames", "3")
        stats = _get_json(f"{target}/v1/admin/stats")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    summary = read_summary(out / "summary.json")
    tapped = [r for r in journeys(out) if int(r["taps"]) > 0 and r["stage"] == "disbursed"]
    assert tapped and summary.funnel.disbursed_after_taps == len(tapped), "taps rescued disbursements"
    assert summary.funnel.taps >= sum(int(r["taps"]) for r in tapped) and "only after retry taps" in done.stdout
    assert summary.causes.get(Cause.NETWORK, 0) >= summary.funnel.taps, "each tapped press kept its network cause"
    with (out / "locust_stats.csv").open(encoding="utf-8") as fh:
        locust_failures = sum(int(r["Failure Count"]) for r in csv.DictReader(fh) if r["Name"] != "Aggregated")
    assert locust_failures >= 3 * summary.funnel.taps, "every refused attempt is a Locust failure"
    disbursed = stats["loans"].get("disbursed", 0)
    assert stats["payouts"] == disbursed >= summary.funnel.disbursed, "exactly one payout per disbursed loan"
    assert sum(stats["loans"].values()) >= summary.funnel.approved


def _get_json(url: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as resp:
        data: dict[str, Any] = json.loads(resp.read())
        return data


def _load_argv(tmp: Path, *args: str) -> list[str]:
    return [LOANQA, "--state-dir", str(tmp / "state"), "load", *args]


def test_a_worker_whose_locust_fails_exits_non_zero(tmp_path: Path) -> None:
    """A worker Locust refuses to start (a bad LOCUST_* setting, as a pod's env could carry) is not Completed."""
    env = {**os.environ, "LOCUST_USERS": "not-a-number"}
    done = subprocess.run(_load_argv(tmp_path, "--worker", "--master-port", str(free_port())), env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_master_and_worker_processes_share_shape_mix_and_taxonomy(tmp_path: Path, refapp_url: str,
                                                                   toxiproxy_url: str) -> None:
    """The worker dials the proxy where the master placed it: another loopback address, a fixed port. A worker
    the host pauses for 5 s mid-run (a busy CI runner, a throttled pod) is not gone: the run still completes."""
    port, proxy_port, run_id = str(free_port()), free_port(), f"mw{abs(hash(tmp_path.name)) % 10**8}"
    out = tmp_path / "run"
    master = subprocess.Popen(
        _load_argv(tmp_path, "--master", "--expect-workers", "1", "--master-port", port, "--target", refapp_url,
                   "--toxiproxy-url", toxiproxy_url, "--network-mix", "clean", "--duration", "15s",
                   "--think-scale", "0.02", "--liveness-frames", "3", "--out", str(out), "--slo", "default",
                   "--proxy-host", "127.0.0.2", "--proxy-ports", f"{proxy_port}-{proxy_port + 3}",
                   "--run-id", run_id),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    worker, worker_log = _start_worker(tmp_path, port)
    output = ""
    try:
        listen = _wait_for_proxy(toxiproxy_url, run_id, master)
        _wait_for_journeys(out, master)
        _pause(worker, seconds=5)
        output, _ = master.communicate(timeout=150)
        assert _exit_code(worker, 60) == 0, _logs(output, worker_log)
    finally:
        _kill(master, worker)
    assert listen == f"127.0.0.2:{proxy_port}"
    assert master.returncode in (0, 1), output
    summary = read_summary(out / "summary.json")
    assert summary.status == "complete", (summary.stopped_by, _logs(output, worker_log))
    assert summary.funnel.disbursed >= 3 and set(summary.profiles) == {"clean"}
    assert summary.steps["status"].requests > 0 and summary.network_mix == "clean"
    assert not any(run_id in name for name in proxies(toxiproxy_url))


def test_a_master_whose_only_worker_died_says_so_and_exits_3(tmp_path: Path, refapp_url: str,
                                                              toxiproxy_url: str) -> None:
    """Locust stops a run that has no worker left; that is neither a user's Ctrl-C (130) nor a finished run."""
    port, run_id = str(free_port()), f"md{abs(hash(tmp_path.name)) % 10**8}"
    out = tmp_path / "run"
    master = subprocess.Popen(
        _load_argv(tmp_path, "--master", "--expect-workers", "1", "--master-port", port, "--target", refapp_url,
                   "--toxiproxy-url", toxiproxy_url, "--network-mix", "clean", "--duration", "120s",
                   "--think-scale", "0.02", "--liveness-frames", "3", "--out", str(out), "--run-id", run_id),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    worker, worker_log = _start_worker(tmp_path, port)
    try:
        _wait_for_journeys(out, master)
        _kill(worker, *_locust_children(worker))
        stdout, err = master.communicate(timeout=90)
    finally:
        _kill(master, worker)
    assert master.returncode == 3, _logs(err, worker_log)
    assert "stopped early (no worker left" in err and "Traceback" not in err + stdout, err
    summary = read_summary(out / "summary.json")
    assert summary.status == "stopped" and "sent no heartbeat for 15s" in summary.stopped_by
    begun = re.search(r"of (\d+) journeys begun, (\d+) died with it, their outcome unknown", summary.stopped_by)
    assert begun and int(begun[1]) >= 1 and int(begun[2]) <= int(begun[1]), summary.stopped_by
    results = allure_results(out)
    assert results and all(r["status"] == "broken" for r in results)
    assert not any(run_id in name for name in proxies(toxiproxy_url)), "proxies left behind"


def _start_worker(tmp: Path, port: str) -> tuple[subprocess.Popen[str], Path]:
    log = tmp / "worker.log"
    with log.open("w") as sink:
        return subprocess.Popen(_load_argv(tmp, "--worker", "--master-host", "127.0.0.1", "--master-port", port),
                                stdout=sink, stderr=subprocess.STDOUT, text=True), log


def _locust_children(proc: subprocess.Popen[str]) -> list[int]:
    import psutil  # type: ignore[import-untyped]  # Locust's own dependency

    return [child.pid for child in psutil.Process(proc.pid).children(recursive=True)]


def _wait_for_journeys(out: Path, master: subprocess.Popen[str]) -> None:
    """Until the master's live judgement counts a borrower under way: the worker is running users."""
    live = out / ".loanqa-partial" / "live.json"
    _until("a journey under way", lambda: json.loads(live.read_text())["journeys_started"] >= 1, master, 90)


def _until(what: str, check: Callable[[], Any], proc: subprocess.Popen[str], timeout_s: float = 60) -> Any:
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            got = check()
        except OSError:
            got = None
        if got:
            return got
        assert proc.poll() is None, f"the run ended before {what}"
        time.sleep(0.3)  # polling interval for the condition above
    pytest.fail(f"never saw {what}")


def _pause(worker: subprocess.Popen[str], seconds: float) -> None:
    """SIGSTOP the worker's Locust for a while: what a host that starves a process does to its heartbeats."""
    import signal
    import time

    pids = _locust_children(worker)
    assert pids, "the worker's Locust is not running"
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(seconds)  # the pause under test, not a wait for readiness
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def _exit_code(proc: subprocess.Popen[str], timeout_s: float) -> int | None:
    try:
        return proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return None


def _kill(*procs: subprocess.Popen[str] | int) -> None:
    import contextlib
    import signal

    for proc in procs:
        if isinstance(proc, int):
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc, signal.SIGKILL)
        elif proc.poll() is None:
            proc.kill()
            proc.wait()


def _logs(master_output: str, worker_log: Path) -> str:
    return f"--- master:\n{master_output}\n--- worker:\n{worker_log.read_text()}"


def _wait_for_proxy(toxiproxy_url: str, run_id: str, master: subprocess.Popen[str]) -> str:
    """The listen address of the run's proxy, as Toxiproxy reports it once the master created it."""
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mine = [p["listen"] for name, p in proxies(toxiproxy_url).items() if run_id in name]
        if mine:
            return str(mine[0])
        assert master.poll() is None, "master exited before creating its proxy"
        time.sleep(0.1)  # polling interval for the condition above
    pytest.fail("the master never created its proxy")


def test_a_taken_proxy_port_fails_clearly_and_removes_the_proxies_already_made(tmp_path: Path, refapp_url: str,
                                                                              toxiproxy_url: str) -> None:
    import socket

    first = free_port()
    run_id = f"pp{abs(hash(tmp_path.name)) % 10**8}"
    with socket.socket() as taken:
        taken.bind(("127.0.0.2", first + 5))  # the sixth of cn-2026's twelve proxies cannot listen
        taken.listen()
        done, out = run_load(tmp_path, refapp_url, toxiproxy_url, "--network-mix", "cn-2026", "--duration", "10s",
                             "--proxy-host", "127.0.0.2", "--proxy-ports", f"{first}-{first + 11}",
                             "--run-id", run_id)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"127.0.0.2:{first + 5}" in done.stderr and "Traceback" not in done.stderr
    assert not any(run_id in name for name in proxies(toxiproxy_url)), "proxies left behind"
    assert not out.exists() and not out.with_name("run.partial").exists()


def _alive_with(needle: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if needle.encode() in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def test_plain_locust_f_on_the_locustfile_runs_borrowers_and_writes_the_run(tmp_path: Path,
                                                                            refapp_url: str) -> None:
    """For people who know Locust: its own CLI, loanqa's flags, traffic direct to --host."""
    out = tmp_path / "plain"
    argv = [str(Path(sys.executable).with_name("locust")), "-f", str(LOCUSTFILE), "--headless", "--only-summary",
            "--host", refapp_url, "--shape", "smoke", "--shape-duration", "12s", "--think-scale", "0.02",
            "--liveness-frames", "3", "--loanqa-out", str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-3000:]
    assert f"loanqa: wrote {out}" in done.stdout + done.stderr
    summary = read_summary(out / "summary.json")
    assert summary.shape == "smoke" and set(summary.profiles) == {"direct"} and summary.funnel.disbursed >= 1
    assert (out / "charts" / "rps.png").stat().st_size > 0 and allure_results(out)


def test_journeys_under_way_when_the_shape_ends_finish_within_the_graceful_stop(tmp_path: Path, refapp_url: str,
                                                                               toxiproxy_url: str) -> None:
    """Like k6's gracefulStop: a borrower mid-journey at the shape's end is not lost to the test's cut-off."""
    outcomes = {}
    for grace in ("0s", "60s"):
        folder = tmp_path / grace
        folder.mkdir()
        done, out = run_load(folder, refapp_url, toxiproxy_url, "--shape", "smoke", "--duration", "15s",
                             "--network-mix", "clean", "--think-scale", "0.15", "--liveness-frames", "3",
                             "--graceful-stop", grace)
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stdout + done.stderr
        summary = read_summary(out / "summary.json")
        outcomes[grace] = (summary.funnel.unfinished, summary.outcomes.paid_out)
    cut_unfinished, _ = outcomes["0s"]
    unfinished, paid = outcomes["60s"]
    assert cut_unfinished > 0, f"with no grace the shape's end cuts journeys off: {outcomes}"
    assert unfinished == 0 and paid > 0, f"with a grace every journey under way finishes: {outcomes}"

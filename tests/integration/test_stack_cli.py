"""`loanqa up / status / down` as a user runs them: real processes, real readiness, nothing left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from loanqa.config.project import StackConfig
from loanqa.ports import free_port
from loanqa.process_group import pid_alive
from loanqa.stack import components
from loanqa.stack.process import ProcessManager, http_ready

LOANQA = str(Path(sys.executable).parent / "loanqa")


def loanqa(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOANQA_STATE_DIR": str(state)}
    env.pop("TOXIPROXY_URL", None)
    return subprocess.run([LOANQA, *args], capture_output=True, text=True, env=env, timeout=180, check=False)


def test_up_status_down_round_trip(tmp_path: Path) -> None:
    ports = [str(free_port()) for _ in range(3)]
    flags = ["--refapp-port", ports[0], "--toxiproxy-port", ports[1], "--appium-port", ports[2]]
    first = loanqa(tmp_path, "up", *flags)
    try:
        assert first.returncode == 0, first.stderr
        pids = {line.split()[0]: int(line.split()[-1]) for line in first.stdout.splitlines()}
        assert set(pids) == {"refapp", "toxiproxy", "appium"}
        assert http_ready(f"http://127.0.0.1:{ports[0]}/healthz")
        assert http_ready(f"http://127.0.0.1:{ports[1]}/version")
        assert http_ready(f"http://127.0.0.1:{ports[2]}/status")

        again = loanqa(tmp_path, "up", *flags)
        assert again.returncode == 0, again.stderr
        assert {line.split()[0]: int(line.split()[-1]) for line in again.stdout.splitlines()} == pids, \
            "a second `up` must reuse what runs"

        status = loanqa(tmp_path, "status")
        assert status.stdout.count("ready") == 3
        assert (tmp_path / "logs" / "refapp.log").stat().st_size > 0
    finally:
        down = loanqa(tmp_path, "down")
    assert down.returncode == 0 and "refapp" in down.stdout
    assert not any(pid_alive(pid) for pid in pids.values())
    assert "nothing running" in loanqa(tmp_path, "status").stdout


def test_occupied_port_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    port = free_port()
    other = tmp_path / "other"
    assert loanqa(other, "up", "refapp", "--refapp-port", str(port)).returncode == 0
    try:
        clash = loanqa(tmp_path, "up", "refapp", "--refapp-port", str(port))
        assert clash.returncode == 3
        assert "already answers" in clash.stderr and "Traceback" not in clash.stderr
    finally:
        loanqa(other, "down")


def test_down_also_stops_what_a_killed_device_run_left(tmp_path: Path) -> None:
    """A device run keeps its own stack under `<state>/devices/stack`; a killed run's refapp is found there."""
    state = tmp_path / "state"
    port = free_port()
    pm = ProcessManager(state / "devices" / "stack")
    spec = components.refapp_spec(StackConfig(refapp_port=port), pm.state_dir)
    running = pm.start(spec, ready_timeout=60)
    try:
        down = loanqa(state, "down")
    finally:
        pm.stop("refapp", grace=2)
    assert down.returncode == 0, down.stderr
    assert "refapp (of a device run)" in down.stdout, down.stdout
    assert not pid_alive(running.pid) and not http_ready(spec.ready_url)
    assert not list((pm.state_dir / "pids").glob("*.json"))


# A device run's network profile, applied by a process that is then killed (as pytest is on a second Ctrl-C).
_APPLY_AND_HANG = """
import sys, time
from pathlib import Path
from loanqa_netprofiles.control import NetworkController, load_profile
ctl = NetworkController(sys.argv[1], run_id="devices-killed", state_dir=Path(sys.argv[2]))
print(ctl.apply(load_profile("3g"), upstream="127.0.0.1:9").proxy_name, flush=True)
time.sleep(120)
"""


def test_down_clears_the_proxies_of_a_killed_device_run(tmp_path: Path, toxiproxy_url: str) -> None:
    state = tmp_path / "state"
    child = subprocess.Popen([sys.executable, "-c", _APPLY_AND_HANG, toxiproxy_url, str(state / "devices" / "net")],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        proxy = child.stdout.readline().strip()
    finally:
        child.kill()
        child.wait()
    assert proxy.startswith("loanqa-devices-killed"), proxy
    assert proxy in _proxies(toxiproxy_url)
    down = loanqa(state, "down")
    assert down.returncode == 0, down.stderr
    assert proxy not in _proxies(toxiproxy_url), "the killed run's proxy was left on Toxiproxy"


def _proxies(toxiproxy_url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{toxiproxy_url}/proxies", timeout=10) as resp:
        found: dict[str, object] = json.loads(resp.read())
    return found

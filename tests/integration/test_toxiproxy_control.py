"""NetworkController and `loanqa net` end to end: profiles on a real API server, timelines in real time,
and nothing left behind after exceptions, SIGTERM or a crash cleared from another process."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.loopback import EchoServer, connect, round_trip, wait_until_refused
from loanqa.cli.main import cli
from loanqa.ports import free_port
from loanqa_netprofiles.control import NetworkController, load_profile
from loanqa_netprofiles.ledger import Ledger
from loanqa_netprofiles.toxiproxy_client import ServerGoneError, ToxiproxyClient, ToxiproxyError
from tests.interrupt import ctrl_c_blocked_or_ignored, takes_ctrl_c

pytestmark = pytest.mark.toxiproxy


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoServer]:
    with EchoServer() as server:
        yield server


@pytest.fixture
def client(toxiproxy_url: str) -> ToxiproxyClient:
    return ToxiproxyClient(toxiproxy_url)


def profile_file(tmp_path: Path, body: str, name: str = "lab") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"description: test profile\nsource: loanqa tests\n{body}")
    return path


def ours(client: ToxiproxyClient, run_id: str) -> list[str]:
    return [n for n in client.proxies() if n.startswith(f"loanqa-{run_id}-")]


def test_apply_puts_the_profile_in_front_and_clear_removes_it(
        toxiproxy_url: str, client: ToxiproxyClient, echo: EchoServer, tmp_path: Path) -> None:
    profile = load_profile(str(profile_file(tmp_path, "downstream:\n  - {type: latency, latency: 120}\n")))
    ctl = NetworkController(toxiproxy_url, state_dir=tmp_path)
    applied = ctl.apply(profile, echo.address)
    assert applied.proxy_name == f"loanqa-{ctl.run_id}-lab" and applied.upstream == echo.address
    with connect(applied.listen) as sock:
        took = [round_trip(sock, b"x") for _ in range(3)]
    assert min(took) >= 0.115 and statistics.median(took) <= 0.3, took
    assert [e.proxy for e in Ledger(tmp_path).entries()] == [applied.proxy_name]
    ctl.clear()
    assert ours(client, ctl.run_id) == [] and Ledger(tmp_path).entries() == []


def test_an_exception_in_the_body_still_clears(toxiproxy_url: str, client: ToxiproxyClient,
                                                echo: EchoServer, tmp_path: Path) -> None:
    run_id = uuid.uuid4().hex[:8]
    with pytest.raises(RuntimeError, match="test body failed"), \
            NetworkController(toxiproxy_url, run_id=run_id, state_dir=tmp_path) as ctl:
        ctl.apply(load_profile("3g"), echo.address)
        ctl.apply(load_profile("handover"), echo.address)
        assert len(ours(client, run_id)) == 2
        raise RuntimeError("test body failed")
    assert ours(client, run_id) == []


def test_clear_never_touches_a_proxy_someone_else_made(toxiproxy_url: str, client: ToxiproxyClient,
                                                       echo: EchoServer, tmp_path: Path) -> None:
    run_id = uuid.uuid4().hex[:8]
    theirs = f"loanqa-{run_id}-3g"  # same name loanqa would pick, but created outside loanqa
    Ledger(tmp_path).record(theirs, run_id, client.url, listen="127.0.0.1:1")  # stale entry from a crash
    client.create_proxy(theirs, echo.address)
    try:
        NetworkController(toxiproxy_url, run_id=run_id, state_dir=tmp_path).clear()
        assert client.get_proxy(theirs) is not None
    finally:
        client.delete_proxy(theirs)


def test_refuse_timeline_follows_its_schedule(toxiproxy_url: str, echo: EchoServer, tmp_path: Path) -> None:
    body = "timeline: {every_s: 1.0, down_s: 0.4, offset_s: 0.3, mode: refuse}\n"
    profile = load_profile(str(profile_file(tmp_path, body)))
    with NetworkController(toxiproxy_url, state_dir=tmp_path) as ctl:
        start = time.monotonic()
        applied = ctl.apply(profile, echo.address)
        down_at = wait_until_refused(applied.listen, 2) - start
        up_at = wait_until_refused(applied.listen, 2, refused=False) - start
        assert 0.3 <= down_at <= 0.55 and 0.7 <= up_at <= 0.95, (down_at, up_at)  # CI-noise margin
        assert ctl.drivers[0].errors == []


def test_stall_timeline_holds_then_drops_connections(toxiproxy_url: str, echo: EchoServer,
                                                     tmp_path: Path) -> None:
    profile = load_profile(str(profile_file(tmp_path, "timeline: {down_s: 0.5, offset_s: 0.2, mode: stall}\n")))
    with NetworkController(toxiproxy_url, state_dir=tmp_path) as ctl:
        applied = ctl.apply(profile, echo.address)
        with connect(applied.listen) as sock:
            round_trip(sock, b"before")
            deadline = time.monotonic() + 2
            while not ctl.drivers[0].down and time.monotonic() < deadline:
                time.sleep(0.01)  # poll interval of the real condition (driver switched)
            sock.sendall(b"during")
            sock.settimeout(1.5)
            assert sock.recv(10) == b""  # held, then closed when the outage ends
        while ctl.drivers[0].down and time.monotonic() < deadline + 2:
            time.sleep(0.01)  # poll interval: both outage toxics removed
        with connect(applied.listen) as sock:
            round_trip(sock, b"after")


def test_cli_apply_for_a_duration_then_clears(toxiproxy_url: str, client: ToxiproxyClient,
                                              echo: EchoServer, tmp_path: Path) -> None:
    run_id = uuid.uuid4().hex[:8]
    result = CliRunner().invoke(cli, ["--state-dir", str(tmp_path), "net", "apply", "4g", "--upstream",
                                      echo.address, "--duration", "0.2", "--run-id", run_id,
                                      "--toxiproxy-url", toxiproxy_url], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert f"proxy loanqa-{run_id}-4g" in result.output and "cleared" in result.output
    assert ours(client, run_id) == []


def _loanqa(*args: str, state: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "LOANQA_STATE_DIR": str(state)}
    return subprocess.Popen([sys.executable, "-m", "loanqa.cli.main", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=takes_ctrl_c)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 130)])
def test_sigterm_or_ctrl_c_of_net_apply_removes_its_proxies(
        toxiproxy_url: str, client: ToxiproxyClient, echo: EchoServer, tmp_path: Path,
        sig: signal.Signals, code: int) -> None:
    run_id = uuid.uuid4().hex[:8]
    proc = _loanqa("net", "apply", "subway", "--upstream", echo.address, "--run-id", run_id,
                   "--toxiproxy-url", toxiproxy_url, state=tmp_path)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listen 127.0.0.1:"), (line, proc.stderr.read() if proc.stderr else "")
        assert ours(client, run_id) == [f"loanqa-{run_id}-subway"]
        assert not ctrl_c_blocked_or_ignored(proc.pid), ctrl_c_blocked_or_ignored(proc.pid)
        proc.send_signal(sig)
        assert proc.wait(15) == code
    finally:
        if proc.poll() is None:
            proc.kill()
    assert ours(client, run_id) == [] and Ledger(tmp_path).entries() == []


def test_net_clear_from_another_process_removes_only_recorded(toxiproxy_url: str, client: ToxiproxyClient,
                                                              echo: EchoServer, tmp_path: Path) -> None:
    ctl = NetworkController(toxiproxy_url, state_dir=tmp_path)
    crashed = ctl.apply(load_profile("edge"), echo.address)  # never cleared: the process "crashed"
    other = f"someone-else-{uuid.uuid4().hex[:6]}"
    client.create_proxy(other, echo.address)
    try:
        proc = _loanqa("net", "clear", "--toxiproxy-url", toxiproxy_url, state=tmp_path)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert crashed.proxy_name in out
        assert client.get_proxy(crashed.proxy_name) is None and client.get_proxy(other) is not None
    finally:
        client.delete_proxy(other)
        client.delete_proxy(crashed.proxy_name)


class KillableServer:
    """A private embedded Toxiproxy (`python -m loanqa_netprofiles.server`) on a fixed free port, so a test can kill it
    mid-way (or freeze it) and start a fresh one where it was: what a crashed or restarted server looks like."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> KillableServer:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]) + os.pathsep
               + os.environ.get("PYTHONPATH", "")}
        self.proc = subprocess.Popen([sys.executable, "-m", "loanqa_netprofiles.server", "--port", str(self.port)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the embedded Toxiproxy exited at start"
            try:
                ToxiproxyClient(self.url, timeout=1).version()
                return self
            except ToxiproxyError:
                time.sleep(0.05)  # poll interval of the readiness check, bounded by the deadline
        raise TimeoutError(f"{self.url} did not answer within 30s")

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a frozen server must be able to die
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait(10)


@pytest.fixture
def killable() -> Iterator[KillableServer]:
    server = KillableServer().start()
    try:
        yield server
    finally:
        server.kill()


def _net_clear(state: Path, url: str, run_id: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--state-dir", str(state), "net", "clear", "--run-id", run_id,
                                      "--toxiproxy-url", url], env={"COLUMNS": "80", "NO_COLOR": "1"})
    return result.exit_code, result.output


def test_a_server_killed_mid_run_takes_its_proxies_and_the_ledger_says_so(
        killable: KillableServer, echo: EchoServer, tmp_path: Path) -> None:
    run_id = uuid.uuid4().hex[:8]
    ctl = NetworkController(killable.url, run_id=run_id, state_dir=tmp_path)
    gone = f"went away during the run.*its 2 proxies of run {run_id} went with it"
    with pytest.raises(ServerGoneError, match=gone), ctl:
        ctl.apply(load_profile("3g"), echo.address)
        ctl.apply(load_profile("subway"), echo.address)  # a timeline too: it must stop quietly
        assert len(Ledger(tmp_path).entries(run_id)) == 2
        killable.kill()
    assert Ledger(tmp_path).entries() == [], "proxies that died with their server are not left recorded"
    killable.start()  # restarted where it was: a later `net clear` has nothing to do, and says so
    code, out = _net_clear(tmp_path, killable.url, run_id)
    assert code == 0 and out.strip() == "removed: nothing recorded", out


def test_a_frozen_server_keeps_the_entries_then_net_clear_says_what_became_of_them(
        killable: KillableServer, echo: EchoServer, tmp_path: Path) -> None:
    run_id = uuid.uuid4().hex[:8]
    ctl = NetworkController(killable.url, run_id=run_id, state_dir=tmp_path)
    ctl.client.timeout = 1.0
    applied = ctl.apply(load_profile("4g"), echo.address)
    killable.signal(signal.SIGSTOP)  # alive but silent: its proxy may well still exist
    with pytest.raises(ToxiproxyError, match=f"1 proxies of run {run_id} may remain.*net clear --run-id {run_id}"):
        ctl.clear()
    (entry,) = Ledger(tmp_path).entries(run_id)
    assert entry.proxy == applied.proxy_name and "no answer within" in entry.unreachable
    killable.kill()
    killable.start()  # it died frozen; the restarted server never had the proxy
    code, out = _net_clear(tmp_path, killable.url, run_id)
    assert code == 0, out
    assert out.strip() == f"gone with the server (it died or restarted; forgotten): {applied.proxy_name}", out
    assert Ledger(tmp_path).entries() == []


def test_a_server_that_answers_again_gets_its_kept_proxy_removed(
        killable: KillableServer, echo: EchoServer, tmp_path: Path) -> None:
    run_id = uuid.uuid4().hex[:8]
    ctl = NetworkController(killable.url, run_id=run_id, state_dir=tmp_path)
    ctl.client.timeout = 1.0
    applied = ctl.apply(load_profile("4g"), echo.address)
    killable.signal(signal.SIGSTOP)
    with pytest.raises(ToxiproxyError, match="may remain"):
        ctl.clear()
    killable.signal(signal.SIGCONT)
    client = ToxiproxyClient(killable.url)
    assert client.get_proxy(applied.proxy_name) is not None, "the ledger was right to keep it"
    code, out = _net_clear(tmp_path, killable.url, run_id)
    assert code == 0 and out.strip() == f"removed: {applied.proxy_name}", out
    assert client.get_proxy(applied.proxy_name) is None and Ledger(tmp_path).entries() == []


def test_a_refused_loopback_address_means_the_server_is_gone() -> None:
    with pytest.raises(ServerGoneError, match="connection refused"):
        ToxiproxyClient(f"http://127.0.0.1:{free_port()}", timeout=2).version()

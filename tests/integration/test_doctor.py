"""`loanqa doctor` against this machine's real tools, and with one thing broken at a time."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from loanqa.ports import free_port

LOANQA = str(Path(sys.executable).parent / "loanqa")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    ports = {"refapp_port": free_port(), "toxiproxy_port": free_port(), "appium_port": free_port()}
    (tmp_path / "loanqa.yaml").write_text("stack:\n" + "".join(f"  {k}: {v}\n" for k, v in ports.items()))
    return tmp_path


def _doctor(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "TOXIPROXY_URL"} | {"NO_COLOR": "1"} | env
    return subprocess.run([LOANQA, "doctor", *args], cwd=project, env=full, capture_output=True, text=True,
                          timeout=120, check=False)


def test_ready_machine_passes_every_check(project: Path) -> None:
    done = _doctor(project)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("node", "appium", "appium chromium driver", "chromium", "chromedriver", "chromium/chromedriver match",
                 "allure", "CJK font", "toxiproxy"):
        assert f"ok   {name}: " in done.stdout
    assert "ready for: up, journey, net, load, devices, gate, report, run" in done.stdout


def test_missing_allure_fails_report_with_the_fix(project: Path) -> None:
    done = _doctor(project, "report", LOANQA_ALLURE=str(project / "nowhere"))
    assert done.returncode == 1
    assert f"FAIL allure: LOANQA_ALLURE={project / 'nowhere'} is not an executable file" in done.stdout
    assert "needed by: report, run; fix: bash ci/setup.sh (npm allure into .tools/) or set LOANQA_ALLURE" in done.stdout
    assert done.stderr.strip() == "loanqa: error: doctor: missing or broken for report: allure"
    assert "Traceback" not in done.stderr


def test_missing_allure_is_only_a_warning_for_a_command_that_does_not_need_it(project: Path) -> None:
    done = _doctor(project, "gate", "net", LOANQA_ALLURE=str(project / "nowhere"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warn allure: " in done.stdout


def test_node_older_than_appium_needs_is_named_with_the_fix(project: Path) -> None:
    old_node = project / "node"
    old_node.write_text("#!/bin/sh\necho v18.19.0\n")
    old_node.chmod(0o755)
    done = _doctor(project, "devices", LOANQA_NODE=str(old_node))
    assert done.returncode == 1
    assert "FAIL node: v18.19.0: Appium 3.8 needs ^20.19, ^22.12 or >= 24" in done.stdout
    assert "install Node 22 LTS" in done.stdout


@pytest.fixture
def foreign_server() -> Iterator[int]:
    """Something else listening on a port loanqa wants (answers 500 to everything: not refapp)."""

    class Broken(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(500)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_busy_port_and_unreachable_target(project: Path, foreign_server: int) -> None:
    (project / "loanqa.yaml").write_text(f"stack:\n  refapp_port: {foreign_server}\n  toxiproxy_port: {free_port()}\n"
                                         f"  appium_port: {free_port()}\n")
    gone = f"http://127.0.0.1:{free_port()}"
    done = _doctor(project, "up", "--target", gone)
    assert done.returncode == 1
    assert f"FAIL port {foreign_server} (refapp): in use" in done.stdout
    assert "stack.refapp_port) or with `loanqa up --refapp-port`" in done.stdout
    assert f"FAIL target: {gone}/healthz does not answer" in done.stdout

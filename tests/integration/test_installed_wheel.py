"""loanqa as a user installs it: the built wheel in a fresh venv, run from an empty folder.

The venv is a clean install of the wheel and its dependencies from the package index (no
--system-site-packages, no access to the checkout): PYTHONPATH is dropped on purpose, so nothing of the
source tree can stand in for a file the wheel forgot to ship.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from loanqa import tools
from loanqa.ports import free_port
from loanqa.stack.process import http_ready
from tests.user_project import check_project

ROOT = Path(__file__).resolve().parents[2]
UNSHIPPED = (".git", ".venv", ".tools", ".loanqa", "loanqa-results", "build", "dist", "*.egg-info", "__pycache__",
             ".mypy_cache", ".ruff_cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv holding only the built wheel and what it depends on."""
    base = tmp_path_factory.mktemp("wheel")
    source = shutil.copytree(ROOT, base / "source", symlinks=True, ignore=shutil.ignore_patterns(*UNSHIPPED))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(base / "dist")],
                   check=True, capture_output=True, timeout=300, env=_user_env())
    (wheel,) = (base / "dist").glob("loanqa-*.whl")
    venv.create(base / "venv", with_pip=True)
    bin_dir = base / "venv" / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True, timeout=900, env=_user_env())
    return bin_dir


def _user_env() -> dict[str, str]:
    """A user's shell: tools on known paths, nothing pointing loanqa at the checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "LOANQA_HOME", "LOANQA_STATE_DIR", "LOANQA_TOOLS_DIR", "TOXIPROXY_URL"}}
    env.update(LOANQA_APPIUM=str(tools.appium()), LOANQA_ALLURE=str(tools.allure()),
               APPIUM_HOME=str(tools.appium_home()), NO_COLOR="1", COLUMNS="120")
    return env


def _site_packages(bin_dir: Path) -> Path:
    out = subprocess.run([str(bin_dir / "python"), "-c", "import loanqa, pathlib; "
                          "print(pathlib.Path(loanqa.__file__).resolve().parent.parent)"],
                         capture_output=True, text=True, check=True, cwd="/", env=_user_env())
    return Path(out.stdout.strip())


def test_wheel_ships_every_file_the_cli_reads(installed: Path) -> None:
    site = _site_packages(installed)
    assert ROOT not in site.parents, "the venv must import the installed wheel, not the checkout"
    policy = site / "loanqa" / "policies" / "default.yaml"
    assert policy.is_file() and not policy.is_symlink()
    assert "name: default" in policy.read_text()
    for shipped in ("loanqa_devicetests/matrices/ci-emulated.yaml", "loanqa_devicetests/js/layout_check.js",
                    "loanqa_loadtests/shapes/double-11.yaml", "loanqa_loadtests/slos/default.yaml",
                    "loanqa_netprofiles/mixes/cn-2026.yaml",
                    "loanqa_netprofiles/profiles/subway.yaml", "loanqa_refapp/static/app/index.html",
                    "loanqa_refapp/static/app/pages/sign.js", "loanqa/data/astronaut.png"):
        assert (site / shipped).is_file(), f"{shipped} missing from the wheel"


@pytest.mark.slow
@pytest.mark.appium
@pytest.mark.toxiproxy
def test_run_from_an_empty_folder_keeps_everything_in_that_folder(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    ports = {"refapp_port": free_port(), "toxiproxy_port": free_port(), "appium_port": free_port()}
    (work / "loanqa.yaml").write_text("stack:\n" + "".join(f"  {k}: {v}\n" for k, v in ports.items()))
    env = _user_env()

    listed = subprocess.run([str(installed / "loanqa"), "net", "list"], cwd=work, env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert listed.returncode == 0 and "subway" in listed.stdout, listed.stderr

    done = subprocess.run([str(installed / "loanqa"), "run", "--duration", "20s", "--users-scale", "0.1",
                           "--device", "pixel-7", "-n", "0"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=900, check=False)
    log = done.stdout + done.stderr
    assert "Traceback" not in log, log
    runs = list((work / "loanqa-results").glob("run-*"))
    assert len(runs) == 1, f"exit {done.returncode}, run folders {runs}:\n{log[-4000:]}"
    run_dir = runs[0]
    verdict = json.loads((run_dir / "verdict.json").read_text())
    assert verdict["policy"] == "default", "the default policy shipped in the wheel was applied"
    assert done.returncode == verdict["exit_code"] in (0, 1), log
    assert (run_dir / "report" / "index.html").is_file()
    device_results = [json.loads(p.read_text()) for p in (run_dir / "devices" / "allure-results").glob("*-result.json")]
    assert device_results
    for result in device_results:
        suites = {lb["name"]: lb["value"] for lb in result["labels"] if "uite" in lb["name"]}
        assert suites == {"parentSuite": "devicetests", "suite": suites.get("suite"), "subSuite": "pixel-7"}, suites
        assert str(suites["suite"]).startswith("test_"), "the Suites tab names the test module, not venv folders"
    assert (run_dir / "load" / "summary.json").is_file()
    assert (work / ".loanqa" / "logs" / "refapp.log").is_file(), "state follows the current directory"

    venv_root = installed.parent
    strays = [p for name in (".loanqa", "loanqa-results") for p in venv_root.rglob(name)]
    assert not strays, f"written inside the installation: {strays}"
    assert not list((work / ".loanqa" / "pids").glob("*.json")), "run stops what it started"
    for name, port in ports.items():
        path = {"refapp_port": "/healthz", "toxiproxy_port": "/version", "appium_port": "/status"}[name]
        assert not http_ready(f"http://127.0.0.1:{port}{path}"), f"{name} still answers"


def test_a_users_own_component_named_folders_collect_and_pass_beside_the_plugin(installed: Path,
                                                                                  tmp_path: Path) -> None:
    matrix = _site_packages(installed) / "loanqa_devicetests" / "matrices" / "ci-emulated.yaml"
    check_project([str(installed / "pytest")], matrix, tmp_path, _user_env())

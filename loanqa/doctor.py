"""What each loanqa command needs on this machine, checked one by one, each with its fix.

Like `appium driver doctor`: every check says what it found, which commands need it, and how to fix it.
Checks run the real tools (`node --version`, `appium driver list`, `chromium --version`, …) with short
timeouts; nothing is installed or started.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loanqa import tools
from loanqa.config.project import StackConfig
from loanqa.errors import ToolMissingError
from loanqa.stack.process import http_ready

TOOL_TIMEOUT_S = 30.0
SETUP = "bash ci/setup.sh"
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
COMMANDS = ("up", "journey", "net", "load", "devices", "gate", "report", "run")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    found: str
    needed_by: tuple[str, ...]
    fix: str = ""
    optional: bool = False  # a missing optional thing has a fallback (e.g. the embedded Toxiproxy)


def _run(argv: list[str | Path], env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=TOOL_TIMEOUT_S,
                          env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError((done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit {done.returncode}"])
    return done.stdout.strip()


def _version(text: str) -> tuple[int, ...]:
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    return tuple(int(g) for g in match.groups() if g is not None) if match else ()


def _tool(name: str, find: Callable[[], Path], needed_by: tuple[str, ...], fix: str,
          version_args: tuple[str, ...] = ("--version",)) -> tuple[Check, Path | None, str]:
    try:
        path = find()
        version = _run([path, *version_args]).splitlines()[0]
    except ToolMissingError as exc:
        return Check(name, False, str(exc), needed_by, fix), None, ""
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        return Check(name, False, f"found but `{name} {' '.join(version_args)}` failed: {exc}", needed_by, fix), \
            None, ""
    return Check(name, True, f"{version} ({path})", needed_by), path, version


def check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, f"{sys.version.split()[0]} ({sys.executable})", COMMANDS,
                 "" if ok else "loanqa needs Python >= 3.11")


def node_supported(version: tuple[int, ...]) -> bool:
    """Appium 3.8's engines field: "^20.19.0 || ^22.12.0 || >=24.0.0"."""
    major, minor = (*version, 0, 0)[:2]
    return (major == 20 and minor >= 19) or (major == 22 and minor >= 12) or major >= 24


def check_node() -> Check:
    needed = ("up", "devices", "report", "run")
    check, _, version = _tool("node", tools.node, needed, f"install Node.js 22 LTS; {SETUP}")
    if check.ok and not node_supported(_version(version)):
        return Check("node", False, f"{version}: Appium 3.8 needs ^20.19, ^22.12 or >= 24", needed,
                     "install Node 22 LTS (NodeSource apt repository, actions/setup-node, or the node:22 image)")
    return check


def check_appium() -> list[Check]:
    needed = ("up", "devices", "run")
    check, path, _ = _tool("appium", tools.appium, needed, f"{SETUP} (npm appium into .tools/) or set LOANQA_APPIUM")
    if path is None:
        return [check]
    home = tools.appium_home()
    try:
        listed = json.loads(_run([path, "driver", "list", "--installed", "--json"],
                                 env={**os.environ, "APPIUM_HOME": str(home)}) or "{}")
    except (OSError, RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        return [check, Check("appium chromium driver", False, f"`appium driver list` failed: {exc}", needed,
                             f"{SETUP}, or check APPIUM_HOME={home}")]
    drivers = {name: info.get("version", "?") for name, info in listed.items() if isinstance(info, dict)}
    shown = ", ".join(f"{n} {v}" for n, v in sorted(drivers.items())) or "none"
    driver = Check("appium chromium driver", "chromium" in drivers, f"installed in {home}: {shown}", needed,
                   f"APPIUM_HOME={home} appium driver install chromium (or {SETUP})")
    return [check, driver]


def check_browsers() -> list[Check]:
    needed = ("devices", "run")
    chromium, _, browser = _tool("chromium", tools.chromium, needed,
                                 "apt-get install chromium (or set LOANQA_CHROMIUM)")
    driver, _, chromedriver = _tool("chromedriver", tools.chromedriver, needed,
                                    "apt-get install chromium-driver (or set LOANQA_CHROMEDRIVER)")
    checks = [chromium, driver]
    if chromium.ok and driver.ok:
        b, d = (next(iter(_version(v)), None) for v in (browser, chromedriver))
        checks.append(Check("chromium/chromedriver match", b == d, f"chromium {b}, chromedriver {d} (major versions)",
                            needed, "install both from one source: apt-get install chromium chromium-driver"))
    return checks


def check_allure() -> Check:
    return _tool("allure", tools.allure, ("report", "run"),
                 f"{SETUP} (npm allure into .tools/) or set LOANQA_ALLURE")[0]


def check_fonts() -> Check:
    fc_list = shutil.which("fc-list")
    found = ""
    if fc_list:
        try:
            found = next(iter(_run([fc_list, ":lang=zh", "family"]).splitlines()), "")
        except (OSError, RuntimeError, subprocess.TimeoutExpired):
            found = ""
    if not found and CJK_FONT.is_file():
        found = str(CJK_FONT)
    return Check("CJK font", bool(found), found or "no Chinese font: H5 pages and screenshots show boxes",
                 ("devices", "run"), "apt-get install fonts-wqy-microhei")


def check_toxiproxy() -> Check:
    needed = ("up", "load", "net", "run")
    url = os.environ.get("TOXIPROXY_URL")
    if url:
        ok = http_ready(f"{url.rstrip('/')}/version")
        return Check("toxiproxy", ok, f"TOXIPROXY_URL={url} {'answers' if ok else 'does not answer'} GET /version",
                     needed, "start toxiproxy-server there, or unset TOXIPROXY_URL to use the embedded server")
    server = tools.toxiproxy_server()
    found = f"toxiproxy-server {server}" if server else "none installed: `loanqa up` starts the embedded server"
    return Check("toxiproxy", True, found, needed, optional=True)


def check_ports(stack: StackConfig) -> list[Check]:
    """A configured port must be free, or already answer as that component (loanqa up reuses it)."""
    checks = []
    for name, port, path in (("refapp", stack.refapp_port, "/healthz"), ("toxiproxy", stack.toxiproxy_port,
                                                                         "/version"),
                             ("appium", stack.appium_port, "/status")):
        if _free(stack.host, port):
            checks.append(Check(f"port {port} ({name})", True, "free", ("up", "run")))
            continue
        ours = http_ready(f"http://{stack.host}:{port}{path}")
        checks.append(Check(f"port {port} ({name})", ours, f"in use{' by a running ' + name if ours else ''}",
                            ("up", "run"), f"stop what holds {stack.host}:{port}, or choose another port in "
                            f"loanqa.yaml (stack.{name}_port) or with `loanqa up --{name}-port`"))
    return checks


def check_target(url: str) -> Check:
    health = f"{url.rstrip('/')}/healthz"
    ok = http_ready(health, timeout=5.0)
    return Check("target", ok, f"{health} {'answers' if ok else 'does not answer'}", ("journey", "load", "devices"),
                 "start it (`loanqa up refapp`) or pass the right --target URL")


def _free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def run_checks(stack: StackConfig, target: str | None) -> list[Check]:
    checks = [check_python(), check_node(), *check_appium(), *check_browsers(), check_allure(), check_fonts(),
              check_toxiproxy(), *check_ports(stack)]
    if target:
        checks.append(check_target(target))
    return checks

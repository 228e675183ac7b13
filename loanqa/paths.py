"""Where loanqa keeps state, logs and project-local tools; one place so every component agrees."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout loanqa runs from: LOANQA_HOME, else the source tree this package lives in."""
    env = os.environ.get("LOANQA_HOME")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parent.parent


def state_dir() -> Path:
    """PID files and logs of managed components (`.loanqa/` unless LOANQA_STATE_DIR says otherwise)."""
    env = os.environ.get("LOANQA_STATE_DIR")
    path = Path(env) if env else project_root() / ".loanqa"
    path.mkdir(parents=True, exist_ok=True)
    return path


def tools_dir() -> Path:
    """Project-local npm tools installed by ci/setup.sh."""
    return Path(os.environ.get("LOANQA_TOOLS_DIR") or project_root() / ".tools")

"""Issue 15: a project with its own `devicetests/`, `loadtests/` … packages, run with pytest where loanqa is installed.

The same check runs against the built wheel in a fresh venv in test_installed_wheel.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.user_project import check_project

MATRIX = Path(__file__).resolve().parents[2] / "devicetests" / "matrices" / "ci-emulated.yaml"


def test_a_users_own_component_named_folders_collect_and_pass_beside_the_plugin(tmp_path: Path) -> None:
    check_project([str(Path(sys.executable).with_name("pytest"))], MATRIX, tmp_path, dict(os.environ))

"""A user's own project with folders named like loanqa's components, tested in a venv where loanqa is installed.

loanqa's pytest plugin (entry point `loanqa-devices`) loads in every pytest run of that venv. When its
import names were `devicetests`, `loadtests`, … a project with its own `devicetests/` package could not
collect its tests (ImportPathMismatchError / ModuleNotFoundError: the plugin had taken the name first).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from loanqa.ports import free_port

OWN_PACKAGES = ("devicetests", "loadtests", "netprofiles", "refapp")
PHONE_TEST = "def test_phone_has_a_name(device: object) -> None:\n    assert getattr(device, 'name')\n"


def make_project(root: Path) -> Path:
    """A project with its own packages of those names, each with a test that checks it is the one imported."""
    project = root / "project"
    for name in OWN_PACKAGES:
        pkg = project / name
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text("OWNER = 'user'\n")
        (pkg / "test_own.py").write_text(
            f"import {name}\n\n\ndef test_{name}_is_the_users_own() -> None:\n"
            f"    assert {name}.OWNER == 'user' and __name__ == '{name}.test_own'\n")
    return project


def check_project(pytest_argv: list[str], matrix: Path, root: Path, env: dict[str, str]) -> None:
    """The user's tests run and pass; loanqa's plugin still parametrizes the user's device tests by a matrix.

    Run it with the venv's `pytest` script, as users do: `python -m pytest` puts the project first on sys.path
    and, with an editable install, hid the collision.
    """
    project = make_project(root)
    own = subprocess.run([*pytest_argv, "-p", "no:cacheprovider", "-q"], cwd=project, env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    log = own.stdout + own.stderr
    assert not any(e in log for e in ("ImportPathMismatchError", "ModuleNotFoundError", "ImportError")), log
    assert own.returncode == 0 and f"{len(OWN_PACKAGES)} passed" in own.stdout, log

    (project / "devicetests" / "test_phones.py").write_text(PHONE_TEST)
    nowhere = f"http://127.0.0.1:{free_port()}"  # collection only: nothing is dialled or started
    collected = subprocess.run([*pytest_argv, "-p", "no:cacheprovider", "-q", "--collect-only", "--matrix", str(matrix),
                                "--appium-url", nowhere, "--target", nowhere,
                                "--device-state-dir", str(root / "state")],
                               cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False)
    log = collected.stdout + collected.stderr
    assert collected.returncode == 0, log
    assert "devicetests/test_phones.py::test_phone_has_a_name[pixel-7]" in collected.stdout, log
    assert "loadtests/test_own.py::test_loadtests_is_the_users_own" in collected.stdout, log

"""Generate an Allure 3 report with a config loanqa writes; bounded in time, killed on Ctrl-C.

`generate.mjs` (shipped next to this module) does what `allure generate` does with the same Allure
installation, and also puts loanqa's gate verdict into the report's Quality Gates tab.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from loanqa import tools
from loanqa.errors import ComponentError

GENERATE_TIMEOUT_S = 300.0


def allurerc(name: str, history_path: Path, categories: list[dict[str, Any]], *, single_file: bool,
             history_limit: int) -> dict[str, Any]:
    return {
        "name": name,
        "historyPath": str(history_path),
        "historyLimit": history_limit,
        "appendHistory": True,
        "categories": categories,
        "plugins": {"awesome": {"options": {"singleFile": single_file, "reportName": name}},
                    "agent": {"enabled": False}},
    }


def write_config(folder: Path, config: dict[str, Any]) -> Path:
    path = folder / "allurerc.json"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


GENERATOR = Path(__file__).with_name("generate.mjs")


def generate(config: Path, results_dirs: Sequence[Path], output: Path, quality_gate: Path,
             timeout_s: float = GENERATE_TIMEOUT_S) -> None:
    """Raises ComponentError with Allure's own output if it fails or overruns."""
    cmd = [str(tools.node()), str(GENERATOR), str(tools.allure()), str(config), str(output), str(quality_gate),
           *(str(d.resolve()) for d in results_dirs)]
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    with subprocess.Popen(cmd, cwd=config.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as proc:
        try:
            out, _ = proc.communicate(timeout=timeout_s)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    if proc.returncode != 0:
        tail = "\n".join(out.strip().splitlines()[-15:])
        raise ComponentError(f"allure generate exited with {proc.returncode}:\n{tail}")

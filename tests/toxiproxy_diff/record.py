"""Record the real Toxiproxy 2.12.0's transcripts of every scenario into tests/data/toxiproxy-2.12.0/.

    LOANQA_TOXIPROXY_REFERENCE=../shared/tools/toxiproxy-2.12.0 .venv/bin/python -m tests.toxiproxy_diff.record

Run it after adding or changing a scenario; the differential tests fail while a recording is stale.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from tests.toxiproxy_diff import servers
from tests.toxiproxy_diff.clients import python_transcript
from tests.toxiproxy_diff.scenarios import SCENARIOS
from tests.toxiproxy_diff.wire import transcript

RECORDINGS = Path(__file__).resolve().parents[1] / "data" / "toxiproxy-2.12.0"
PYTHON_CLIENT = "client-toxiproxy-python"


def path_for(name: str) -> Path:
    return RECORDINGS / f"{name}.json"


def load(name: str) -> list[Any]:
    data: list[Any] = json.loads(path_for(name).read_text())["transcript"]
    return data


def save(name: str, steps: list[Any]) -> None:
    """Atomically, so an interrupted recording never leaves half a file."""
    target = path_for(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"server": "toxiproxy-server 2.12.0", "scenario": name, "transcript": steps},
                              indent=1, ensure_ascii=False) + "\n")
    os.replace(tmp, target)


def main(argv: list[str]) -> int:
    if not servers.have_real():
        print("set LOANQA_TOXIPROXY_REFERENCE (toxiproxy-server or its folder) or TOXIPROXY_URL", file=sys.stderr)
        return 2
    wanted = argv or [*SCENARIOS, PYTHON_CLIENT]
    unknown = [n for n in wanted if n not in SCENARIOS and n != PYTHON_CLIENT]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    with servers.real() as url:
        for name in wanted:
            save(name, python_transcript(url) if name == PYTHON_CLIENT else transcript(url, SCENARIOS[name]))
            print(f"recorded {path_for(name)}")
    stale = sorted(p.stem for p in RECORDINGS.glob("*.json") if p.stem not in SCENARIOS and p.stem != PYTHON_CLIENT)
    for name in stale:
        path_for(name).unlink()
        print(f"removed {name}.json (no such scenario)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

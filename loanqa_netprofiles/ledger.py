"""What loanqa created on Toxiproxy, on disk (`<state>/net/created.json`), so another process can clear it.

An entry is written before the proxy is created, so even a kill between the two leaves a record;
entries carry the listen address, so a same-named proxy someone else made later is not deleted. An entry
leaves the ledger only once its proxy is known not to exist (deleted, or its server gone); one whose
removal could not reach the server says so (`unreachable`), so a later `net clear` can tell what happened.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from filelock import FileLock

from loanqa import atomic
from loanqa.errors import ComponentError


@dataclass(frozen=True)
class Entry:
    proxy: str
    run_id: str
    toxiproxy_url: str
    pid: int
    created_at: float
    listen: str | None = None
    unreachable: str = ""  # why the last attempt to remove it could not ask the server, and when


class Ledger:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "net" / "created.json"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path) + ".lock")

    @staticmethod
    def exists(state_dir: Path) -> bool:
        """Whether anything was ever recorded under `state_dir` (without creating its folder)."""
        return (state_dir / "net" / "created.json").exists()

    def entries(self, run_id: str | None = None) -> list[Entry]:
        with self._lock:
            return [e for e in self._read() if run_id is None or e.run_id == run_id]

    def record(self, proxy: str, run_id: str, url: str, listen: str | None = None) -> None:
        with self._lock:
            kept = [e for e in self._read() if e.proxy != proxy or e.toxiproxy_url != url]
            self._write([*kept, Entry(proxy, run_id, url, os.getpid(), time.time(), listen)])

    def mark_unreachable(self, proxy: str, url: str, why: str) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._lock:
            self._write([replace(e, unreachable=f"{stamp}: {why}") if (e.proxy, e.toxiproxy_url) == (proxy, url)
                         else e for e in self._read()])

    def forget(self, proxy: str, url: str) -> None:
        with self._lock:
            self._write([e for e in self._read() if e.proxy != proxy or e.toxiproxy_url != url])

    def _read(self) -> list[Entry]:
        try:
            raw = json.loads(self.path.read_text())
            return [Entry(**item) for item in raw.get("proxies", [])]
        except FileNotFoundError:
            return []
        except (ValueError, TypeError, AttributeError) as exc:
            raise ComponentError(f"{self.path}: unreadable ({exc}); delete it after checking "
                                 "Toxiproxy by hand (GET /proxies)") from None

    def _write(self, entries: list[Entry]) -> None:
        atomic.write_text(self.path, json.dumps({"proxies": [asdict(e) for e in entries]}, indent=1))

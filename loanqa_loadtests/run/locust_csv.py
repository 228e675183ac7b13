"""Locust's CSV statistics for a run (`locust_stats.csv`, `_stats_history.csv`, `_failures.csv`,
`_exceptions.csv`), written by a writer loanqa can stop.

Locust's own `--csv` writer runs in a greenlet nobody holds: at shutdown Locust closes its files but leaves
the greenlet running, and with `--processes` the master then waits for its workers in an atexit hook, which
yields to gevent; the writer wakes and writes to closed files (`ValueError: I/O operation on closed file`, a
traceback on stderr). Here the greenlet is ours: it is killed first, the files close, and the snapshot files
are written once more from the final statistics, so they count every request, not only those up to the
writer's last tick.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter

from loanqa import atomic


@dataclass
class LocustCsv:
    """The writer of the files named `<prefix>_*.csv` and the greenlet that refreshes them every second."""

    prefix: Path
    writer: Any
    greenlet: gevent.Greenlet

    @classmethod
    def start(cls, environment: Any, prefix: Path) -> LocustCsv:
        prefix.parent.mkdir(parents=True, exist_ok=True)
        writer = StatsCSVFileWriter(environment, PERCENTILES_TO_REPORT, str(prefix))
        return cls(prefix, writer, gevent.spawn(writer.stats_writer))

    def close(self) -> None:
        """Stop the greenlet before its files close; then the final snapshot. Closing twice is harmless."""
        self.greenlet.kill(block=True)
        self.writer.close_files()
        for suffix, write in self._snapshots():
            path = self.prefix.with_name(self.prefix.name + suffix)
            with atomic.replacing(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
                write(csv.writer(fh))

    def _snapshots(self) -> list[tuple[str, Callable[[Any], None]]]:
        w = self.writer
        return [("_stats.csv", w.requests_csv), ("_failures.csv", w.failures_csv),
                ("_exceptions.csv", w.exceptions_csv)]

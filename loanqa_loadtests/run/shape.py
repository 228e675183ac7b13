"""The one LoadTestShape: replays the run's validated shape (`--shape`) over its duration.

Runs on the master only (Locust calls `tick` there); it also samples the user count for the charts.
"""

from __future__ import annotations

import time

from locust import LoadTestShape

from loanqa_loadtests.model.shape_config import CompressedShape
from loanqa_loadtests.run import runtime


class PeakShape(LoadTestShape):
    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._shape: CompressedShape | None = None

    def compressed(self) -> CompressedShape:
        if self._shape is None:
            opts = runtime.context(self.runner.environment).options  # type: ignore[union-attr]
            self._shape = CompressedShape(opts.shape, opts.duration_s, opts.users_scale)
        return self._shape

    def tick(self) -> tuple[int, float] | None:
        current = self.get_current_user_count()  # type: ignore[no-untyped-call]
        runtime.TALLY.users[int(time.time())] = current
        run_s = self.get_run_time()  # type: ignore[no-untyped-call]
        step = None if runtime.RUN.aborted_by else self.compressed().tick(run_s, current)
        if step is None and not runtime.RUN.aborted_by:
            runtime.RUN.completed = True
        return step

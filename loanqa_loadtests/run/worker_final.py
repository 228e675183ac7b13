"""With workers, the master writes the run only once every worker has handed in its final tally.

Locust's master quits 0.5 s after telling its workers to quit, while they still finish their graceful stop and
re-check their pending payouts (loanqa_loadtests.confirm): their last counts never reached summary.json (a 2-process
run reported 19 of 40 borrowers). So the master's `quit` here tells the workers to quit, then waits (within a
deadline) until each has sent what is left of its tally, once its users stopped and its payouts were
re-checked (`test_stop`; its event-log part is flushed line by line), and only then lets Locust finish:
`quit` writes the run and merges the event-log parts.
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from locust.runners import STATE_MISSING, MasterRunner

from loanqa_loadtests.output.tally import from_wire
from loanqa_loadtests.run import runtime
from loanqa_loadtests.run.confirm import RECHECK_BUDGET_S

FINAL = "loanqa_final"
STOP_NOW = "loanqa_stop_now"
FINAL_WAIT_S = RECHECK_BUDGET_S + 30.0  # after the grace: a worker's re-check, its lookups' timeouts, the message


class Finals:
    """The master's side: which workers owe a final tally, which have sent it."""

    def __init__(self, runner: MasterRunner) -> None:
        self.runner = runner
        self.owed: set[str] = set()
        self.got: set[str] = set()
        self._quitting = False
        runner.register_message(FINAL, self._received)
        locust_quit = runner.quit

        def quit_after_finals() -> None:
            if not self._quitting:
                self._quitting = True
                runner.stop(send_stop_to_client=False)  # as Locust's quit does: the workers stop on `quit`
                self.owed = {c.id for c in runner.clients.all if c.state != STATE_MISSING}  # a silent one never will
                for worker in self.owed:
                    runner.send_message("quit", None, worker)  # Locust's own message: stop, report, exit
                missing = self.wait((runner.environment.stop_timeout or 0) + FINAL_WAIT_S)
                if missing:
                    print(f"loanqa: {len(missing)} worker(s) sent no final tally in time; their last counts "
                          "are missing from the run")
            locust_quit()

        runner.quit = quit_after_finals  # type: ignore[method-assign]

    def stop_now(self) -> None:
        """Ctrl-C: the workers stop their users at once too (the grace is for the shape's end)."""
        for client in list(self.runner.clients.all):
            self.runner.send_message(STOP_NOW, None, client.id)

    def _received(self, environment: Any, msg: Any, **_: Any) -> None:
        runtime.TALLY.merge(from_wire(msg.data))
        self.got.add(msg.node_id)

    def wait(self, deadline_s: float) -> set[str]:
        """Until every worker that was running has reported; the ones that did not, after the deadline."""
        deadline = time.monotonic() + deadline_s
        while self.owed - self.got and time.monotonic() < deadline:
            gevent.sleep(0.1)
        return self.owed - self.got


def send_final(environment: Any) -> None:
    """The worker's side, after its users stopped and its pending payouts were settled."""
    environment.runner.send_message(FINAL, runtime.TALLY.drain())


def on_stop_now(environment: Any, msg: Any, **_: Any) -> None:
    environment.stop_timeout = 0

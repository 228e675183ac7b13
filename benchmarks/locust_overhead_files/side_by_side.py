"""Both users in one Locust process, equal numbers, same endpoint: they share CPU and moment alike.

`bare`: a plain FastHttpUser. `healthz`: the loanqa borrower machinery (route picked by network mix,
classified step with retries and the tap policy, StepFinished into the tally), with a new borrower (new profile pick,
new session) every JOURNEY requests, as a journey of ten steps would have.
"""

from __future__ import annotations

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

import loadtests.locustfile  # noqa: F401  (registers loanqa's arguments and tally wiring)
from loadtests.run.journey import BorrowerBase
from loanqa.journey_steps import StepDef

JOURNEY = 10
HEALTHZ = StepDef("healthz", "GET", "/healthz", False, "health", (0.0, 0.0))


class BareUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def bare(self) -> None:
        self.client.get("/healthz", name="bare")


class ProbeBorrower(BorrowerBase):
    wait_time = constant(0)

    def on_start(self) -> None:
        self._new_borrower()
        self.done = 0

    @task
    def healthz(self) -> None:
        self.send(HEALTHZ, None)  # the journey-step path, with the tap policy and the event log
        self.done += 1
        if self.done % JOURNEY == 0:
            self._new_borrower()

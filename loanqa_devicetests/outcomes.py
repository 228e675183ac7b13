"""Failed (a product defect, with its taxonomy cause) versus broken (the device lab's trouble).

allure-pytest reports an AssertionError as failed and any other exception as broken, so product
findings subclass AssertionError and lab trouble does not; both carry the `[cause] ` message prefix.
"""

from __future__ import annotations

from loanqa.allure_labels import CAUSE, cause_message
from loanqa.taxonomy import Cause


class DeviceFailure(AssertionError):
    """The product misbehaved on this device: compatibility, face or esign (or what the server said)."""

    def __init__(self, cause: Cause, device: str, text: str) -> None:
        self.cause, self.device, self.text = cause, device, text
        super().__init__(cause_message(cause, f"{device}: {text}"))


class InfrastructureError(Exception):
    """Device offline, Appium down, session not created: never counted against the product."""

    cause = Cause.INFRASTRUCTURE

    def __init__(self, device: str, text: str) -> None:
        self.device, self.text = device, text
        super().__init__(cause_message(Cause.INFRASTRUCTURE, f"{device}: {text}"))


def label_cause(cause: Cause) -> None:
    """Adds the `cause` label to the running Allure result (a no-op without --alluredir)."""
    from loanqa_devicetests.reporting import label

    label(CAUSE, cause.value)

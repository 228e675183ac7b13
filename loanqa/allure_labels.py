"""How loanqa marks its Allure results, so the gate and the report can read any producer's output.

Every loanqa producer (device suite, load SLOs) sets these labels; a failed or broken result's status
message starts with `[<cause>] ` so Allure categories (generated from the taxonomy) group it.
"""

from __future__ import annotations

from loanqa.taxonomy import Cause

KIND = "kind"  # "device" | "load"
DEVICE = "device"  # device name from the matrix
PLATFORM = "platform"  # "android" | "ios" | "web"
TIER = "tier"  # device tier from the matrix, e.g. "flagship", "mid", "entry"
CAUSE = "cause"  # taxonomy cause of a failed/broken result
NETWORK_PROFILE = "network_profile"
STEP = "journey_step"
# Standard allure-pytest labels also used: epic, feature, story, severity, suite, parentSuite, host, thread.


def cause_message(cause: Cause, text: str) -> str:
    return f"[{cause.value}] {text}"


def cause_from_message(message: str | None) -> Cause | None:
    if not message or not message.startswith("["):
        return None
    head = message[1:].split("]", 1)[0]
    try:
        return Cause(head)
    except ValueError:
        return None

"""How loanqa marks its Allure results, so the gate and the report can read any producer's output.

Every loanqa producer (device suite, load SLOs) sets these labels; a failed or broken result's status
message starts with `[<cause>] ` so Allure categories (generated from the taxonomy) group it.
"""

from __future__ import annotations

from loanqa.journey_steps import PAYOUT, PAYOUT_FEATURE, STEPS
from loanqa.taxonomy import Cause

KIND = "kind"  # "device" | "load"
DEVICE = "device"  # device name from the matrix
PLATFORM = "platform"  # "android" | "ios" | "web"
TIER = "tier"  # device tier from the matrix, e.g. "flagship", "mid", "entry"
CAUSE = "cause"  # taxonomy cause of a failed/broken result
NETWORK_PROFILE = "network_profile"
STEP = "journey_step"
RUN_ID = "run_id"  # the run that wrote the result: its manifest (`loanqa-run-<run_id>.json`) vouches for it
LOAN_ID = "loan_id"  # the loan a device journey created, as the target named it (find it with `loanqa explain`)
# Standard allure-pytest labels also used: epic, feature, story, severity, suite, parentSuite, host, thread.

# Feature names shared by every producer, so a gate policy's `critical.features` means the same thing for
# device flows and load SLOs.
EPIC_DEVICES = "Device compatibility"
EPIC_LOAD = "Holiday-peak load"
FEATURE_LOGIN = "Login"
FEATURE_IDENTITY = "Identity"
FEATURE_FACE = "Face recognition"
FEATURE_APPLY = "Loan application"
FEATURE_ESIGN = "E-sign"
FEATURE_DISBURSEMENT = "Disbursement"
FEATURE_LAYOUT = "Layout compatibility"
FEATURE_RELIABILITY = "Reliability"
FEATURES = (FEATURE_LOGIN, FEATURE_IDENTITY, FEATURE_FACE, FEATURE_APPLY, FEATURE_ESIGN, FEATURE_DISBURSEMENT,
            FEATURE_LAYOUT, FEATURE_RELIABILITY)

_STEP_FEATURES = {s.name: s.feature for s in STEPS} | {PAYOUT: PAYOUT_FEATURE}


def feature_for_step(step: str | None) -> str:
    """The product feature a journey step (or a run-wide metric, step None) belongs to."""
    return _STEP_FEATURES.get(step or "", FEATURE_RELIABILITY)


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

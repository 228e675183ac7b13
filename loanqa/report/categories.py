"""Allure categories generated from the taxonomy, so a report groups failures by why a loan was not paid.

Two forms of one list: `categories.json` (Allure 2 format, read from the results directory by Allure 2
and Allure 3's classic plugin) and allurerc `categories` matchers (Allure 3's awesome report), which
also match the `cause` label. Messages may carry an exception prefix ("AssertionError: [network] ...").
"""

from __future__ import annotations

from typing import Any

from loanqa.allure_labels import CAUSE
from loanqa.taxonomy import Cause, CauseClass

TITLES: dict[Cause, str] = {
    Cause.NETWORK: "Weak network (timeouts, resets, truncated bodies)",
    Cause.OVERLOAD: "Server overload (503/429, queue timeouts, latency past SLO)",
    Cause.COMPATIBILITY: "Device compatibility (missing element, layout, WebView/camera API)",
    Cause.SERVER_ERROR: "Server error (5xx, malformed responses)",
    Cause.CREDIT_REJECTED: "Business: credit rejected",
    Cause.FRAUD_FLAGGED: "Business: fraud flagged",
    Cause.MULTI_LENDING: "Business: multi-lending",
    Cause.IDENTITY: "Identity check (ID/name mismatch, unreadable document)",
    Cause.FACE: "Face recognition (liveness: no face, dark, angle, no blink)",
    Cause.ESIGN: "E-signing (stalled, rejected, duplicated)",
    Cause.INFRASTRUCTURE: "Test infrastructure (device offline, Appium down, session not created)",
}
_STATUSES = ["failed", "broken"]


def message_regex(cause: Cause) -> str:
    return rf"^(?:[\w.]+: )?\[{cause.value}\][\s\S]*"


def allure2_categories() -> list[dict[str, Any]]:
    """The `categories.json` list, one entry per cause, in taxonomy order."""
    return [{"name": TITLES[c], "matchedStatuses": _statuses(c), "messageRegex": message_regex(c),
             "description": f"cause `{c.value}` ({c.cause_class.value})"} for c in Cause]


def allure3_categories() -> list[dict[str, Any]]:
    """allurerc `categories`: the same groups, matching the `cause` label or the message prefix."""
    return [{"id": f"loanqa-{c.value}", "name": TITLES[c], "groupBy": _group_by(c),
             "matchers": [{"statuses": _statuses(c), "labels": {CAUSE: f"^{c.value}$"}},
                          {"statuses": _statuses(c), "message": message_regex(c)}]} for c in Cause]


def _statuses(cause: Cause) -> list[str]:
    # Business outcomes are expected answers: only a test that asserted otherwise fails on them.
    return ["failed"] if cause.cause_class is CauseClass.BUSINESS else list(_STATUSES)


def _group_by(cause: Cause) -> list[Any]:
    if cause in (Cause.NETWORK, Cause.OVERLOAD):
        return [{"label": "network_profile"}]
    return [{"label": "device"}] if cause.cause_class is not CauseClass.BUSINESS else []

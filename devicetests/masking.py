"""Credentials and borrower PII never reach an attachment or a log: everything passes through here."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PATTERNS = (
    (re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![\dA-Za-z])"), "<id-number>"),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "<phone>"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1<token>"),
    (re.compile(r'(?i)("(?:access_token|accessKey|access_key|password|sandbox_code)"\s*:\s*")[^"]*'), r"\1<secret>"),
    (re.compile(r"(?i)(://)[^/@\s:]+:[^/@\s]+@"), r"\1<credentials>@"),
)


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """Known secrets (names, keys) first, then anything shaped like a phone, ID number or token."""
    for secret in sorted({s for s in secrets if s and len(s) >= 2}, key=len, reverse=True):
        text = text.replace(secret, "<masked>")
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text

"""The one masking policy for every output loanqa writes: terminal, logs, CSVs, summaries, allure-results.

Borrower PII (phone, ID number, name) is masked by default because loanqa's artifacts are CI artifacts:
against a staging target with realistic data they would otherwise leak. `--show-pii` opts out for a
local debug run (`set_show_pii(True)`), and the choice is exported in the environment so the load and
device subprocesses the CLI starts follow it. Credentials are different: a registered secret (every
value the config loader took from a `${ENV}` placeholder) and the key part of `https://user:key@host`
are masked whatever `show_pii()` says, because no debug run needs them printed.

Digit patterns only match standalone runs: a phone- or ID-shaped run inside an internal id such as
`L_6fc1813812345678e3` stays as it is, so a loan can still be found by its id in a masked log.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote

SHOW_PII_ENV = "LOANQA_SHOW_PII"
SECRET_MASK = "****"
_MIN_SECRET_LEN = 4

# Standalone means: not glued to a letter, digit, underscore or decimal point on either side.
_BEFORE = r"(?<![0-9A-Za-z_.])"
_AFTER = r"(?![0-9A-Za-z_])"
_SEP = r"[ \-]?"
# An ID number as people type it: 18 characters, optionally grouped with spaces or hyphens.
_ID = re.compile(_BEFORE + r"(\d(?:" + _SEP + r"\d){16}" + _SEP + r"[\dXx])" + _AFTER)
# A mainland mobile number, optionally with +86/0086 and grouped as 3-4-4.
_PHONE = re.compile(_BEFORE + r"((?:(?:\+|00)86" + _SEP + r")?1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4})" + _AFTER)
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/@\s:]+:[^/@\s]+@")
_BEARER = re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=\-]+")
_SECRET_FIELD = re.compile(
    r"(?i)([\"']?\b(?:access_?key|accesskey|api_?key|password|passwd|secret|access_token|token|sandbox_code)"
    r"[\"']?\s*[:=]\s*[\"']?)(?!\$\{|\*{4})([^\"'\s,}&]+)"
)

_lock = threading.Lock()
_secrets: set[str] = set()
_known_pii: set[str] = set()


def show_pii() -> bool:
    """Whether borrower PII is shown unmasked (only after `--show-pii`; default masked)."""
    return os.environ.get(SHOW_PII_ENV, "") == "1"


def set_show_pii(value: bool) -> None:
    """Opt out of (or back into) PII masking for this process and the subprocesses it starts: the
    choice lives in the environment, which `loanqa run`'s load and device subprocesses inherit."""
    if value:
        os.environ[SHOW_PII_ENV] = "1"
    else:
        os.environ.pop(SHOW_PII_ENV, None)


def register_secret(value: str) -> None:
    """Mask `value` wherever it appears in text from now on; too-short values are ignored (they would
    mask ordinary words), and the URL-encoded form is registered too, as it appears inside URLs."""
    stripped = value.strip()
    if len(stripped) < _MIN_SECRET_LEN:
        return
    with _lock:
        _secrets.add(stripped)
        encoded = quote(stripped, safe="")
        if encoded != stripped:
            _secrets.add(encoded)


def register_pii(value: str) -> None:
    """Mask `value` (a borrower's name: no pattern recognises one) in every later `mask_text`, unless PII is
    shown. For processes that handle a few borrowers (a device run), not a load run's thousands."""
    stripped = value.strip()
    if len(stripped) >= 2:
        with _lock:
            _known_pii.add(stripped)


def registered_secrets_count() -> int:
    """How many secrets are registered (for diagnostics; the values themselves are never exposed)."""
    return len(_secrets)


def clear_secrets() -> None:
    """Forget every registered secret and PII value (tests; a long-lived process that reloads its config)."""
    with _lock:
        _secrets.clear()
        _known_pii.clear()


def mask_phone(phone: str) -> str:
    """`13812345678` → `138****5678`: enough to tell borrowers apart, not enough to call one."""
    if show_pii():
        return phone
    digits = _digits_tail(phone)
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(id_number: str) -> str:
    """`330106198704130564` → `330106********0564`: the region and the last four, never the birth date."""
    if show_pii():
        return id_number
    chars = re.sub(r"[\s\-]", "", id_number)
    if len(chars) < 10:
        return "*" * len(chars)
    return f"{chars[:6]}{'*' * (len(chars) - 10)}{chars[-4:]}"


def mask_name(name: str) -> str:
    """`王超` → `王*`, `John Smith` → `J*********`: the first character only, in any script."""
    if show_pii():
        return name
    clean = "".join(ch if ch.isprintable() else " " for ch in name.strip())
    if not clean:
        return ""
    return clean[0] + "*" * (len(clean) - 1) if len(clean) > 1 else "*"


def mask_text(text: str, known: Iterable[str] = ()) -> str:
    """Mask free text: registered secrets and URL credentials always; phone and ID-number patterns, the
    `known` values and registered PII (a borrower's name, which no pattern can recognise) unless PII is shown."""
    text = mask_secrets(text)
    if show_pii():
        return text
    with _lock:
        values = {v.strip() for v in known if v and v.strip()} | _known_pii
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, mask_name(value))
    text = _ID.sub(lambda m: mask_id_number(m[1]), text)
    return _PHONE.sub(lambda m: mask_phone(m[1]), text)


def mask_secrets(text: str) -> str:
    """Only the credential part of the policy (always on): registered secrets, URL user:key, bearer
    tokens and `accessKey`/`password`-style fields."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, SECRET_MASK)
    text = _URL_CREDENTIALS.sub(rf"\1{SECRET_MASK}@", text)
    text = _BEARER.sub(rf"\1{SECRET_MASK}", text)
    return _SECRET_FIELD.sub(lambda m: m[1] + SECRET_MASK, text)


def _digits_tail(phone: str) -> str:
    """The 11-digit national number inside a matched phone (without +86 and separators)."""
    return re.sub(r"\D", "", phone)[-11:]


class MaskedText(io.TextIOBase):
    """A terminal stream whose every write is masked: the CLI installs it on stdout and stderr, so no command
    (a target URL with `user:key@`, an error quoting a phone) can print around the policy."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(mask_text(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")


def appium_log_filters() -> list[dict[str, str]]:
    """This policy for a process loanqa cannot mask itself: Appium's `--log-filters` rules (JavaScript regex).

    Appium logs every proxied WebDriver body, so what a test types (phone, name, ID number) would reach its
    log file verbatim. Typed text and its per-character value array are replaced whole; phones, ID numbers
    and Chinese text (names, and the page text around them) are masked; credential fields always.
    """
    rules = [{"pattern": r'("(?:accessKey|access_key|password|sandbox_code|access_token)"\s*:\s*")[^"]*"',
              "replacer": '$1****"'}]
    if show_pii():
        return rules
    return [*rules,
            {"pattern": r'("text"\s*:\s*")(?:[^"\\]|\\.)*"', "replacer": '$1****"'},
            {"pattern": r'("value"\s*:\s*\[)(?:\s*"(?:[^"\\]|\\.)*"\s*,?)+\]', "replacer": '$1"****"]'},
            {"pattern": r"(?<![0-9A-Za-z_.])\d(?:[ \-]?\d){16}[ \-]?[\dXx](?![0-9A-Za-z_])",
             "replacer": "<id-number>"},
            {"pattern": r"(?<![0-9A-Za-z_.])1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}(?![0-9A-Za-z_])", "replacer": "<phone>"},
            {"pattern": r"[\u4e00-\u9fff]+", "replacer": "<cjk>"}]

"""What one attempt got, read from geventhttpclient's response: an answer with its evidence, or no answer."""

from __future__ import annotations

from typing import Any

import orjson

from loanqa.attribution import Attempt, error_body, reasons_of, retry_after


def header(resp: Any, name: str) -> str | None:
    headers = getattr(resp, "headers", None)
    return headers.get(name) if headers else None


_BOM = b"\xef\xbb\xbf"
# Most attempts are a plain answer: one Attempt per (status, replayed, step), made once. An Attempt is a value,
# never changed once made, and building one (its cause judged in __post_init__) was three Python calls per request.
_ANSWERED: dict[tuple[int, bool, str], Attempt] = {}
_ANSWERED_MAX = 512  # statuses x steps of a real contract are far fewer; a target inventing statuses is not cached


def read(resp: Any, step: str, *, keyed: bool = True) -> tuple[Attempt, dict[str, Any]]:
    """Status, code, reasons, Retry-After and `Idempotent-Replayed` (looked for only when the request was `keyed`
    with an Idempotency-Key: nothing else can be a replay, and status checks are most of the requests); a cut-off
    body is no answer.

    The body is UTF-8 JSON (RFC 8259), decoded with orjson: one decode per request, and json's took 2.3 us of a
    15-byte answer, orjson's 0.2. orjson is stricter where the RFC is (NaN, invalid UTF-8: malformed); a BOM is
    tolerated, as json.loads(bytes) does."""
    status = resp.status_code
    if not status:  # no answer at all: refused, reset, timed out
        err = getattr(resp, "error", None)
        return Attempt(None, error=f"{type(err).__name__}: {err}", step=step), {}
    try:
        content = resp.content
    except Exception as exc:  # a body cut off mid-way by the link
        return Attempt(None, error=f"{type(exc).__name__}: {exc}", step=step), {}
    replayed = keyed and (header(resp, "Idempotent-Replayed") or "").lower() == "true"
    if status >= 400:
        body = error_body(content)
        code = body.get("code") if isinstance(body.get("code"), str) else None
        wait = retry_after(header(resp, "Retry-After"))
        return Attempt(status, code, retry_after_s=wait, replayed=replayed, reasons=reasons_of(body),
                       step=step), body
    if not content:
        return _ANSWERED.get((status, replayed, step)) or _remember(status, replayed, step), {}
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError:
        data = _with_bom(content)
    if type(data) is not dict:  # orjson makes exact dicts; anything else is not the contract's answer
        return Attempt(status, malformed=True, step=step), {}
    return _ANSWERED.get((status, replayed, step)) or _remember(status, replayed, step), data


def _with_bom(content: bytes) -> Any:
    """A body that did not decode: tolerated if a BOM was all that stood in the way (as json.loads(bytes) does),
    else not an answer. Looked for only here, not on every answer."""
    if content.startswith(_BOM):
        try:
            return orjson.loads(content[3:])
        except orjson.JSONDecodeError:
            pass
    return None


def _remember(status: int, replayed: bool, step: str) -> Attempt:
    """A plain answer not seen before: its Attempt, kept for the next time (looked up inline: a call is 10 % of
    `read`)."""
    attempt = Attempt(status, replayed=replayed, step=step)
    if len(_ANSWERED) < _ANSWERED_MAX:
        _ANSWERED[(status, replayed, step)] = attempt
    return attempt

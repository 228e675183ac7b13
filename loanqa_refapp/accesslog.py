"""Request ids and the access log: one structured record of every answer refapp gives.

The target's own record of a stalled e-sign, a shed request or a server error must exist even when the
handler never finished, so this is the outermost pure-ASGI layer: it sees admission control's 503s, and an
exception that escapes every handler (answered 500 by Starlette outside it) is logged as 500 `INTERNAL`.

An incoming `X-Request-Id` is honoured when it is a plain token (1..128 of `A-Za-z0-9._:-`), so a caller
can follow its request through the target; anything else is replaced, never echoed.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from loanqa_refapp.pii import FIELDS

log = logging.getLogger("refapp.access")
_RID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")
_BODY_LIMIT = 64 * 1024


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.prefix = f"{os.getpid():x}"
        self.counter = itertools.count(1)

    def _request_id(self, scope: Scope) -> bytes:
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        if incoming is not None and _RID.match(incoming):
            return bytes(incoming)
        return f"{self.prefix}-{next(self.counter):x}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = self._request_id(scope)
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 0, "json": False, "body": bytearray()}

        async def send_logged(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid)]
                seen["status"] = int(message["status"])
                seen["json"] = any(k.lower() == b"content-type" and v.startswith(b"application/json")
                                   for k, v in message["headers"])
            elif message["type"] == "http.response.body" and seen["json"]:
                body: bytearray = seen["body"]
                if len(body) < _BODY_LIMIT:
                    body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        except Exception:
            if not seen["status"]:
                seen["status"], seen["body"] = 500, bytearray(b'{"code": "INTERNAL"}')
            raise
        finally:
            log.info("answer", extra={FIELDS: _fields(scope, rid, seen, time.perf_counter() - started)})


def _fields(scope: Scope, rid: bytes, seen: dict[str, Any], elapsed_s: float) -> dict[str, Any]:
    body = _json(bytes(seen["body"])) if seen["body"] else {}
    route = scope.get("route")
    params = scope.get("path_params") or {}
    state = scope.get("state") or {}
    return {
        "request_id": rid.decode(),
        "method": scope.get("method", ""),
        "route": getattr(route, "path", None) or scope.get("path", ""),
        "status": seen["status"],
        "code": body.get("code") if isinstance(body.get("code"), str) else None,
        "borrower_id": state.get("borrower_id") or body.get("borrower_id"),
        "loan_id": params.get("loan_id") or (body.get("loan_id") if isinstance(body.get("loan_id"), str) else None),
        "duration_ms": round(elapsed_s * 1000, 1),
    }


def _json(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}

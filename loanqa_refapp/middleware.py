"""Pure ASGI middleware: admission control (request ids and the access log are in `accesslog`).

Admission control must stay cheap under overload, or shedding load costs as much as serving it: it
answers from pre-built bytes without touching routing, validation or the database.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from loanqa_refapp.state import AppState

_OVERLOADED = json.dumps({"code": "OVERLOADED", "message": "too many requests in flight",
                          "hint": "系统繁忙，请稍后再试"}, ensure_ascii=False).encode()


class AdmissionControl:
    """More than `max_inflight` requests on /v1/ (admin excepted, so operators can still look): 503 at once."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/") or path.startswith("/v1/admin/"):
            await self.app(scope, receive, send)
            return
        st = self.state
        if st.inflight >= st.settings.max_inflight:
            st.shed += 1
            await _shed(send, st.settings.retry_after_s)
            return
        st.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            st.inflight -= 1


async def _shed(send: Send, retry_after_s: int) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(_OVERLOADED)).encode()),
               (b"retry-after", str(retry_after_s).encode())]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": _OVERLOADED})

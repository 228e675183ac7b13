"""A reverse proxy with a deadline, as an nginx or API gateway in front of a lending service behaves.

When the service behind it answers too slowly, the gateway gives up and answers a bare `504 Gateway Time-out`
HTML page: no contract error code, no Retry-After. Real sockets, real uvicorn; started and stopped by tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from loanqa.ports import free_port

TIMEOUT_PAGE = "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out" \
               "</h1></center><hr><center>nginx</center></body></html>"
_HOP = {"host", "content-length", "connection", "transfer-encoding"}


def _app(upstream: str, deadline_s: float) -> Starlette:
    async def forward(request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        async with httpx.AsyncClient(base_url=upstream, timeout=deadline_s) as client:
            try:
                answer = await client.request(request.method, request.url.path, content=await request.body(),
                                              headers=headers, params=request.query_params)
            except httpx.TimeoutException:
                return HTMLResponse(TIMEOUT_PAGE, status_code=504)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP | {"content-encoding"}}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    methods = ["GET", "POST", "PUT", "DELETE"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


@contextmanager
def gateway(upstream: str, deadline_s: float) -> Iterator[str]:
    """Serve the gateway on a free loopback port until the block ends; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_app(upstream, deadline_s), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "gateway did not start"
        time.sleep(0.02)  # polling uvicorn's own readiness flag
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)

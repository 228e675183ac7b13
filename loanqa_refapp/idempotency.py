"""Idempotency-Key handling: the first answer for (borrower, key) is stored and replayed.

Concurrent retries of a key in flight wait for the first attempt instead of racing it; the database keeps
answers across restarts. Server-side failures (5xx) are not stored, so a later retry tries again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.responses import JSONResponse

from loanqa_refapp.apierror import ApiError, bad_request
from loanqa_refapp.state import Answer, AppState

Produce = Callable[[], Awaitable[Answer]]
REPLAYED = {"Idempotent-Replayed": "true"}


def require_key(key: str | None) -> str:
    if key is None or not 1 <= len(key) <= 128:
        raise bad_request("Idempotency-Key header (1..128 characters) is required")
    return key


async def idempotent(st: AppState, borrower_id: str, scope: str, key: str | None, produce: Produce) -> JSONResponse:
    """Run `produce` once per (borrower, scope, key); without a key, just run it."""
    if key is None:
        return _response(await _attempt(produce), {})
    slot = f"{scope}:{key}"
    stored = st.store.replay(borrower_id, slot)
    if stored is not None:
        return JSONResponse(stored[1], status_code=stored[0], headers=REPLAYED)
    waiting = st.pending.get((borrower_id, slot))
    if waiting is not None:
        return _response(await asyncio.shield(waiting), REPLAYED)
    future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
    st.pending[(borrower_id, slot)] = future
    try:
        answer = await _attempt(produce)
        if answer[0] < 500:
            st.store.remember(borrower_id, slot, answer[0], answer[1])
    except BaseException:
        future.set_result(_internal())
        raise
    finally:
        del st.pending[(borrower_id, slot)]
    future.set_result(answer)
    return _response(answer, {})


def _internal() -> Answer:
    return 500, ApiError(500, "INTERNAL", "first attempt of this Idempotency-Key failed").body(), {}


async def _attempt(produce: Produce) -> Answer:
    try:
        return await produce()
    except ApiError as err:
        return err.status, err.body(), err.headers


def _response(answer: Answer, extra: dict[str, str]) -> JSONResponse:
    status, body, headers = answer
    return JSONResponse(body, status_code=status, headers={**headers, **extra})

"""Everything one refapp process holds, created once and reached from handlers via `request.app.state`."""

from __future__ import annotations

import asyncio
import secrets
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from loanqa_refapp.auth import Auth
from loanqa_refapp.settings import Settings
from loanqa_refapp.store import Store

if TYPE_CHECKING:
    from loanqa_refapp.disbursement import Disburser

Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass
class AppState:
    settings: Settings
    store: Store
    auth: Auth = field(init=False)
    inflight: int = 0
    shed: int = 0
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    pending: dict[tuple[str, str], asyncio.Future[Answer]] = field(default_factory=dict)
    disburser: Disburser | None = None
    borrower_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary)

    def __post_init__(self) -> None:
        self.auth = Auth(self.store)

    def borrower_lock(self, borrower_id: str) -> asyncio.Lock:
        """One lock per borrower while anyone holds or waits for it: a borrower's applications are decided
        one after another, so the duplicate and velocity counts each decision reads include the previous one."""
        lock = self.borrower_locks.get(borrower_id)
        if lock is None:
            lock = asyncio.Lock()
            self.borrower_locks[borrower_id] = lock
        return lock


def app_state(request: Request) -> AppState:
    st: AppState = request.app.state.refapp
    return st


def current_borrower(request: Request) -> str:
    borrower_id = app_state(request).auth.borrower_for(request.headers.get("authorization"))
    request.state.borrower_id = borrower_id  # for the access log
    return borrower_id


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"

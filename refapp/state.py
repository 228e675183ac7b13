"""Everything one refapp process holds, created once and reached from handlers via `request.app.state`."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from refapp.auth import Auth
from refapp.settings import Settings
from refapp.store import Store

if TYPE_CHECKING:
    from refapp.disbursement import Disburser

Answer = tuple[int, dict[str, Any], dict[str, str]]


@dataclass
class AppState:
    settings: Settings
    store: Store
    auth: Auth = field(default_factory=Auth)
    inflight: int = 0
    shed: int = 0
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    pending: dict[tuple[str, str], asyncio.Future[Answer]] = field(default_factory=dict)
    disburser: Disburser | None = None


def app_state(request: Request) -> AppState:
    st: AppState = request.app.state.refapp
    return st


def current_borrower(request: Request) -> str:
    return app_state(request).auth.borrower_for(request.headers.get("authorization"))


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"

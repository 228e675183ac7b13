"""Shared dependencies: the process state and the authenticated borrower."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from loanqa_refapp.state import AppState, app_state, current_borrower

St = Annotated[AppState, Depends(app_state)]
BorrowerId = Annotated[str, Depends(current_borrower)]
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key")]

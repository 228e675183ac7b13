"""The contract's error body, raised anywhere in a handler and rendered in one place."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An answer the contract defines: status, code, engineer message, borrower hint (Chinese)."""

    def __init__(self, status: int, code: str, message: str, *, hint: str | None = None,
                 reasons: list[str] | None = None, loan_id: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.hint, self.reasons, self.loan_id = hint, reasons, loan_id
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint is not None:
            out["hint"] = self.hint
        if self.reasons is not None:
            out["reasons"] = self.reasons
        if self.loan_id is not None:
            out["loan_id"] = self.loan_id
        return out

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def not_found(what: str = "loan") -> ApiError:
    return ApiError(404, "NOT_FOUND", f"{what} not found")


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BAD_REQUEST", message)

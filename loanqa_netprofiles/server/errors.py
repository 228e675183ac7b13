"""API errors as Toxiproxy words them, so clients matching on text or status keep working."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def not_found(what: str) -> ApiError:
    return ApiError(f"{what} not found", 404)


def exists(what: str) -> ApiError:
    return ApiError(f"{what} already exists", 409)


def bad_body(detail: str = "") -> ApiError:
    """Go's joinError(err, ErrBadRequestBody): `bad request body: <err>`."""
    return ApiError(f"bad request body: {detail}" if detail else "bad request body", 400)


INVALID_STREAM = "stream was invalid, can be either upstream or downstream"

"""A small HTTP/1.1 server on asyncio streams: keep-alive, Content-Length and chunked bodies.

Hand-written so the wire matches Go's net/http where clients notice: status reasons, a Date
header, no Content-Length on 204, and `404 page not found` for unknown routes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus

MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024
JSON = "application/json"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: str = ""


@dataclass(frozen=True)
class Response:
    """`headers` are the handler's (written sorted by name, as Go does), then Date and Content-Length."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: bool = True


Handler = Callable[[Request], Awaitable[Response]]


class BadRequest(Exception):
    pass


async def serve_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                           handler: Handler) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, OSError):
        try:
            while True:
                request = await read_request(reader, writer)
                if request is None:
                    break
                response = await handler(request)
                keep = _keep_alive(request)
                writer.write(encode(response, close=not keep and request.headers["_version"] != "HTTP/1.0"))
                await writer.drain()
                if not keep:
                    break
        except (BadRequest, asyncio.LimitOverrunError, ValueError):
            writer.write(encode(Response(400, b"400 Bad Request", {"Content-Type": TEXT}), close=True))
    writer.close()


async def read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise BadRequest from None
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest
    headers = {"_version": parts[2]}
    for line in lines[1:]:
        if line:
            key, sep, value = line.partition(":")
            if not sep:
                raise BadRequest
            headers[key.strip().lower()] = value.strip()
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # curl waits a second for this otherwise
    body = await _read_body(reader, headers)
    path, _, query = parts[1].partition("?")
    return Request(parts[0], path, headers, body, query)


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        out = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return bytes(out)
            out += await reader.readexactly(size + 2)
            del out[-2:]
            if len(out) > MAX_BODY:
                raise BadRequest
    length = int(headers.get("content-length", "0") or 0)
    if length < 0 or length > MAX_BODY:
        raise BadRequest
    return await reader.readexactly(length) if length else b""


def _keep_alive(request: Request) -> bool:
    conn = request.headers.get("connection", "").lower()
    if request.headers["_version"] == "HTTP/1.0":
        return conn == "keep-alive"
    return conn != "close"


def encode(response: Response, *, close: bool = False) -> bytes:
    reason = HTTPStatus(response.status).phrase
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    lines += [f"{k}: {response.headers[k]}" for k in sorted(response.headers)]
    lines.append(f"Date: {formatdate(usegmt=True)}")
    if response.status != 204 and response.length:
        lines.append(f"Content-Length: {len(response.body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body

"""Toxiproxy's HTTP API (v2) over the registry: routes, status codes and JSON as upstream writes them."""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from netprofiles.server import bodies
from netprofiles.server.errors import ApiError, bad_body
from netprofiles.server.http import JSON, TEXT, Request, Response
from netprofiles.server.state import Registry

VERSION = "2.12.0"

Route = Callable[["Api", Request, list[str]], Awaitable[Response]]


def ok(status: int, data: Any) -> Response:
    return Response(status, json.dumps(data, separators=(",", ":")).encode(), JSON)


NOSNIFF = {"X-Content-Type-Options": "nosniff"}


def error(err: ApiError) -> Response:
    """As Go's http.Error writes it: text/plain label, nosniff, trailing newline."""
    body = json.dumps({"error": err.message, "status": err.status}, separators=(",", ":"))
    return Response(err.status, body.encode() + b"\n", TEXT, NOSNIFF)


class Api:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    async def handle(self, request: Request) -> Response:
        if request.headers.get("user-agent", "").startswith("Mozilla/"):
            return Response(403, b"User agent not allowed\n", TEXT, NOSNIFF)
        found = _match(request.path)
        if found is None:
            return Response(404, b"404 page not found\n", TEXT)
        methods, args = found
        route = methods.get(request.method)
        if route is None:
            return Response(405)
        try:
            async with self.registry.lock:
                return await route(self, request, args)
        except ApiError as err:
            return error(err)
        except Exception as exc:  # a bug must answer 500, not drop the client's connection
            traceback.print_exc()
            return error(ApiError(f"internal error: {exc}", 500))

    async def version(self, request: Request, args: list[str]) -> Response:
        return Response(200, b'{"version": "' + VERSION.encode() + b'"}\n', "application/json;charset=utf-8")

    async def reset(self, request: Request, args: list[str]) -> Response:
        await self.registry.reset()
        return Response(204)

    async def populate(self, request: Request, args: list[str]) -> Response:
        done, err = await self.registry.populate(bodies.parse_json(request.body))
        proxies = [p.to_json() for p in done] or None
        if err is not None:
            return ok(err.status, {"error": err.message, "status": err.status, "proxies": proxies})
        return ok(201, {"proxies": proxies})

    async def list_proxies(self, request: Request, args: list[str]) -> Response:
        return ok(200, {name: p.to_json() for name, p in self.registry.proxies.items()})

    async def create_proxy(self, request: Request, args: list[str]) -> Response:
        fields = bodies.new_proxy_fields(bodies.parse_json(request.body))
        return ok(201, (await self.registry.create(fields)).to_json())

    async def get_proxy(self, request: Request, args: list[str]) -> Response:
        return ok(200, self.registry.get(args[0]).to_json())

    async def update_proxy(self, request: Request, args: list[str]) -> Response:
        proxy = self.registry.get(args[0])
        await self.registry.update(proxy, bodies.proxy_fields(bodies.parse_json(request.body)))
        return ok(200, proxy.to_json())

    async def delete_proxy(self, request: Request, args: list[str]) -> Response:
        self.registry.delete(args[0])
        return Response(204)

    async def list_toxics(self, request: Request, args: list[str]) -> Response:
        return ok(200, self.registry.get(args[0]).toxics_json())

    async def create_toxic(self, request: Request, args: list[str]) -> Response:
        proxy = self.registry.get(args[0])
        toxic = bodies.new_toxic(bodies.parse_json(request.body))
        proxy.add_toxic(toxic)
        return ok(200, toxic.to_json())

    async def get_toxic(self, request: Request, args: list[str]) -> Response:
        return ok(200, self.registry.get(args[0]).toxic(args[1]).to_json())

    async def update_toxic(self, request: Request, args: list[str]) -> Response:
        """Merges attributes and toxicity; name, type and stream in the body are ignored."""
        proxy = self.registry.get(args[0])
        toxic = proxy.toxic(args[1])
        data = bodies.parse_json(request.body)
        if not isinstance(data, dict):
            raise bad_body()
        toxic.attributes = bodies.merged_attributes(toxic.type, toxic.attributes, data.get("attributes"))
        if "toxicity" in data:
            toxic.toxicity = bodies.toxicity(data["toxicity"])
        proxy.changed_toxic()
        return ok(200, toxic.to_json())

    async def delete_toxic(self, request: Request, args: list[str]) -> Response:
        self.registry.get(args[0]).remove_toxic(args[1])
        return Response(204)


ROUTES: list[tuple[re.Pattern[str], dict[str, Route]]] = [
    (re.compile(r"/version"), {"GET": Api.version}),
    (re.compile(r"/reset"), {"POST": Api.reset}),
    (re.compile(r"/populate"), {"POST": Api.populate}),
    (re.compile(r"/proxies"), {"GET": Api.list_proxies, "POST": Api.create_proxy}),
    (re.compile(r"/proxies/([^/]+)"), {"GET": Api.get_proxy, "POST": Api.update_proxy,
                                       "PATCH": Api.update_proxy, "DELETE": Api.delete_proxy}),
    (re.compile(r"/proxies/([^/]+)/toxics"), {"GET": Api.list_toxics, "POST": Api.create_toxic}),
    (re.compile(r"/proxies/([^/]+)/toxics/([^/]+)"), {"GET": Api.get_toxic, "POST": Api.update_toxic,
                                                      "PATCH": Api.update_toxic,
                                                      "DELETE": Api.delete_toxic}),
]


def _match(path: str) -> tuple[dict[str, Route], list[str]] | None:
    for pattern, methods in ROUTES:
        m = pattern.fullmatch(path)
        if m:
            return methods, [unquote(g) for g in m.groups()]
    return None

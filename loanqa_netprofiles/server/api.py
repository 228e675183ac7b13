"""Toxiproxy's HTTP API (v2) over the registry: routes, middleware, status codes and bodies as 2.12.0 writes them.

Order as in toxiproxy's gorilla/mux router: unclean paths redirect (301), unknown routes are 404 and a
wrong method 405 (neither gets a request id); matched routes get `X-Toxiproxy-Request-Id`, then
browsers are refused (403), then the handler runs.
"""

from __future__ import annotations

import posixpath
import re
import traceback
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from loanqa_netprofiles.server import bodies, gojson
from loanqa_netprofiles.server.errors import INVALID_STREAM, ApiError, bad_body
from loanqa_netprofiles.server.http import JSON, TEXT, Request, Response
from loanqa_netprofiles.server.proxy import DIRECTIONS
from loanqa_netprofiles.server.state import ProxyInput, Registry
from loanqa_netprofiles.server.toxics import BEHAVIOURS
from loanqa_netprofiles.server.toxics.base import Toxic
from loanqa_netprofiles.server.xid import new_id

VERSION = "2.12.0"
NOSNIFF = "nosniff"

Route = Callable[["Api", Request, list[str]], Awaitable[Response]]


def ok(status: int, data: Any, headers: dict[str, str]) -> Response:
    return Response(status, gojson.dumps(data).encode(), {**headers, "Content-Type": JSON})


def plain_error(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    """As Go's http.Error writes it: text/plain label, nosniff, trailing newline."""
    return Response(status, text.encode() + b"\n",
                    {**(headers or {}), "Content-Type": TEXT, "X-Content-Type-Options": NOSNIFF})


def error(err: ApiError, headers: dict[str, str]) -> Response:
    return plain_error(err.status, gojson.dumps({"error": err.message, "status": err.status}), headers)


def clean_path(path: str) -> str:
    """gorilla/mux's cleanPath: path.Clean, keeping a trailing slash."""
    if path == "":
        return "/"
    if not path.startswith("/"):
        path = "/" + path
    cleaned = posixpath.normpath(path)
    cleaned = "/" + cleaned.lstrip("/")
    if path.endswith("/") and cleaned != "/":
        cleaned += "/"
    return cleaned


class Api:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    async def handle(self, request: Request) -> Response:
        path = unquote(request.path)
        cleaned = clean_path(path)
        if cleaned != path and request.method != "CONNECT":
            location = cleaned + (f"?{request.query}" if request.query else "")
            return Response(301, b"", {"Location": location})
        found = _match(path)
        if found is None:
            return plain_error(404, "404 page not found")
        methods, args = found
        route = methods.get(request.method)
        if route is None:
            return Response(405, b"", {}, length=request.method != "HEAD")
        headers = {"X-Toxiproxy-Request-Id": new_id()}
        if request.headers.get("user-agent", "").startswith("Mozilla/"):
            return plain_error(403, "User agent not allowed", headers)
        try:
            async with self.registry.lock:
                response = await route(self, request, args)
        except ApiError as err:
            return error(err, headers)
        except Exception as exc:  # a bug must answer 500, not drop the client's connection
            traceback.print_exc()
            return error(ApiError(f"internal error: {exc}", 500), headers)
        return Response(response.status, response.body, {**headers, **response.headers}, response.length)

    async def version(self, request: Request, args: list[str]) -> Response:
        body = b'{"version": "' + VERSION.encode() + b'"}\n'
        return Response(200, body, {"Content-Type": "application/json;charset=utf-8"})

    async def reset(self, request: Request, args: list[str]) -> Response:
        await self.registry.reset()
        return Response(204)

    async def populate(self, request: Request, args: list[str]) -> Response:
        """Errors here are JSON (application/json) with the proxies done so far, as upstream answers them."""
        done: list[Any] = []
        try:
            items = bodies.read(request.body, bodies.POPULATE, None) or []
            wanted = []
            for i, item in enumerate(items, start=1):
                if not item.get("name"):
                    raise bodies.missing(f"name at proxy {i}")
                if not item.get("upstream"):
                    raise bodies.missing(f"upstream at proxy {i}")
                enabled = item.get("enabled")
                wanted.append(ProxyInput(item["name"], item.get("listen") or "", item["upstream"],
                                         True if enabled is None else enabled))
            done, err = await self.registry.populate(wanted)
        except ApiError as exc:
            err = exc
        proxies = [p.to_json() for p in done] or None
        if err is not None:
            return ok(err.status, {"error": err.message, "status": err.status, "proxies": proxies}, {})
        return ok(201, {"proxies": proxies}, {})

    async def list_proxies(self, request: Request, args: list[str]) -> Response:
        return ok(200, gojson.SortedMap({p.name: p.to_json() for p in self.registry.sorted()}), {})

    async def create_proxy(self, request: Request, args: list[str]) -> Response:
        data = bodies.read(request.body, bodies.PROXY, {"enabled": True})
        if not data.get("name"):
            raise bodies.missing("name")
        if not data.get("upstream"):
            raise bodies.missing("upstream")
        wanted = ProxyInput(data["name"], data.get("listen") or "", data["upstream"], data["enabled"])
        return ok(201, (await self.registry.create(wanted)).to_json(), {})

    async def get_proxy(self, request: Request, args: list[str]) -> Response:
        return ok(200, self.registry.get(args[0]).to_json(), {})

    async def update_proxy(self, request: Request, args: list[str]) -> Response:
        proxy = self.registry.get(args[0])
        current = {"listen": proxy.listen, "upstream": proxy.upstream, "enabled": proxy.enabled}
        data = bodies.read(request.body, bodies.PROXY, current)
        await self.registry.update(proxy, ProxyInput(proxy.name, data["listen"], data["upstream"], data["enabled"]))
        return ok(200, proxy.to_json(), {})

    async def delete_proxy(self, request: Request, args: list[str]) -> Response:
        self.registry.delete(args[0])
        return Response(204)

    async def list_toxics(self, request: Request, args: list[str]) -> Response:
        return ok(200, self.registry.get(args[0]).toxics_json(), {})

    async def create_toxic(self, request: Request, args: list[str]) -> Response:
        """Checks in upstream's order: body, stream, type, name taken, then the typed attributes."""
        proxy = self.registry.get(args[0])
        node = bodies.parse(request.body)
        first = bodies.decode(node, bodies.WRAPPER, {"stream": "downstream", "toxicity": 1.0, "name": "",
                                                      "type": ""})
        stream, kind = first["stream"], first["type"]
        if stream.lower() not in DIRECTIONS:
            raise ApiError(INVALID_STREAM, 400)
        name = first["name"] or f"{kind}_{stream}"
        if kind not in BEHAVIOURS or kind not in bodies.TOXIC_STRUCTS:
            raise ApiError("invalid toxic type", 400)
        if proxy.has_toxic(name):
            raise ApiError("toxic already exists", 409)
        defaults = dict.fromkeys(bodies.TOXIC_STRUCTS[kind].fields, 0)
        attrs = bodies.decode(node, bodies.attributes_create(kind), {"attributes": defaults})["attributes"]
        toxic = Toxic(name, kind, stream, first["toxicity"], attrs)
        proxy.add_toxic(toxic)
        return ok(200, toxic.to_json(), {})

    async def get_toxic(self, request: Request, args: list[str]) -> Response:
        return ok(200, self.registry.get(args[0]).toxic(args[1]).to_json(), {})

    async def update_toxic(self, request: Request, args: list[str]) -> Response:
        """Attributes are decoded in place (a bad field still leaves the good ones set, as upstream does);
        toxicity changes only when the whole body decoded; name, type and stream cannot change."""
        proxy = self.registry.get(args[0])
        toxic = proxy.toxic(args[1])
        node = bodies.parse(request.body)
        current = {"attributes": dict(toxic.attributes), "toxicity": toxic.toxicity}
        value, err = gojson.decode(node, bodies.attributes_update(toxic.type), current)
        toxic.attributes = value["attributes"] if value.get("attributes") is not None else toxic.attributes
        if err is None:
            toxic.toxicity = value["toxicity"]
        proxy.changed_toxic()
        if err is not None:
            raise bad_body(err)
        return ok(200, toxic.to_json(), {})

    async def delete_toxic(self, request: Request, args: list[str]) -> Response:
        self.registry.get(args[0]).remove_toxic(args[1])
        return Response(204)


ROUTES: list[tuple[re.Pattern[str], dict[str, Route]]] = [
    (re.compile(r"/reset"), {"POST": Api.reset}),
    (re.compile(r"/proxies"), {"GET": Api.list_proxies, "POST": Api.create_proxy}),
    (re.compile(r"/populate"), {"POST": Api.populate}),
    (re.compile(r"/proxies/([^/]+)"), {"GET": Api.get_proxy, "POST": Api.update_proxy,
                                       "PATCH": Api.update_proxy, "DELETE": Api.delete_proxy}),
    (re.compile(r"/proxies/([^/]+)/toxics"), {"GET": Api.list_toxics, "POST": Api.create_toxic}),
    (re.compile(r"/proxies/([^/]+)/toxics/([^/]+)"), {"GET": Api.get_toxic, "POST": Api.update_toxic,
                                                      "PATCH": Api.update_toxic,
                                                      "DELETE": Api.delete_toxic}),
    (re.compile(r"/version"), {"GET": Api.version}),
]


def _match(path: str) -> tuple[dict[str, Route], list[str]] | None:
    for pattern, methods in ROUTES:
        m = pattern.fullmatch(path)
        if m:
            return methods, list(m.groups())
    return None

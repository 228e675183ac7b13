"""The one module that touches `toxiproxy-python`; everything else sees typed results and LoanQA errors.

The library's quirks absorbed here: its API address is a class attribute (so calls are serialised
under a lock while it points at our server), it sets no timeouts (we pass one through), it raises only
on 400/404/409 with the raw body (we read the status ourselves and map every failure), `add_toxic`
returns None, `destroy("name")` deletes nothing, and `populate` never calls /populate (we do).
"""

from __future__ import annotations

import ipaddress
import json
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from loanqa.errors import ComponentError

_LOCK = threading.Lock()


class ToxiproxyError(ComponentError):
    """Toxiproxy refused a request or could not be reached; the message says which and why."""


class ProxyExistsError(ToxiproxyError):
    pass


class ServerGoneError(ToxiproxyError):
    """Nothing listens at a loopback API address any more: the server process is gone, and with it every proxy
    it held (Toxiproxy keeps proxies in memory only). Elsewhere a refusal proves less (a Service with no ready
    pod refuses too), so it stays a plain `ToxiproxyError`."""


class NotFoundError(ToxiproxyError):
    pass


@dataclass(frozen=True)
class ToxicInfo:
    type: str
    attributes: dict[str, int]
    stream: str = "downstream"
    toxicity: float = 1.0
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name or f"{self.type}_{self.stream}", "type": self.type,
                "stream": self.stream, "toxicity": self.toxicity, "attributes": self.attributes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ToxicInfo:
        return cls(data["type"], dict(data.get("attributes") or {}), data.get("stream", "downstream"),
                   float(data.get("toxicity", 1.0)), data["name"])


@dataclass(frozen=True)
class ProxyInfo:
    name: str
    listen: str
    upstream: str
    enabled: bool
    toxics: list[ToxicInfo] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProxyInfo:
        return cls(data["name"], data["listen"], data["upstream"], bool(data["enabled"]),
                   [ToxicInfo.from_json(t) for t in data.get("toxics") or []])


class ToxiproxyClient:
    """A Toxiproxy API at `url` (http://127.0.0.1:8474); every call has a timeout."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme != "http" or not parts.hostname or ":" in parts.hostname:
            raise ToxiproxyError(f"Toxiproxy URL {url!r}: expected http://HOST:PORT (IPv4 or name)")
        self.url = f"http://{parts.hostname}:{parts.port or 8474}"
        self._host, self._port, self.timeout = parts.hostname, parts.port or 8474, timeout

    def version(self) -> str:
        """The server's version string (the library returns raw bytes; we parse the JSON)."""
        body = self._call("get", "/version").content
        try:
            return str(json.loads(body)["version"])
        except (ValueError, KeyError, TypeError):
            return body.decode(errors="replace").strip()

    def proxies(self) -> dict[str, ProxyInfo]:
        data = self._call("get", "/proxies").json()
        return {name: ProxyInfo.from_json(p) for name, p in data.items()}

    def get_proxy(self, name: str) -> ProxyInfo | None:
        try:
            return ProxyInfo.from_json(self._call("get", f"/proxies/{quote(name, safe='')}").json())
        except NotFoundError:
            return None

    def create_proxy(self, name: str, upstream: str, listen: str = "127.0.0.1:0",
                     enabled: bool = True) -> ProxyInfo:
        body = {"name": name, "upstream": upstream, "listen": listen, "enabled": enabled}
        return ProxyInfo.from_json(self._call("post", "/proxies", body).json())

    def set_enabled(self, name: str, enabled: bool) -> ProxyInfo:
        return ProxyInfo.from_json(self._call("post", f"/proxies/{quote(name, safe='')}",
                                              {"enabled": enabled}).json())

    def delete_proxy(self, name: str) -> bool:
        """True if it was deleted, False if it did not exist."""
        try:
            self._call("delete", f"/proxies/{quote(name, safe='')}")
        except NotFoundError:
            return False
        return True

    def add_toxic(self, proxy: str, toxic: ToxicInfo) -> ToxicInfo:
        path = f"/proxies/{quote(proxy, safe='')}/toxics"
        return ToxicInfo.from_json(self._call("post", path, toxic.to_json()).json())

    def remove_toxic(self, proxy: str, toxic: str) -> bool:
        try:
            self._call("delete", f"/proxies/{quote(proxy, safe='')}/toxics/{quote(toxic, safe='')}")
        except NotFoundError:
            return False
        return True

    def populate(self, proxies: list[dict[str, Any]]) -> list[ProxyInfo]:
        data = self._call("post", "/populate", proxies).json()
        return [ProxyInfo.from_json(p) for p in data.get("proxies") or []]

    def reset(self) -> None:
        self._call("post", "/reset")

    def _call(self, method: str, path: str, body: Any = None) -> requests.Response:
        what = f"Toxiproxy {method.upper()} {self.url}{path}"
        kwargs: dict[str, Any] = {"timeout": self.timeout, "headers": {"User-Agent": "loanqa"}}
        if body is not None:
            kwargs["json"] = body
        try:
            with _LOCK:
                APIConsumer.host, APIConsumer.port = self._host, self._port
                response: requests.Response = getattr(APIConsumer, method)(path, **kwargs)
        except ProxyExists as exc:
            raise ProxyExistsError(f"{what}: {_message(exc)}") from None
        except NotFound as exc:
            raise NotFoundError(f"{what}: {_message(exc)}") from None
        except InvalidToxic as exc:
            raise ToxiproxyError(f"{what}: rejected (400): {_message(exc)}") from None
        except requests.Timeout:
            raise ToxiproxyError(f"{what}: no answer within {self.timeout:g}s") from None
        except requests.ConnectionError as exc:
            if _refused(exc) and _loopback(self._host):
                raise ServerGoneError(f"{what}: cannot reach Toxiproxy (connection refused: no server listens there "
                                      "any more)") from None
            raise ToxiproxyError(f"{what}: cannot reach Toxiproxy ({type(exc).__name__}); "
                                 "is it running? (`loanqa up toxiproxy` or set TOXIPROXY_URL)") from None
        except requests.RequestException as exc:
            raise ToxiproxyError(f"{what}: cannot reach Toxiproxy ({type(exc).__name__}); "
                                 "is it running? (`loanqa up toxiproxy` or set TOXIPROXY_URL)") from None
        if response.status_code >= 300:
            raise ToxiproxyError(f"{what}: HTTP {response.status_code}: {_text(response.content)}")
        return response


def _refused(exc: BaseException) -> bool:
    """requests wraps the socket's error several layers deep (ConnectionError → MaxRetryError → NewConnectionError)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        e = todo.pop()
        if isinstance(e, ConnectionRefusedError):
            return True
        seen.add(id(e))
        linked = [*e.args, getattr(e, "reason", None), e.__cause__, e.__context__]
        todo += [x for x in linked if isinstance(x, BaseException) and id(x) not in seen]
    return False


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _message(exc: Exception) -> str:
    raw = exc.args[0] if exc.args else b""
    return _text(raw if isinstance(raw, bytes) else str(raw).encode())


def _text(body: bytes) -> str:
    """The `error` field of Toxiproxy's JSON error body, else the body as text."""
    try:
        data = json.loads(body)
        if isinstance(data, dict) and "error" in data:
            return str(data["error"])
    except ValueError:
        pass
    return body.decode(errors="replace").strip() or "(empty body)"

"""One proxy: its listener, its open connections and its toxics."""

from __future__ import annotations

import asyncio
from typing import Any

from netprofiles.server.errors import ApiError, exists, not_found
from netprofiles.server.link import Connection, Side
from netprofiles.server.toxics.base import Toxic


def split_address(addr: str) -> tuple[str, int]:
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ApiError(f"listen tcp {addr}: address {addr}: missing port in address", 500)
    return host.strip("[]") or "0.0.0.0", int(port)


class Proxy:
    def __init__(self, name: str, listen: str, upstream: str, enabled: bool = True) -> None:
        self.name, self.listen, self.upstream, self.enabled = name, listen, upstream, enabled
        self.toxics: list[Toxic] = []
        self.connections: set[Connection] = set()
        self._server: asyncio.Server | None = None
        self._pending: dict[Side, asyncio.Task[None]] = {}

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "listen": self.listen, "upstream": self.upstream,
                "enabled": self.enabled, "Logger": {}, "toxics": self.toxics_json()}

    def toxics_json(self) -> list[dict[str, Any]]:
        return [t.to_json() for t in self.ordered_toxics()]

    def ordered_toxics(self) -> list[Toxic]:
        return sorted(self.toxics, key=lambda t: t.stream != "upstream")

    async def start(self) -> None:
        """Listen (port 0 picks one, and `listen` then carries it); OS errors are 500 with their text."""
        if self._server is not None:
            return
        host, port = split_address(self.listen)
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(self._client_side, host, port, backlog=1024,
                                                    reuse_address=True)
        except OSError as exc:
            raise ApiError(f"listen tcp {self.listen}: bind: {exc.strerror or exc}", 500) from None
        real_port = self._server.sockets[0].getsockname()[1]
        self.listen = f"{host}:{real_port}"

    def _client_side(self) -> Side:
        return Side(on_made=self._on_client)

    def _on_client(self, client: Side) -> None:
        self._pending[client] = asyncio.get_running_loop().create_task(self._dial(client))

    async def _dial(self, client: Side) -> None:
        """Open the upstream for a new client; on failure the client is closed, as upstream does."""
        try:
            host, port = split_address(self.upstream)
            _, upstream = await asyncio.get_running_loop().create_connection(Side, host, port)
        except (OSError, ApiError):
            client.close()
            return
        finally:
            self._pending.pop(client, None)
        if self._server is None or client.lost:
            client.abort()
            upstream.abort()
            return
        conn = Connection(client, upstream, self.connections.discard)
        self.connections.add(conn)
        conn.start(self.ordered_toxics())

    def stop(self) -> None:
        """Stop listening and drop every open connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for conn in list(self.connections):
            conn.abort()
        for client, task in list(self._pending.items()):
            task.cancel()
            client.abort()
        self._pending.clear()

    async def set_enabled(self, enabled: bool) -> None:
        if enabled:
            await self.start()
        else:
            self.stop()
        self.enabled = enabled

    def _sync(self) -> None:
        toxics = self.ordered_toxics()
        for conn in list(self.connections):
            conn.sync(toxics)

    def toxic(self, name: str) -> Toxic:
        for toxic in self.toxics:
            if toxic.name == name:
                return toxic
        raise not_found("toxic")

    def add_toxic(self, toxic: Toxic) -> None:
        if any(t.name == toxic.name for t in self.toxics):
            raise exists("toxic")
        self.toxics.append(toxic)
        self._sync()

    def changed_toxic(self) -> None:
        self._sync()

    def remove_toxic(self, name: str) -> None:
        toxic = self.toxic(name)
        toxic.removed = True
        self.toxics.remove(toxic)
        self._sync()

    def remove_all_toxics(self) -> None:
        for toxic in self.toxics:
            toxic.removed = True
        self.toxics.clear()
        self._sync()

"""One proxy: its listener, its open connections and its toxics (one chain per direction, as upstream keeps them)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from loanqa_netprofiles.server import addresses
from loanqa_netprofiles.server.errors import exists, not_found
from loanqa_netprofiles.server.link import Connection, Side
from loanqa_netprofiles.server.toxics.base import Toxic

DIRECTIONS = ("upstream", "downstream")


class Proxy:
    def __init__(self, name: str, listen: str, upstream: str) -> None:
        self.name, self.listen, self.upstream = name, listen, upstream
        self.enabled = False
        self.chains: dict[str, list[Toxic]] = {d: [] for d in DIRECTIONS}
        self.connections: set[Connection] = set()
        self._server: asyncio.Server | None = None
        self._pending: dict[Side, asyncio.Task[None]] = {}

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "listen": self.listen, "upstream": self.upstream,
                "enabled": self.enabled, "Logger": {}, "toxics": self.toxics_json()}

    def toxics_json(self) -> list[dict[str, Any]]:
        return [t.to_json() for t in self.ordered_toxics()]

    def ordered_toxics(self) -> list[Toxic]:
        return [t for d in DIRECTIONS for t in self.chains[d]]

    async def start(self) -> None:
        """Listen; `listen` then shows the bound address as Go prints it. No-op when already started."""
        if self.enabled:
            return
        sock, shown = addresses.bind(self.listen)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._client_side, sock=sock)
        self.listen = shown
        self.enabled = True

    def _client_side(self) -> Side:
        return Side(on_made=self._on_client)

    def _on_client(self, client: Side) -> None:
        self._pending[client] = asyncio.get_running_loop().create_task(self._dial(client))

    async def _dial(self, client: Side) -> None:
        """Open the upstream for a new client; on failure the client is closed, as upstream does."""
        try:
            host, service = addresses.split_host_port(self.upstream)
            port = int(service) if service.isdigit() else socket.getservbyname(service, "tcp")
            _, upstream = await asyncio.get_running_loop().create_connection(Side, host or "localhost", port)
        except (OSError, addresses.AddressError, ValueError):
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
        """Stop listening and drop every open connection. No-op when not started."""
        self.enabled = False
        if self._server is not None:
            self._server.close()
            self._server = None
        for conn in list(self.connections):
            conn.abort()
        for client, task in list(self._pending.items()):
            task.cancel()
            client.abort()
        self._pending.clear()

    def _sync(self) -> None:
        toxics = self.ordered_toxics()
        for conn in list(self.connections):
            conn.sync(toxics)

    def toxic(self, name: str) -> Toxic:
        for toxic in self.ordered_toxics():
            if toxic.name == name:
                return toxic
        raise not_found("toxic")

    def has_toxic(self, name: str) -> bool:
        return any(t.name == name for t in self.ordered_toxics())

    def add_toxic(self, toxic: Toxic) -> None:
        if self.has_toxic(toxic.name):
            raise exists("toxic")
        self.chains[toxic.direction].append(toxic)
        self._sync()

    def changed_toxic(self) -> None:
        self._sync()

    def remove_toxic(self, name: str) -> None:
        toxic = self.toxic(name)
        toxic.removed = True
        self.chains[toxic.direction].remove(toxic)
        self._sync()

    def remove_all_toxics(self) -> None:
        for toxic in self.ordered_toxics():
            toxic.removed = True
        for chain in self.chains.values():
            chain.clear()
        self._sync()

"""All proxies of one server, and the operations the API performs on them as a whole."""

from __future__ import annotations

import asyncio
from typing import Any

from netprofiles.server.bodies import ProxyFields, new_proxy_fields
from netprofiles.server.errors import ApiError, bad_body, exists, not_found
from netprofiles.server.proxy import Proxy


class Registry:
    """Changes are serialised by one lock: toxiproxy's collection is a mutex-guarded map too."""

    def __init__(self) -> None:
        self.proxies: dict[str, Proxy] = {}
        self.lock = asyncio.Lock()

    def get(self, name: str) -> Proxy:
        try:
            return self.proxies[name]
        except KeyError:
            raise not_found("proxy") from None

    async def create(self, fields: ProxyFields) -> Proxy:
        name = fields.name or ""
        if name in self.proxies:
            raise exists("proxy")
        proxy = Proxy(name, fields.listen or "127.0.0.1:0", fields.upstream or "",
                      True if fields.enabled is None else fields.enabled)
        if proxy.enabled:
            await proxy.start()
        self.proxies[name] = proxy
        return proxy

    async def update(self, proxy: Proxy, fields: ProxyFields) -> None:
        if fields.upstream:
            proxy.upstream = fields.upstream
        if fields.listen and fields.listen != proxy.listen:
            proxy.stop()
            proxy.listen = fields.listen
            if proxy.enabled:
                await proxy.start()
        if fields.enabled is not None and fields.enabled != proxy.enabled:
            await proxy.set_enabled(fields.enabled)

    def delete(self, name: str) -> None:
        self.get(name).stop()
        del self.proxies[name]

    async def reset(self) -> None:
        for proxy in self.proxies.values():
            proxy.remove_all_toxics()
            if not proxy.enabled:
                await proxy.set_enabled(True)

    async def populate(self, data: Any) -> tuple[list[Proxy], ApiError | None]:
        """All-or-nothing validation, then create or replace in order; an OS error stops part-way."""
        if not isinstance(data, list):
            raise bad_body()
        wanted = [new_proxy_fields(item, f" at proxy {i + 1}") for i, item in enumerate(data)]
        names = [f.name for f in wanted]
        for name in names:
            if names.count(name) > 1:
                raise ApiError(f'duplicate proxy name "{name}"', 500)
        done: list[Proxy] = []
        for fields in wanted:
            try:
                done.append(await self._replace(fields))
            except ApiError as err:
                return done, err
        return done, None

    async def _replace(self, fields: ProxyFields) -> Proxy:
        old = self.proxies.get(fields.name or "")
        if old is not None:
            same = fields.upstream == old.upstream and (not fields.listen or fields.listen == old.listen)
            if same:
                if fields.enabled is not None:
                    await old.set_enabled(fields.enabled)
                return old
            self.delete(old.name)
        return await self.create(fields)

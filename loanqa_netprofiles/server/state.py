"""All proxies of one server, and the operations the API performs on them, with toxiproxy 2.12.0's semantics."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from loanqa_netprofiles.server import addresses
from loanqa_netprofiles.server.errors import ApiError, exists, not_found
from loanqa_netprofiles.server.proxy import Proxy


@dataclass(frozen=True)
class ProxyInput:
    name: str
    listen: str
    upstream: str
    enabled: bool


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

    def sorted(self) -> list[Proxy]:
        """Go ranges over a map in random order; sorted is one of its orders, and a stable one."""
        return [self.proxies[name] for name in sorted(self.proxies)]

    async def create(self, wanted: ProxyInput) -> Proxy:
        """Add; an enabled proxy must bind first (its error is the answer and nothing is added)."""
        if wanted.name in self.proxies:
            raise exists("proxy")
        proxy = Proxy(wanted.name, wanted.listen, wanted.upstream)
        if wanted.enabled:
            await proxy.start()
        self.proxies[wanted.name] = proxy
        return proxy

    async def update(self, proxy: Proxy, wanted: ProxyInput) -> None:
        """The listen address must resolve (500, nothing changed); a new address or upstream restarts it.

        A failed bind leaves the proxy disabled on the new address, as the real server does.
        """
        try:
            addresses.resolve(wanted.listen)
        except addresses.AddressError as exc:
            raise ApiError(str(exc), 500) from None
        if wanted.listen != proxy.listen or wanted.upstream != proxy.upstream:
            proxy.stop()
            proxy.listen, proxy.upstream = wanted.listen, wanted.upstream
        if wanted.enabled != proxy.enabled:
            if wanted.enabled:
                await proxy.start()
            else:
                proxy.stop()

    def delete(self, name: str) -> None:
        self.get(name).stop()
        del self.proxies[name]

    async def reset(self) -> None:
        """Enable each proxy and drop its toxics; a proxy that cannot bind stops the reset there (500)."""
        for proxy in self.sorted():
            await proxy.start()
            proxy.remove_all_toxics()

    async def populate(self, wanted: list[ProxyInput]) -> tuple[list[Proxy], ApiError | None]:
        """Add or replace in order; an identical proxy (same listen and upstream) is kept as it is.

        The first error stops it: the proxies done so far are answered with the error.
        """
        done: list[Proxy] = []
        for item in wanted:
            old = self.proxies.get(item.name)
            if old is not None and old.listen == item.listen and old.upstream == item.upstream:
                done.append(old)
                continue
            if old is not None:
                self.delete(old.name)
            try:
                done.append(await self.create(item))
            except ApiError as err:
                return done, err
        return done, None

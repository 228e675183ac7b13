"""Toxics that stall, truncate or end connections: timeout, reset_peer, limit_data, slow_close."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from loanqa_netprofiles.server.toxics.base import (
    Behaviour,
    Chunk,
    Forward,
    LinkClosed,
    LinkContext,
    Stub,
    now,
    sleep_until,
)


class Timeout(Behaviour):
    """Drops all data; closes the connection after `timeout` ms (0: holds it until removed)."""

    attributes: ClassVar[tuple[str, ...]] = ("timeout",)

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        if chunk is None:
            link.close_connection()
            raise LinkClosed

    def start(self, link: LinkContext, stub: Stub) -> asyncio.Task[None] | None:
        timeout = stub.toxic.attributes["timeout"]
        if timeout <= 0:
            return None
        return link.loop.create_task(self._expire(link, stub, timeout / 1000))

    async def _expire(self, link: LinkContext, stub: Stub, seconds: float) -> None:
        await sleep_until(link, now() + seconds, stub.toxic)
        if not stub.toxic.removed:
            link.close_connection()

    def cleanup(self, link: LinkContext, stub: Stub) -> None:
        link.close_connection()


class ResetPeer(Behaviour):
    """On the first data, waits `timeout` ms and resets the connection with a TCP RST."""

    attributes: ClassVar[tuple[str, ...]] = ("timeout",)

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        await sleep_until(link, now() + stub.toxic.attributes["timeout"] / 1000, stub.toxic)
        if stub.toxic.removed:
            await forward(chunk)
            return
        link.reset_connection()
        raise LinkClosed


class LimitData(Behaviour):
    """Passes `bytes` bytes per connection and direction, then closes the connection."""

    attributes: ClassVar[tuple[str, ...]] = ("bytes",)

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        if chunk is None:
            await forward(None)
            return
        sent = stub.state.get("sent", 0)
        remaining = max(stub.toxic.attributes["bytes"] - sent, 0)
        data = chunk.data[:remaining]
        if data:
            stub.state["sent"] = sent + len(data)
            await forward(Chunk(data, chunk.ts))
        if stub.toxic.attributes["bytes"] - stub.state.get("sent", 0) <= 0:
            link.close_connection()
            raise LinkClosed


class SlowClose(Behaviour):
    """Delays the close by `delay` ms once the sending side has closed."""

    attributes: ClassVar[tuple[str, ...]] = ("delay",)

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        if chunk is None:
            await sleep_until(link, now() + stub.toxic.attributes["delay"] / 1000, stub.toxic)
        await forward(chunk)

"""What every toxic shares: its API record, its per-connection stub, and the link it acts on.

Toxics process one chunk at a time and hand it on with `forward`, so a chain of toxics is a chain of
awaits; a toxic that ends the connection raises `LinkClosed` to stop the chain.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from loanqa_netprofiles.server.gojson import Float32


@dataclass(slots=True)
class Chunk:
    data: bytes
    ts: float  # now() when it was read, so latency is measured from arrival, not from dequeue


Forward = Callable[[Chunk | None], Awaitable[None]]


class LinkClosed(Exception):
    """Raised inside a chain when a toxic has closed (or reset) the connection."""


class LinkContext(Protocol):
    """The side of a data-plane link a toxic may touch."""

    loop: asyncio.AbstractEventLoop

    def changed(self) -> asyncio.Future[None]: ...

    def close_connection(self) -> None: ...

    def reset_connection(self) -> None: ...


@dataclass
class Toxic:
    """A toxic as the API knows it; `removed` tells running stubs to let go."""

    name: str
    type: str
    stream: str
    toxicity: float
    attributes: dict[str, int]
    removed: bool = False

    @property
    def direction(self) -> str:
        """The chain it sits in: `stream` is kept as sent ("UPSTREAM"), the direction is parsed from it."""
        return self.stream.lower()

    def to_json(self) -> dict[str, Any]:
        return {"attributes": dict(self.attributes), "name": self.name, "type": self.type,
                "stream": self.stream, "toxicity": Float32(self.toxicity)}


@dataclass
class Stub:
    """One toxic on one connection: whether the dice said yes, and state kept between chunks."""

    toxic: Toxic
    enabled: bool
    state: dict[str, Any] = field(default_factory=dict)
    timer: asyncio.Task[None] | None = None


class Behaviour:
    """How one toxic type treats the data; subclasses override `process` (and `start` for timers)."""

    attributes: ClassVar[tuple[str, ...]] = ()

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        await forward(chunk)

    def start(self, link: LinkContext, stub: Stub) -> asyncio.Task[None] | None:
        return None

    def cleanup(self, link: LinkContext, stub: Stub) -> None:
        """Called when the toxic is removed from a live connection."""


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def now() -> float:
    """The real monotonic time: uvloop's loop.time() and its timers count whole milliseconds (truncated), so waits
    measured on them could end up to a millisecond before upstream's (Go timers never fire early)."""
    return time.monotonic()


async def sleep_until(link: LinkContext, deadline: float, toxic: Toxic) -> None:
    """Sleep to `deadline` (a now() value), returning early once the toxic is removed (so /reset releases
    data at once).

    One timer handle and one future per wait (no asyncio.wait): thousands of connections sleep at once.
    """
    loop = link.loop
    while not toxic.removed and (remaining := deadline - now()) > 0:
        changed = link.changed()
        if changed.done():  # only once the connection is closed: nothing left to wait for
            return
        waiter: asyncio.Future[None] = loop.create_future()
        handle = loop.call_later(remaining, _wake, waiter)  # early by under 1 ms at most: the loop waits again

        def on_change(_: asyncio.Future[None], waiter: asyncio.Future[None] = waiter) -> None:
            _wake(waiter)

        changed.add_done_callback(on_change)
        try:
            await waiter
        finally:
            handle.cancel()
            changed.remove_done_callback(on_change)

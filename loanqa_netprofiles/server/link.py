"""One proxied TCP connection: two sockets (Protocols) and two links (upstream, downstream) between them.

With no toxics a link writes each received buffer straight to the other transport, with transport
flow control (pause_writing → pause_reading on the source) and no queue or task in between. Once a
toxic applies, chunks are stamped on arrival and a processor runs them through the chain, so latency
stays pipelined while reading goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections import deque
from collections.abc import Callable
from typing import cast

from loanqa_netprofiles.server.toxics import BEHAVIOURS
from loanqa_netprofiles.server.toxics.base import Chunk, LinkClosed, Stub, Toxic, now

WRITE_HIGH = 4 * 1024 * 1024
READ_SIZE = 32 * 1024
QUEUE_HIGH, QUEUE_LOW = 64, 16


class Side(asyncio.Protocol):
    """One socket; reading is paused while any hold is set (wiring, queue full, peer's buffer full)."""

    def __init__(self, on_made: Callable[[Side], None] | None = None) -> None:
        self._on_made = on_made
        self.transport: asyncio.Transport | None = None
        self.link: Link | None = None  # the link fed by what this side reads
        self.peer: Side | None = None
        self.on_lost: Callable[[], None] | None = None
        self.holds: set[str] = set()
        self.write_paused = False
        self.lost = False
        self._drained: asyncio.Future[None] | None = None
        self.early = bytearray()  # read before wiring (uvloop may read despite pause_reading in connection_made)
        self.early_eof = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not asyncio subclasses
        self.transport.set_write_buffer_limits(high=WRITE_HIGH)
        self.hold("wiring")
        if self._on_made is not None:
            self._on_made(self)

    def data_received(self, data: bytes) -> None:
        if self.link is not None:
            self.link.feed(data)
        else:
            self.early += data

    def eof_received(self) -> bool:
        if self.link is not None:
            self.link.feed_eof()
        else:
            self.early_eof = True
        return True  # keep the socket for the other direction; the link closes it

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._wake_drain()
        if self.link is not None:
            self.link.feed_eof()
        if self.on_lost is not None:
            self.on_lost()

    def pause_writing(self) -> None:
        self.write_paused = True
        if self.peer is not None:
            self.peer.hold("peer-full")

    def resume_writing(self) -> None:
        self.write_paused = False
        if self.peer is not None:
            self.peer.release("peer-full")
        self._wake_drain()

    def hold(self, reason: str) -> None:
        if not self.holds and self.transport is not None and not self.lost:
            self.transport.pause_reading()
        self.holds.add(reason)

    def release(self, reason: str) -> None:
        if reason in self.holds:
            self.holds.discard(reason)
            if not self.holds and self.transport is not None and not self.lost:
                self.transport.resume_reading()

    async def drained(self) -> None:
        while self.write_paused and not self.lost:
            self._drained = asyncio.get_running_loop().create_future()
            await self._drained

    def _wake_drain(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.lost:
            self.transport.write(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def abort(self, rst: bool = False) -> None:
        if self.transport is None:
            return
        sock = self.transport.get_extra_info("socket")
        if rst and sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


class Link:
    """One direction of a connection: `stream` is "upstream" (client→server) or "downstream"."""

    def __init__(self, conn: Connection, stream: str, source: Side, dest: Side) -> None:
        self.conn, self.stream, self.source, self.dest = conn, stream, source, dest
        self.loop = conn.loop
        self.stubs: list[Stub] = []
        self.queue: deque[Chunk | None] | None = None
        self.processor: asyncio.Task[None] | None = None
        self.eof = False
        self._waiter: asyncio.Future[None] | None = None

    def changed(self) -> asyncio.Future[None]:
        return self.conn.changed

    def close_connection(self) -> None:
        self.conn.close()

    def reset_connection(self) -> None:
        self.conn.close(reset=self.dest)

    def feed(self, data: bytes) -> None:
        """Toxics see chunks of at most 32 KiB, as upstream's links read them (pacing depends on it)."""
        if self.queue is None and not self.stubs:
            self.dest.write(data)
            return
        read_at = now()
        for start in range(0, len(data), READ_SIZE):
            self._enqueue(Chunk(data[start:start + READ_SIZE], read_at))

    def feed_eof(self) -> None:
        if self.eof:
            return
        self.eof = True
        if self.queue is None and not self.stubs:
            self.dest.close()
        else:
            self._enqueue(None)

    def _enqueue(self, chunk: Chunk | None) -> None:
        if self.queue is None:
            self.queue = deque()
            self.processor = self.loop.create_task(self._process(self.queue))
        self.queue.append(chunk)
        if len(self.queue) >= QUEUE_HIGH:
            self.source.hold("queue")
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _process(self, queue: deque[Chunk | None]) -> None:
        with contextlib.suppress(LinkClosed):
            while not self.conn.closed:
                if not queue:
                    self._waiter = self.loop.create_future()
                    await self._waiter
                    continue
                chunk = queue.popleft()
                if len(queue) <= QUEUE_LOW:
                    self.source.release("queue")
                await self._chain(chunk, list(self.stubs), 0)
                if chunk is None:
                    return

    async def _chain(self, chunk: Chunk | None, stubs: list[Stub], i: int) -> None:
        if i == len(stubs):
            await self._deliver(chunk)
            return
        stub = stubs[i]

        async def forward(c: Chunk | None) -> None:
            await self._chain(c, stubs, i + 1)

        if stub.toxic.removed:
            await forward(chunk)
        else:
            await BEHAVIOURS[stub.toxic.type].process(self, stub, chunk, forward)

    async def _deliver(self, chunk: Chunk | None) -> None:
        if self.conn.closed:
            raise LinkClosed
        if chunk is None:
            self.dest.close()  # the source ended: close the destination fully, as upstream does
            return
        self.dest.write(chunk.data)
        if self.dest.write_paused:
            await self.dest.drained()

    def stop(self) -> None:
        if self.processor is not None and self.processor is not asyncio.current_task():
            self.processor.cancel()


class Connection:
    """A client socket and its upstream socket; toxics are synced in whenever they change."""

    def __init__(self, client: Side, upstream: Side, on_done: Callable[[Connection], None]) -> None:
        self.loop = asyncio.get_running_loop()
        self.client, self.upstream = client, upstream
        self.links = {"upstream": Link(self, "upstream", client, upstream),
                      "downstream": Link(self, "downstream", upstream, client)}
        self.stubs: dict[int, Stub] = {}
        self.changed: asyncio.Future[None] = self.loop.create_future()
        self.closed = False
        self._on_done = on_done
        client.peer, upstream.peer = upstream, client
        client.link, upstream.link = self.links["upstream"], self.links["downstream"]
        client.on_lost = upstream.on_lost = self._side_lost

    def start(self, toxics: list[Toxic]) -> None:
        self.sync(toxics)
        for side in (self.client, self.upstream):
            assert side.link is not None
            if side.early:
                side.link.feed(bytes(side.early))
                side.early.clear()
            if side.early_eof:
                side.link.feed_eof()
            side.release("wiring")

    def _side_lost(self) -> None:
        if self.client.lost and self.upstream.lost:
            self.close()
            self._on_done(self)

    def sync(self, toxics: list[Toxic]) -> None:
        """Bring this connection's stubs in line with the proxy's toxics; wake sleepers."""
        current = {id(t) for t in toxics}
        for key in [k for k in self.stubs if k not in current]:
            self._drop(self.stubs.pop(key))
        for toxic in toxics:
            if id(toxic) not in self.stubs:
                self.stubs[id(toxic)] = self._stub(toxic)
        for stream, link in self.links.items():
            link.stubs = [s for s in self.stubs.values() if s.enabled and s.toxic.direction == stream]
        self._wake()

    def _wake(self) -> None:
        if not self.changed.done():
            self.changed.set_result(None)
        if not self.closed:
            self.changed = self.loop.create_future()

    def _stub(self, toxic: Toxic) -> Stub:
        stub = Stub(toxic, enabled=toxic.toxicity >= 1 or random.random() < toxic.toxicity)
        if stub.enabled:
            stub.timer = BEHAVIOURS[toxic.type].start(self.links[toxic.direction], stub)
        return stub

    def _drop(self, stub: Stub) -> None:
        if stub.timer is not None:
            stub.timer.cancel()
        if stub.enabled:
            BEHAVIOURS[stub.toxic.type].cleanup(self.links[stub.toxic.direction], stub)

    def close(self, reset: Side | None = None, *, abort: bool = False) -> None:
        """Close both sides; `reset` names the side that gets a TCP RST instead of a FIN."""
        if self.closed:
            return
        self.closed = True
        for side in (self.client, self.upstream):
            if side is reset or abort:
                side.abort(rst=side is reset)
            else:
                side.close()
        for stub in self.stubs.values():
            if stub.timer is not None:
                stub.timer.cancel()
        for link in self.links.values():
            link.stop()
        self._wake()

    def abort(self) -> None:
        """Drop both sides at once (proxy disabled or deleted)."""
        self.close(abort=True)

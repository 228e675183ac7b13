"""One proxied TCP connection: two links (upstream, downstream), each running its toxics.

With no toxics a link copies bytes straight from reader to writer (no queue, no per-chunk work);
once a toxic applies, a reader stamps chunks and a processor runs them through the chain, so
latency stays pipelined while the reader keeps reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct

from netprofiles.server.toxics import BEHAVIOURS
from netprofiles.server.toxics.base import Chunk, LinkClosed, Stub, Toxic

READ_SIZE = 256 * 1024
WRITE_HIGH = 1024 * 1024
QUEUE_CHUNKS = 64


class Link:
    """One direction of a connection: `stream` is "upstream" (client→server) or "downstream"."""

    def __init__(self, conn: Connection, stream: str, reader: asyncio.StreamReader,
                 dest: asyncio.StreamWriter) -> None:
        self.conn, self.stream, self.reader, self.dest = conn, stream, reader, dest
        self.loop = conn.loop
        self.stubs: list[Stub] = []
        self.queue: asyncio.Queue[Chunk | None] | None = None
        self.processor: asyncio.Task[None] | None = None

    def changed(self) -> asyncio.Future[None]:
        return self.conn.changed

    def close_connection(self) -> None:
        self.conn.close()

    def reset_connection(self) -> None:
        self.conn.close(reset=self.dest)

    async def pump(self) -> None:
        reader, dest = self.reader, self.dest
        transport = dest.transport
        with contextlib.suppress(ConnectionError, OSError):
            while True:
                data = await reader.read(READ_SIZE)
                if not data:
                    break
                if self.queue is None and not self.stubs:
                    dest.write(data)
                    if transport.get_write_buffer_size() > WRITE_HIGH:
                        await dest.drain()
                else:
                    await self._enqueue(Chunk(data, self.loop.time()))
        if self.queue is None and not self.stubs:
            self._close_dest()
        else:
            await self._enqueue(None)
            if self.processor is not None:
                await self.processor

    async def _enqueue(self, chunk: Chunk | None) -> None:
        if self.queue is None:
            self.queue = asyncio.Queue(QUEUE_CHUNKS)
            self.processor = self.loop.create_task(self._process(self.queue))
        await self.queue.put(chunk)

    async def _process(self, queue: asyncio.Queue[Chunk | None]) -> None:
        with contextlib.suppress(LinkClosed, ConnectionError, OSError):
            while True:
                chunk = await queue.get()
                await self._chain(chunk, list(self.stubs), 0)
                if chunk is None:
                    return
        self.conn.close()

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
            self._close_dest()
            return
        self.dest.write(chunk.data)
        if self.dest.transport.get_write_buffer_size() > WRITE_HIGH:
            await self.dest.drain()

    def _close_dest(self) -> None:
        """The source ended: close the destination fully, as upstream does (the other link then ends)."""
        self.dest.close()


class Connection:
    """A client connection and its upstream connection; toxics are synced in when they change."""

    def __init__(self, client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                 upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        self.loop = asyncio.get_running_loop()
        self.client_writer, self.upstream_writer = client[1], upstream[1]
        self.links = {"upstream": Link(self, "upstream", client[0], upstream[1]),
                      "downstream": Link(self, "downstream", upstream[0], client[1])}
        self.stubs: dict[int, Stub] = {}
        self.changed: asyncio.Future[None] = self.loop.create_future()
        self.closed = False

    async def run(self) -> None:
        try:
            await asyncio.gather(*(link.pump() for link in self.links.values()))
        finally:
            self.close()

    def sync(self, toxics: list[Toxic]) -> None:
        """Bring this connection's stubs in line with the proxy's toxics; wake sleepers."""
        current = {id(t) for t in toxics}
        for key in [k for k in self.stubs if k not in current]:
            self._drop(self.stubs.pop(key))
        for toxic in toxics:
            if id(toxic) not in self.stubs:
                self.stubs[id(toxic)] = self._stub(toxic)
        for stream, link in self.links.items():
            link.stubs = [s for s in self.stubs.values() if s.enabled and s.toxic.stream == stream]
        self._wake()

    def _wake(self) -> None:
        if not self.changed.done():
            self.changed.set_result(None)
        if not self.closed:
            self.changed = self.loop.create_future()

    def _stub(self, toxic: Toxic) -> Stub:
        stub = Stub(toxic, enabled=toxic.toxicity >= 1 or random.random() < toxic.toxicity)
        if stub.enabled:
            stub.timer = BEHAVIOURS[toxic.type].start(self.links[toxic.stream], stub)
        return stub

    def _drop(self, stub: Stub) -> None:
        if stub.timer is not None:
            stub.timer.cancel()
        if stub.enabled:
            BEHAVIOURS[stub.toxic.type].cleanup(self.links[stub.toxic.stream], stub)

    def close(self, reset: asyncio.StreamWriter | None = None, *, abort: bool = False) -> None:
        """Close both sides; `reset` names the side that gets a TCP RST instead of a FIN."""
        if self.closed:
            return
        self.closed = True
        for writer in (self.client_writer, self.upstream_writer):
            if writer is reset:
                _abort_with_rst(writer)
            elif abort:
                writer.transport.abort()
            else:
                writer.close()
        for stub in self.stubs.values():
            if stub.timer is not None:
                stub.timer.cancel()
        self._wake()

    def abort(self) -> None:
        """Drop both sides at once (proxy disabled or deleted)."""
        self.close(abort=True)


def _abort_with_rst(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()

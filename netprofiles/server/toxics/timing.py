"""Toxics that delay or reshape data without losing it: latency, bandwidth, slicer, noop."""

from __future__ import annotations

import random
from typing import ClassVar

from netprofiles.server.toxics.base import Behaviour, Chunk, Forward, LinkContext, Stub, sleep_until


class Noop(Behaviour):
    pass


class Latency(Behaviour):
    """Each chunk leaves `latency ± jitter` ms after it arrived (pipelined, like upstream's v2)."""

    attributes: ClassVar[tuple[str, ...]] = ("latency", "jitter")

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        if chunk is not None:
            attrs = stub.toxic.attributes
            delay = attrs["latency"]
            jitter = attrs["jitter"]
            if jitter > 0:
                delay += random.randrange(jitter * 2) - jitter
            await sleep_until(link, chunk.ts + delay / 1000, stub.toxic)
        await forward(chunk)


class Bandwidth(Behaviour):
    """Caps throughput at `rate` KB/s, sending at most 100 ms worth of data at a time."""

    attributes: ClassVar[tuple[str, ...]] = ("rate",)

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        rate = stub.toxic.attributes["rate"]
        if chunk is None or rate <= 0:
            await forward(chunk)
            return
        step = rate * 100
        for start in range(0, len(chunk.data), step):
            piece = chunk.data[start:start + step]
            begin = max(link.loop.time(), stub.state.get("next", 0.0))
            stub.state["next"] = begin + len(piece) / (rate * 1000)
            await sleep_until(link, stub.state["next"], stub.toxic)
            await forward(Chunk(piece, chunk.ts))


class Slicer(Behaviour):
    """Cuts chunks into pieces of about `average_size` ± `size_variation` bytes, `delay` µs apart."""

    attributes: ClassVar[tuple[str, ...]] = ("average_size", "size_variation", "delay")

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        if chunk is None:
            await forward(None)
            return
        attrs = stub.toxic.attributes
        cuts = _cuts(0, len(chunk.data), max(attrs["average_size"], 1), max(attrs["size_variation"], 0))
        for i, (lo, hi) in enumerate(cuts):
            await forward(Chunk(chunk.data[lo:hi], chunk.ts))
            if stub.toxic.removed:
                if hi < len(chunk.data):
                    await forward(Chunk(chunk.data[hi:], chunk.ts))
                return
            if i + 1 < len(cuts) and attrs["delay"] > 0:
                await sleep_until(link, link.loop.time() + attrs["delay"] / 1e6, stub.toxic)


def _cuts(start: int, end: int, average: int, variation: int) -> list[tuple[int, int]]:
    """Split [start, end) in about halves until each piece is within the variation of the average."""
    out: list[tuple[int, int]] = []
    stack = [(start, end)]
    while stack:
        lo, hi = stack.pop()
        if (hi - lo) - average <= variation:
            out.append((lo, hi))
            continue
        shift = random.randrange(variation * 2) - variation if variation > 0 else 0
        mid = min(max(lo + (hi - lo) // 2 + shift, lo + 1), hi - 1)
        stack += [(mid, hi), (lo, mid)]
    return out

"""Toxics that delay or reshape data without losing it: latency, bandwidth, slicer, noop."""

from __future__ import annotations

import random
from typing import ClassVar

from loanqa_netprofiles.server.toxics.base import Behaviour, Chunk, Forward, LinkContext, Stub, now, sleep_until


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
    """Caps throughput at `rate` KB/s as upstream's toxic does it: each chunk adds len/rate ms to a sleep
    debt and leaves once that debt is slept off (timer error carried over); a chunk larger than 100 ms of
    data goes out in 100 ms slices first. Chunks are at most 32 KiB (the link's read size), so at
    1000 KB/s the first byte leaves after ~33 ms, not after a 100 ms burst."""

    attributes: ClassVar[tuple[str, ...]] = ("rate",)

    async def process(self, link: LinkContext, stub: Stub, chunk: Chunk | None, forward: Forward) -> None:
        rate = stub.toxic.attributes["rate"]
        if chunk is None:
            await forward(chunk)
            return
        if rate <= 0:
            stub.state["debt"] = 0.0
            await forward(chunk)
            return
        debt = stub.state.get("debt", 0.0) + len(chunk.data) / (rate * 1000)
        data, step = chunk.data, rate * 100
        while len(data) > step and not stub.toxic.removed:
            await sleep_until(link, now() + 0.1, stub.toxic)
            await forward(Chunk(data[:step], chunk.ts))
            data, debt = data[step:], debt - 0.1
        start = now()
        await sleep_until(link, start + debt, stub.toxic)
        stub.state["debt"] = debt - (now() - start)
        await forward(Chunk(data, chunk.ts))


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
                await sleep_until(link, now() + attrs["delay"] / 1e6, stub.toxic)


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

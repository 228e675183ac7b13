"""Typed network profiles and mixes: toxics per direction, an optional outage timeline, weights.

Attribute names and units are Toxiproxy's own (ms, KB/s, bytes, µs for slicer delay), so a profile
reads the same as the API call it becomes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from loanqa.config.loader import Strict

Toxicity = Annotated[float, Field(ge=0, le=1)]
NonNeg = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(gt=0)]


class ToxicBase(Strict):
    name: str | None = None
    toxicity: Toxicity = 1.0


class Latency(ToxicBase):
    type: Literal["latency"]
    latency: NonNeg
    jitter: NonNeg = 0


class Bandwidth(ToxicBase):
    type: Literal["bandwidth"]
    rate: Positive


class SlowClose(ToxicBase):
    type: Literal["slow_close"]
    delay: NonNeg


class Timeout(ToxicBase):
    type: Literal["timeout"]
    timeout: NonNeg


class ResetPeer(ToxicBase):
    type: Literal["reset_peer"]
    timeout: NonNeg = 0


class Slicer(ToxicBase):
    type: Literal["slicer"]
    average_size: Positive
    size_variation: NonNeg = 0
    delay: NonNeg = 0

    @model_validator(mode="after")
    def _variation_below_average(self) -> Slicer:
        if self.size_variation >= self.average_size:
            raise ValueError("size_variation must be less than average_size")
        return self


class LimitData(ToxicBase):
    type: Literal["limit_data"]
    bytes: Positive


ToxicSpec = Latency | Bandwidth | SlowClose | Timeout | ResetPeer | Slicer | LimitData
TOXIC_MODELS: dict[str, type[ToxicBase]] = {
    "latency": Latency, "bandwidth": Bandwidth, "slow_close": SlowClose, "timeout": Timeout,
    "reset_peer": ResetPeer, "slicer": Slicer, "limit_data": LimitData,
}


def attributes(spec: ToxicBase) -> dict[str, int]:
    """The toxic's Toxiproxy attributes (everything but name, type and toxicity)."""
    return {k: v for k, v in spec.model_dump().items() if k not in ("name", "type", "toxicity")}


class Timeline(Strict):
    """Outages loanqa drives itself (Toxiproxy has no schedules): down `down_s` every `every_s`.

    `refuse` disables the proxy (connections dropped and refused, like losing the cell);
    `stall` holds connections with a timeout toxic (data stops, sockets stay open, like a tunnel).
    """

    every_s: Annotated[float, Field(gt=0)] | None = None
    down_s: Annotated[float, Field(gt=0)]
    offset_s: Annotated[float, Field(ge=0)] = 0.0
    mode: Literal["refuse", "stall"] = "refuse"

    @model_validator(mode="after")
    def _outage_shorter_than_period(self) -> Timeline:
        if self.every_s is not None and self.down_s >= self.every_s:
            raise ValueError(f"down_s ({self.down_s:g}) must be shorter than every_s ({self.every_s:g})")
        return self


class Profile(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    description: str
    source: Annotated[str, Field(min_length=3)]
    loss: str = "no packet loss modelled"
    upstream: tuple[Annotated[ToxicSpec, Field(discriminator="type")], ...] = ()
    downstream: tuple[Annotated[ToxicSpec, Field(discriminator="type")], ...] = ()
    timeline: Timeline | None = None


class NetworkMix(Strict):
    name: str
    rationale: str
    weights: dict[str, Annotated[float, Field(gt=0)]]

    @model_validator(mode="after")
    def _not_empty(self) -> NetworkMix:
        if not self.weights:
            raise ValueError("weights must name at least one profile")
        return self

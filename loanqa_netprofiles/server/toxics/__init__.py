"""The toxic types the embedded server knows, by the names Toxiproxy's API uses."""

from __future__ import annotations

from loanqa_netprofiles.server.toxics.base import Behaviour
from loanqa_netprofiles.server.toxics.cutting import LimitData, ResetPeer, SlowClose, Timeout
from loanqa_netprofiles.server.toxics.timing import Bandwidth, Latency, Noop, Slicer

BEHAVIOURS: dict[str, Behaviour] = {
    "noop": Noop(),
    "latency": Latency(),
    "bandwidth": Bandwidth(),
    "slicer": Slicer(),
    "timeout": Timeout(),
    "reset_peer": ResetPeer(),
    "limit_data": LimitData(),
    "slow_close": SlowClose(),
}

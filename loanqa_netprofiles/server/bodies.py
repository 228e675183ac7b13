"""Request bodies decoded into the Go types toxiproxy-server decodes them into, so errors read the same."""

from __future__ import annotations

from typing import Any

from loanqa_netprofiles.server import gojson
from loanqa_netprofiles.server.errors import ApiError, bad_body
from loanqa_netprofiles.server.gojson import Ptr, Scalar, Slice, Struct

STRING, BOOL, INT64, INT, FLOAT32 = (Scalar(t) for t in ("string", "bool", "int64", "int", "float32"))
LOGGER = Ptr(Struct("Logger", "zerolog.Logger"))
PROXY = Struct("Proxy", "toxiproxy.Proxy",
               {"name": STRING, "listen": STRING, "upstream": STRING, "enabled": BOOL, "Logger": LOGGER})
_POPULATE_GO = 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }'
POPULATE = Slice(f"[]{_POPULATE_GO}", Struct("", _POPULATE_GO, {
    "name": STRING, "listen": STRING, "upstream": STRING, "Logger": LOGGER, "enabled": Ptr(BOOL)}))
NOOP = Struct("NoopToxic", "toxics.NoopToxic")
WRAPPER = Struct("ToxicWrapper", "toxics.ToxicWrapper",
                 {"name": STRING, "type": STRING, "stream": STRING, "toxicity": FLOAT32, "attributes": NOOP})

TOXIC_STRUCTS: dict[str, Struct] = {
    "noop": NOOP,
    "latency": Struct("LatencyToxic", "toxics.LatencyToxic", {"latency": INT64, "jitter": INT64}),
    "bandwidth": Struct("BandwidthToxic", "toxics.BandwidthToxic", {"rate": INT64}),
    "slow_close": Struct("SlowCloseToxic", "toxics.SlowCloseToxic", {"delay": INT64}),
    "timeout": Struct("TimeoutToxic", "toxics.TimeoutToxic", {"timeout": INT64}),
    "reset_peer": Struct("ResetToxic", "toxics.ResetToxic", {"timeout": INT64}),
    "slicer": Struct("SlicerToxic", "toxics.SlicerToxic",
                     {"average_size": INT, "size_variation": INT, "delay": INT}),
    "limit_data": Struct("LimitDataToxic", "toxics.LimitDataToxic", {"bytes": INT64}),
}


def attributes_create(kind: str) -> Struct:
    return Struct("", 'struct { Attributes interface {} "json:\\"attributes\\"" }',
                  {"attributes": TOXIC_STRUCTS[kind]})


def attributes_update(kind: str) -> Struct:
    return Struct("", 'struct { Attributes interface {} "json:\\"attributes\\""; Toxicity float32 '
                      '"json:\\"toxicity\\"" }', {"attributes": TOXIC_STRUCTS[kind], "toxicity": FLOAT32})


def parse(body: bytes) -> gojson.Node:
    try:
        return gojson.parse(body)
    except gojson.GoJSONError as exc:
        raise bad_body(str(exc)) from None


def decode(node: gojson.Node, t: gojson.GoType, current: Any) -> Any:
    """Decode or raise `bad request body: <Go's error>` (400)."""
    value, error = gojson.decode(node, t, current)
    if error is not None:
        raise bad_body(error)
    return value


def read(body: bytes, t: gojson.GoType, current: Any) -> Any:
    return decode(parse(body), t, current)


def missing(field: str) -> ApiError:
    return ApiError(f"missing required field: {field}", 400)

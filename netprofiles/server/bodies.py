"""Request bodies → typed values, with Toxiproxy's defaults and error texts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from netprofiles.server.errors import ApiError, bad_body
from netprofiles.server.toxics import BEHAVIOURS
from netprofiles.server.toxics.base import Toxic

STREAMS = ("upstream", "downstream")


@dataclass(frozen=True)
class ProxyFields:
    name: str | None
    listen: str | None
    upstream: str | None
    enabled: bool | None


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise bad_body() from None


def proxy_fields(data: Any) -> ProxyFields:
    if not isinstance(data, dict):
        raise bad_body()
    for key in ("name", "listen", "upstream"):
        if key in data and not isinstance(data[key], str):
            raise bad_body(f"{key} must be a string")
    enabled = data.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise bad_body("enabled must be a boolean")
    return ProxyFields(data.get("name"), data.get("listen"), data.get("upstream"), enabled)


def new_proxy_fields(data: Any, where: str = "") -> ProxyFields:
    fields = proxy_fields(data)
    for key in ("name", "upstream"):
        if not getattr(fields, key):
            raise ApiError(f"missing required field: {key}{where}", 400)
    return fields


def new_toxic(data: Any) -> Toxic:
    if not isinstance(data, dict):
        raise bad_body()
    kind = data.get("type")
    if kind not in BEHAVIOURS:
        raise ApiError("invalid toxic type", 400)
    stream = data.get("stream") or "downstream"
    if stream not in STREAMS:
        raise ApiError("stream was invalid, can be either upstream or downstream", 400)
    name = data.get("name") or f"{kind}_{stream}"
    if not isinstance(name, str):
        raise bad_body("name must be a string")
    defaults = dict.fromkeys(BEHAVIOURS[kind].attributes, 0)
    return Toxic(name, kind, stream, toxicity(data.get("toxicity", 1.0)),
                 merged_attributes(kind, defaults, data.get("attributes")))


def toxicity(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_body("toxicity must be a number")
    return float(value)


def merged_attributes(kind: str, current: dict[str, int], update: Any) -> dict[str, int]:
    """Known attributes must be integers (as Go's int64 fields demand); unknown keys are ignored."""
    if update is None:
        return dict(current)
    if not isinstance(update, dict):
        raise bad_body("attributes must be an object")
    out = dict(current)
    for key in BEHAVIOURS[kind].attributes:
        if key in update:
            value = update[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad_body(f"attribute {key} must be an integer, got {value!r}")
            out[key] = value
    return out

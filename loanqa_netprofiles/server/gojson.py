"""JSON as Go's encoding/json reads and writes it, so errors and output match toxiproxy-server byte for byte.

Reading follows `json.Decoder.Decode` into typed Go values: one value is read and anything after it is
ignored, keys match struct fields exactly or case-insensitively, unknown keys and `null` leave a field
as it was, and a wrongly typed value does not stop decoding — the first such error is reported, in
Go's words (`json: cannot unmarshal number into Go struct field Proxy.name of type string`), after
every other field has been set. Syntax errors use the scanner's wording (`invalid character 'x'
looking for beginning of value`, `unexpected EOF`, `EOF`).

Writing escapes as Go does (`<`, `>`, `&`, U+2028, U+2029) and prints float32 values with the
shortest digits that read back as the same float32.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field
from typing import Any

WHITESPACE = b" \t\r\n"
INT64 = (-(2**63), 2**63 - 1)


class GoJSONError(Exception):
    """A decode error, worded as Go's encoding/json words it."""


@dataclass(frozen=True)
class Node:
    """A parsed JSON value: kind is object/array/string/number/bool/null; numbers keep their literal."""

    kind: str
    value: Any


# --- scanning -------------------------------------------------------------------------------------


def _quote_char(c: int) -> str:
    if c == ord("'"):
        return "'\\''"
    if c == ord('"'):
        return "'\"'"
    ch = chr(c)
    escapes = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               "\\": "\\\\"}
    if ch in escapes:
        return f"'{escapes[ch]}'"
    if c < 0x20 or c == 0x7F:
        return f"'\\x{c:02x}'"
    if c >= 0x80 and not ch.isprintable():
        return f"'\\u{c:04x}'"
    return f"'{ch}'"


class _Scanner:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def error(self, context: str) -> GoJSONError:
        if self.pos >= len(self.data):
            return GoJSONError("unexpected EOF")
        return GoJSONError(f"invalid character {_quote_char(self.data[self.pos])} {context}")

    def peek(self) -> int | None:
        return self.data[self.pos] if self.pos < len(self.data) else None

    def skip_ws(self) -> None:
        while self.pos < len(self.data) and self.data[self.pos] in WHITESPACE:
            self.pos += 1

    def value(self) -> Node:
        self.skip_ws()
        c = self.peek()
        if c == ord("{"):
            return self.obj()
        if c == ord("["):
            return self.arr()
        if c == ord('"'):
            return Node("string", self.string())
        if c is not None and (c == ord("-") or ord("0") <= c <= ord("9")):
            return Node("number", self.number())
        for word, node in (("true", Node("bool", True)), ("false", Node("bool", False)), ("null", Node("null", None))):
            if c == ord(word[0]):
                self.pos += 1
                for expected in word[1:]:
                    if self.peek() != ord(expected):
                        raise self.error(f"in literal {word} (expecting '{expected}')")
                    self.pos += 1
                return node
        raise self.error("looking for beginning of value")

    def obj(self) -> Node:
        self.pos += 1
        items: list[tuple[str, Node]] = []
        self.skip_ws()
        if self.peek() == ord("}"):
            self.pos += 1
            return Node("object", items)
        while True:
            self.skip_ws()
            if self.peek() != ord('"'):
                raise self.error("looking for beginning of object key string")
            key = self.string()
            self.skip_ws()
            if self.peek() != ord(":"):
                raise self.error("after object key")
            self.pos += 1
            items.append((key, self.value()))
            self.skip_ws()
            c = self.peek()
            if c == ord(","):
                self.pos += 1
                continue
            if c == ord("}"):
                self.pos += 1
                return Node("object", items)
            raise self.error("after object key:value pair")

    def arr(self) -> Node:
        self.pos += 1
        items: list[Node] = []
        self.skip_ws()
        if self.peek() == ord("]"):
            self.pos += 1
            return Node("array", items)
        while True:
            items.append(self.value())
            self.skip_ws()
            c = self.peek()
            if c == ord(","):
                self.pos += 1
                continue
            if c == ord("]"):
                self.pos += 1
                return Node("array", items)
            raise self.error("after array element")

    def string(self) -> str:
        self.pos += 1
        start = self.pos
        while True:
            c = self.peek()
            if c is None:
                raise self.error("")
            if c == ord('"'):
                raw = self.data[start:self.pos]
                self.pos += 1
                return _unquote(raw)
            if c == ord("\\"):
                self.pos += 1
                e = self.peek()
                if e is not None and e in b'bfnrt"\\/':
                    self.pos += 1
                elif e == ord("u"):
                    self.pos += 1
                    for _ in range(4):
                        h = self.peek()
                        if h is None or h not in b"0123456789abcdefABCDEF":
                            raise self.error("in \\u hexadecimal character escape")
                        self.pos += 1
                else:
                    raise self.error("in string escape code")
            elif c < 0x20:
                raise self.error("in string literal")
            else:
                self.pos += 1

    def number(self) -> str:
        start = self.pos
        if self.peek() == ord("-"):
            self.pos += 1
            if not self._digit():
                raise self.error("in numeric literal")
        if self.peek() == ord("0"):
            self.pos += 1
        else:
            while self._digit():
                self.pos += 1
        if self.peek() == ord("."):
            self.pos += 1
            if not self._digit():
                raise self.error("after decimal point in numeric literal")
            while self._digit():
                self.pos += 1
        if self.peek() in (ord("e"), ord("E")):
            self.pos += 1
            if self.peek() in (ord("+"), ord("-")):
                self.pos += 1
            if not self._digit():
                raise self.error("in exponent of numeric literal")
            while self._digit():
                self.pos += 1
        return self.data[start:self.pos].decode()

    def _digit(self) -> bool:
        c = self.peek()
        return c is not None and ord("0") <= c <= ord("9")


def _unquote(raw: bytes) -> str:
    """Go's unquote: escapes resolved, invalid UTF-8 and lone surrogates become U+FFFD."""
    if b"\\" not in raw:
        return raw.decode("utf-8", "replace")
    out: list[str] = []
    i = 0
    chunk = bytearray()
    while i < len(raw):
        b = raw[i]
        if b != ord("\\"):
            chunk.append(b)
            i += 1
            continue
        out.append(chunk.decode("utf-8", "replace"))
        chunk = bytearray()
        e = chr(raw[i + 1])
        if e == "u":
            code = int(raw[i + 2:i + 6], 16)
            i += 6
            if 0xD800 <= code < 0xDC00 and raw[i:i + 2] == b"\\u":
                low = int(raw[i + 2:i + 6], 16)
                if 0xDC00 <= low < 0xE000:
                    out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                    i += 6
                    continue
            out.append("\ufffd" if 0xD800 <= code < 0xE000 else chr(code))
        else:
            out.append({"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}.get(e, e))
            i += 2
    out.append(chunk.decode("utf-8", "replace"))
    return "".join(out)


def parse(body: bytes) -> Node:
    """What `json.NewDecoder(body).Decode(&v)` reads: the first value; trailing bytes are not looked at."""
    scanner = _Scanner(body)
    scanner.skip_ws()
    if scanner.peek() is None:
        raise GoJSONError("EOF")
    return scanner.value()


# --- typed decoding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    go: str  # string, bool, int64, int, float32


@dataclass(frozen=True)
class Struct:
    """A Go struct: `name` as reflect's Name() (empty when anonymous), `go` as its type prints."""

    name: str
    go: str
    fields: dict[str, Any] = field(default_factory=dict)  # JSON name -> Scalar | Struct | Ptr


@dataclass(frozen=True)
class Ptr:
    """A pointer field: `null` sets it to None instead of leaving it."""

    elem: Scalar | Struct


@dataclass(frozen=True)
class Slice:
    go: str
    elem: Struct


GoType = Scalar | Struct | Ptr | Slice


@dataclass
class _Context:
    error: str | None = None
    struct: str | None = None
    fields: list[str] = field(default_factory=list)

    def type_error(self, what: str, go: str) -> None:
        if self.error is not None:
            return
        if self.struct is not None or self.fields:
            where = f"Go struct field {self.struct or ''}.{'.'.join(self.fields)}"
        else:
            where = "Go value"
        self.error = f"json: cannot unmarshal {what} into {where} of type {go}"


def _fold(key: str) -> str:
    return key.replace("\u212a", "k").replace("\u017f", "s").lower()


def _go_name(t: GoType) -> str:
    return t.elem.go if isinstance(t, Ptr) else t.go


def _scalar(node: Node, t: Scalar, current: Any, ctx: _Context) -> Any:
    kind = node.kind
    if t.go == "string":
        if kind == "string":
            return node.value
    elif t.go == "bool":
        if kind == "bool":
            return node.value
    elif t.go in ("int64", "int"):
        if kind == "number":
            try:
                n = int(node.value, 10)
            except ValueError:
                n = None
            if n is None or not INT64[0] <= n <= INT64[1]:
                ctx.type_error(f"number {node.value}", t.go)
                return current
            return n
    elif t.go == "float32" and kind == "number":
        try:
            return to_float32(float(node.value))
        except OverflowError:
            ctx.type_error(f"number {node.value}", t.go)
            return current
    ctx.type_error(kind, t.go)
    return current


def _decode(node: Node, t: GoType, current: Any, ctx: _Context) -> Any:
    if node.kind == "null":
        return None if isinstance(t, Ptr | Slice) else current
    if isinstance(t, Ptr):
        inner = current if current is not None else ({} if isinstance(t.elem, Struct) else None)
        return _decode(node, t.elem, inner, ctx)
    if isinstance(t, Scalar):
        return _scalar(node, t, current, ctx)
    if isinstance(t, Slice):
        if node.kind != "array":
            ctx.type_error(node.kind, t.go)
            return current
        return [_decode(item, t.elem, {}, ctx) for item in node.value]
    if node.kind != "object":
        ctx.type_error(node.kind, t.go)
        return current
    out = dict(current) if current is not None else {}
    folded = {_fold(k): k for k in t.fields}
    for key, value in node.value:
        name = key if key in t.fields else folded.get(_fold(key))
        if name is None:
            continue
        saved = ctx.struct, len(ctx.fields)
        ctx.struct = t.name
        ctx.fields.append(name)
        out[name] = _decode(value, t.fields[name], out.get(name), ctx)
        ctx.struct = saved[0]
        del ctx.fields[saved[1]:]
    return out


def decode(node: Node, t: GoType, current: Any) -> tuple[Any, str | None]:
    """Decode into a copy of `current`; returns the value and Go's first type error (None if clean)."""
    ctx = _Context()
    return _decode(node, t, current, ctx), ctx.error


# --- writing --------------------------------------------------------------------------------------


def to_float32(value: float) -> float:
    if math.isinf(value) or math.isnan(value):
        raise OverflowError(value)
    result: float = struct.unpack("f", struct.pack("f", value))[0]
    if math.isinf(result):
        raise OverflowError(value)
    return result


def format_float32(value: float) -> str:
    """strconv.FormatFloat(v, 'f' or 'e', -1, 32) as encoding/json chooses between them."""
    if value == 0:
        return "0"
    for digits in range(1, 10):
        text = f"{value:.{digits - 1}e}"
        if to_float32(float(text)) == value:
            break
    mantissa, exp_text = text.split("e")
    exponent = int(exp_text)
    sign = "-" if mantissa.startswith("-") else ""
    figures = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    if abs(value) < to_float32(1e-6) or abs(value) >= to_float32(1e21):
        head = figures[0] + ("." + figures[1:] if len(figures) > 1 else "")
        return f"{sign}{head}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}".replace("e-0", "e-").replace(
            "e+0", "e+")
    point = exponent + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{figures}"
    if point >= len(figures):
        return sign + figures + "0" * (point - len(figures))
    return f"{sign}{figures[:point]}.{figures[point:]}"


def _escape(s: str) -> str:
    text = json.dumps(s, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


class Float32(float):
    """A float that encodes as Go encodes a float32."""


def dumps(value: Any) -> str:
    """json.Marshal: compact, map keys sorted, strings escaped as Go escapes them."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Float32):
        return format_float32(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float32(to_float32(value))
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    items = sorted(value.items()) if isinstance(value, SortedMap) else list(value.items())
    return "{" + ",".join(f"{_escape(k)}:{dumps(v)}" for k, v in items) + "}"


class SortedMap(dict[str, Any]):
    """A Go map: json.Marshal writes its keys in sorted order (structs keep field order)."""

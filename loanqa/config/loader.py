"""Load YAML/JSON into pydantic models; every error names the file, the key path and the value."""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from loanqa.config.envvars import fill_placeholders, has_placeholder
from loanqa.errors import MISSING, ConfigError

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Base for config models: unknown keys are typos, so they are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML (or JSON, a YAML subset) file; syntax errors name the line."""
    p = Path(path)
    try:
        if not stat.S_ISREG(p.stat().st_mode):  # a FIFO would block the read for ever
            raise ConfigError(str(p), "", MISSING, "not a regular file")
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(p), "", MISSING, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(p), "", MISSING, f"cannot read: {exc}") from None
    try:
        if p.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(str(p), f"line {exc.lineno}", MISSING, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise ConfigError(str(p), "", MISSING, "nested too deeply to be a config file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(p), where, MISSING, f"invalid YAML: {problem}") from None


def validate(data: Any, model: type[M], source: str, *, env: Mapping[str, str] | None = None,
             key_prefix: str = "") -> M:
    """Validate already-parsed data; `source` and `key_prefix` say where it came from in errors."""
    filled = fill_placeholders(data, source, env, key_prefix)
    try:
        return model.model_validate(filled)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = _key_path(key_prefix, first["loc"])
        raw = _value_at(data, first["loc"])
        # A value taken from ${ENV} is shown as written, never substituted: a CI secret with a typo
        # (a trailing space) would otherwise be printed in the error.
        value = raw if has_placeholder(raw) else _value_at(filled, first["loc"])
        raise ConfigError(source, key or "(top level)", value, _reason(first)) from None


def load_model(path: str | Path, model: type[M], *, env: Mapping[str, str] | None = None) -> M:
    data = load_yaml(path)
    if data is None:
        raise ConfigError(str(path), "", MISSING, "file is empty")
    return validate(data, model, str(path), env=env)


def _key_path(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


def _value_at(data: Any, loc: tuple[int | str, ...]) -> Any:
    cur = data
    for part in loc:
        if isinstance(cur, dict) and part in cur:  # noqa: SIM114 (mypy needs the narrowing)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
        else:
            return MISSING
    return cur


def _reason(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key is missing"
    msg: str = err.get("msg", "invalid value")
    return msg.removeprefix("Value error, ")

"""Find and load profiles and mixes: the shipped catalog, a user directory, or a file path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loanqa.config.catalog import find_entry, yaml_files
from loanqa.config.loader import load_yaml, validate
from loanqa.errors import MISSING, ConfigError
from loanqa_netprofiles.models import TOXIC_MODELS, NetworkMix, Profile

PROFILES_DIR = Path(__file__).parent / "profiles"
MIXES_DIR = Path(__file__).parent / "mixes"


def _resolve(name_or_path: str, directories: list[Path], what: str) -> Path:
    return find_entry(name_or_path, directories, noun=what, source=what, key="name")


def _directories(profiles_dir: Path | None) -> list[Path]:
    return [profiles_dir, PROFILES_DIR] if profiles_dir is not None else [PROFILES_DIR]


def load_profile(name_or_path: str, profiles_dir: Path | None = None) -> Profile:
    """A profile by name (user directory first, then the catalog) or by file path."""
    path = _resolve(name_or_path, _directories(profiles_dir), "profile")
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(str(path), "", MISSING, "a profile must be a mapping")
    data.setdefault("name", path.stem)
    _check_toxics(data, str(path))
    return validate(data, Profile, str(path))


def _check_toxics(data: dict[str, Any], source: str) -> None:
    """Validate each toxic by its own type first, so an error names e.g. `downstream[0].latency`."""
    for stream in ("upstream", "downstream"):
        entries = data.get(stream) or []
        if not isinstance(entries, list):
            raise ConfigError(source, stream, entries, "must be a list of toxics")
        for i, entry in enumerate(entries):
            key = f"{stream}[{i}]"
            kind = entry.get("type", MISSING) if isinstance(entry, dict) else MISSING
            if kind not in TOXIC_MODELS:
                raise ConfigError(source, f"{key}.type", kind,
                                  f"unknown toxic; choose from {', '.join(TOXIC_MODELS)}")
            validate(entry, TOXIC_MODELS[kind], source, key_prefix=key)


def list_profiles(profiles_dir: Path | None = None) -> list[Profile]:
    """Every profile; one in `profiles_dir` overrides a catalog profile of the same name."""
    found: dict[str, Path] = {}
    for directory in reversed(_directories(profiles_dir)):
        found.update({p.stem: p for p in yaml_files(directory)})
    return [load_profile(str(found[name])) for name in sorted(found)]


def load_mix(name_or_path: str, profiles_dir: Path | None = None) -> NetworkMix:
    """A mix by name or path; every profile it weights must exist."""
    path = _resolve(name_or_path, [MIXES_DIR], "network mix")
    data = load_yaml(path)
    if isinstance(data, dict):
        data.setdefault("name", path.stem)
    mix = validate(data, NetworkMix, str(path))
    for name in mix.weights:
        try:
            _resolve(name, _directories(profiles_dir), "profile")
        except ConfigError:
            raise ConfigError(str(path), f"weights.{name}", mix.weights[name], "no such profile") from None
    return mix

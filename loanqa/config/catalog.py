"""Name-or-path lookup of a YAML catalog entry (a load shape, an SLO set, a network profile or mix).

A value ending in .yaml/.yml, or naming an existing file, is that file; anything else is a name looked up
in the catalog folders in order (a user's folder before the shipped one). An unknown name is a usage error
that lists the names there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from loanqa.errors import ConfigError

YAML_SUFFIXES = (".yaml", ".yml")


def yaml_files(directory: Path) -> list[Path]:
    """The catalog entries in one folder (a missing folder has none)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES)


def catalog_names(directories: Sequence[Path]) -> list[str]:
    return sorted({p.stem for d in directories for p in yaml_files(d)})


def find_entry(name_or_path: str, directories: Sequence[Path], *, noun: str, source: str, key: str = "") -> Path:
    """The file for `name_or_path`; `source`/`key` name where the value came from (e.g. `--shape`)."""
    path = Path(name_or_path)
    if path.suffix in YAML_SUFFIXES or path.is_file():
        return path
    for directory in directories:
        for suffix in YAML_SUFFIXES:
            candidate = directory / f"{name_or_path}{suffix}"
            if candidate.is_file():
                return candidate
    known = ", ".join(catalog_names(directories)) or "none"
    raise ConfigError(source, key, name_or_path, f"no such {noun}; known: {known} (or give a YAML file path)")

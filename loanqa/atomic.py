"""Atomic file and folder writes: a reader (the gate, Allure, a second process) never sees half a file.

Every output is written beside its final name and renamed into place; on any error the partial copy
is removed, so a failed write leaves the previous version (or nothing), never a fragment.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def partial_path(path: Path) -> Path:
    """The sibling a write goes to first: same folder (the rename stays on one filesystem), same suffix
    (writers such as matplotlib pick the format from it), a name no reader looks for, one per process
    (two processes writing the same file never share a partial copy; the last rename wins whole)."""
    return path.with_name(f".{path.stem}.{os.getpid()}.part{path.suffix}")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces `path` only if the block finishes without error."""
    tmp = partial_path(path)
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> Path:
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return path


@contextmanager
def replacing_dir(folder: Path) -> Iterator[Path]:
    """Yield an empty sibling folder to fill; it replaces `folder` whole only if the block succeeds."""
    tmp = partial_path(folder)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(folder, ignore_errors=True)
    tmp.replace(folder)

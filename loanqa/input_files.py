"""Read a file someone else wrote (allure-results, load summaries, report history) without trusting it.

A results folder comes from a flaky lab or a misconfigured pipeline: a FIFO named `x-result.json` would
block a plain `open()` forever, a 200 MB file would be read whole, and a symlink could point anywhere on
the machine. Every such file is refused with one line naming it, before a byte of it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from loanqa.errors import ResultsError

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 16 * 1024 * 1024  # an allure result or summary is kilobytes; 16 MiB is generous
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def read_bounded(path: str | Path, what: str, *, within: Path | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes inside `within` (when given).

    Opened non-blocking, so a FIFO is seen (and refused) instead of waiting for a writer that never comes.
    """
    shown = str(path)
    real = os.path.realpath(path)
    if within is not None and not _inside(real, os.path.realpath(within)):
        raise ResultsError(f"{shown}: {what} is a link to {real}, outside {within}: refusing to read it")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ResultsError(f"{shown}: cannot read {what}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
            raise ResultsError(f"{shown}: {what} is {kind}, not a regular file: refusing to read it")
        if st.st_size > limit:
            raise _too_large(shown, what, st.st_size, limit)
        data = _read_upto(fd, limit + 1)
    except OSError as exc:
        raise ResultsError(f"{shown}: cannot read {what}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while being read
        raise _too_large(shown, what, len(data), limit)
    return data


def _read_upto(fd: int, n: int) -> bytes:
    chunks: list[bytes] = []
    got = 0
    while got < n:
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _inside(real: str, folder: str) -> bool:
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def _too_large(shown: str, what: str, size: int, limit: int) -> ResultsError:
    return ResultsError(f"{shown}: {what} is {_mib(size)}, over the {_mib(limit)} limit per file: "
                        "refusing to read it (is it really a result?)")


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def read_model(path: Path, model: type[M], what: str, *, within: Path | None = None) -> M:
    """A JSON file read as `read_bounded` reads it and validated into `model`; the first problem is one line
    naming the file and the key."""
    text = read_bounded(path, what, within=within)
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ResultsError(f"{path}: {key or '(top level)'}: {err['msg']}") from None

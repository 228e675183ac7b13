"""One worker per device at a time: a file lock per device under the shared state dir.

Real phones break when two sessions drive them at once; emulated ones do not care, but the same
lock keeps the rule uniform and its release is tested on every exit path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from loanqa_devicetests.outcomes import InfrastructureError


def lock_path(state_dir: Path, device: str) -> Path:
    return state_dir / "device-locks" / f"{device}.lock"


@contextmanager
def device_lock(state_dir: Path, device: str, timeout_s: float) -> Iterator[Path]:
    """Hold the device for the body; a device still busy after `timeout_s` is lab trouble (broken)."""
    path = lock_path(state_dir, device)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=timeout_s)
    try:
        lock.acquire()
    except Timeout:
        raise InfrastructureError(device, f"device busy: lock {path} held by another worker for "
                                          f"{timeout_s:.0f}s") from None
    try:
        yield path
    finally:
        lock.release()

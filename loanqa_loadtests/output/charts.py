"""PNG charts of a run over time: users, step rate and p95 per profile, failures by cause per profile."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from loanqa import atomic
from loanqa.taxonomy import Cause
from loanqa_loadtests.output.tally import Tally, percentile

WINDOW_S = 5  # p95 needs a few seconds of samples to mean anything


def _t0(t: Tally) -> int:
    seconds = list(t.timeline) + list(t.users)
    return min(seconds) if seconds else 0


def _seconds(t: Tally) -> list[int]:
    """Every second of the run, quiet ones too: a second without answers is a 0, not a line across a gap."""
    return list(range(min(t.timeline), max(t.timeline) + 1)) if t.timeline else []


def _save(fig: Figure, path: Path) -> Path:
    try:
        with atomic.replacing(path) as tmp:
            fig.savefig(tmp, dpi=90, bbox_inches="tight")  # keeps the axis labels inside the picture
    finally:
        plt.close(fig)
    return path


def _profiles(t: Tally) -> list[str]:
    return sorted({p for slots in t.timeline.values() for p in slots})


def _styles(profiles: list[str]) -> dict[str, dict[str, Any]]:
    """One colour per profile (tab20 has 20; the default cycle's 10 made 3g and very-bad the same blue),
    and a line style on top, so twelve profiles stay apart in print too."""
    cmap = plt.get_cmap("tab20")
    dashes = ("-", "--", "-.", ":")
    return {p: {"color": cmap(i % 20), "linestyle": dashes[i // 5 % 4]} for i, p in enumerate(profiles)}


def users_chart(t: Tally, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 3))
    t0 = _t0(t)
    xs = sorted(t.users)
    ax.step([x - t0 for x in xs], [t.users[x] for x in xs], where="post")
    ax.set(title="Simulated borrowers", xlabel="s since start", ylabel="users")
    return _save(fig, path)


def rps_chart(t: Tally, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 3))
    t0 = _t0(t)
    secs = _seconds(t)
    profiles = _profiles(t)
    styles = _styles(profiles)
    for p in profiles:
        ax.plot([s - t0 for s in secs], [_slot_requests(t, s, p) for s in secs], label=p, **styles[p])
    ax.set(title="Journey steps per second, per network profile", xlabel="s since start", ylabel="steps/s")
    ax.legend(fontsize="small")
    return _save(fig, path)


def p95_chart(t: Tally, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 3))
    t0 = _t0(t)
    profiles = _profiles(t)
    styles = _styles(profiles)
    for p in profiles:
        windows: dict[int, Counter[int]] = {}
        for sec, slots in t.timeline.items():
            if p in slots:
                windows.setdefault((sec - t0) // WINDOW_S * WINDOW_S, Counter()).update(slots[p].latency)
        xs = sorted(windows)
        ax.plot(xs, [max(1.0, percentile(windows[x], 0.95) or 1.0) for x in xs], marker=".", label=p, **styles[p])
    # Log scale: one 30 s stall would flatten every other line into the axis on a linear one.
    ax.set_yscale("log")
    ax.set(title=f"p95 step latency ({WINDOW_S}s windows), per profile (log scale)", xlabel="s since start",
           ylabel="ms (log)")
    ax.legend(fontsize="small")
    return _save(fig, path)


def _slot_requests(t: Tally, sec: int, profile: str) -> int:
    slot = t.timeline.get(sec, {}).get(profile)
    return slot.requests if slot else 0


def _slot_cause(t: Tally, sec: int, profile: str, cause: str) -> int:
    slot = t.timeline.get(sec, {}).get(profile)
    return slot.causes.get(cause, 0) if slot else 0


def failures_chart(t: Tally, path: Path) -> Path:
    """Failures solid, business outcomes dashed: a credit denial is expected, a timeout is not."""
    profiles = _profiles(t) or ["direct"]
    fig, axes = plt.subplots(len(profiles), 1, figsize=(8, 2.2 * len(profiles)), squeeze=False, sharex=True)
    t0, secs = _t0(t), _seconds(t)
    for ax, p in zip(axes[:, 0], profiles, strict=True):
        causes = sorted({c for slots in t.timeline.values() if p in slots for c in slots[p].causes})
        for cause in causes:
            business = Cause(cause).is_business
            ax.plot([s - t0 for s in secs], [_slot_cause(t, s, p, cause) for s in secs],
                    linestyle="--" if business else "-", label=f"{cause} (business)" if business else cause)
        ax.set_title(f"failures (solid) and business outcomes (dashed) per second — {p}", fontsize="small")
        ax.set_ylabel("steps/s", fontsize="small")
        if causes:
            ax.legend(fontsize="x-small")
    axes[-1, 0].set_xlabel("s since start")
    return _save(fig, path)


def write_charts(t: Tally, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [users_chart(t, folder / "users.png"), rps_chart(t, folder / "rps.png"),
            p95_chart(t, folder / "p95.png"), failures_chart(t, folder / "failures_by_cause.png")]

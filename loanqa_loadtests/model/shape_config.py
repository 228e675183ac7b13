"""Holiday-peak load shapes declared in YAML, compressed onto the run length the user chose.

A shape file describes a real-world period (say the forty minutes around Double 11 midnight) as points of
"multiple of the baseline user count"; the run replays that curve in `--duration`, so a 3-minute CI run
and a 2-hour soak share one definition.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator

from loanqa.config.catalog import catalog_names, find_entry
from loanqa.config.loader import Strict, load_model
from loanqa.durations import parse_duration

SHAPES_DIR = Path(__file__).parents[1] / "shapes"

Seconds = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]


class ShapePoint(Strict):
    at: Seconds
    x: float = Field(ge=0, le=1000)


class ShapeSpec(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    baseline_users: int = Field(gt=0, le=100_000)
    points: list[ShapePoint] = Field(min_length=2)

    @field_validator("points")
    @classmethod
    def _ascending(cls, points: list[ShapePoint]) -> list[ShapePoint]:
        if points[0].at != 0:
            raise ValueError(f"the first point must be at 0, not {points[0].at:g}s")
        for before, after in itertools.pairwise(points):
            if after.at <= before.at:
                raise ValueError(f"points must be in time order ({after.at:g}s comes after {before.at:g}s)")
        return points

    @property
    def span_s(self) -> float:
        return self.points[-1].at

    def multiple_at(self, nominal_s: float) -> float:
        """Linear between points: the baseline multiple at a moment of the real-world period."""
        pts = self.points
        if nominal_s >= pts[-1].at:
            return pts[-1].x
        for a, b in itertools.pairwise(pts):
            if nominal_s < b.at:
                return a.x + (b.x - a.x) * (nominal_s - a.at) / (b.at - a.at)
        return pts[-1].x


def available_shapes() -> list[str]:
    return catalog_names([SHAPES_DIR])


def load_shape(name_or_path: str) -> ShapeSpec:
    """A catalog name (`double-11`) or a path to a YAML file."""
    return load_model(find_entry(name_or_path, [SHAPES_DIR], noun="shape", source="--shape"), ShapeSpec)


class CompressedShape:
    """The shape replayed over `duration_s` with `users_scale` times its baseline; pure, so unit-testable.

    Both are bounded (positive) where the run's options are validated (`loanqa_loadtests.model.options.LoadOptions`)."""

    def __init__(self, spec: ShapeSpec, duration_s: float, users_scale: float = 1.0) -> None:
        self.spec, self.duration_s, self.users_scale = spec, duration_s, users_scale

    def users_at(self, run_s: float) -> int:
        x = self.spec.multiple_at(run_s / self.duration_s * self.spec.span_s)
        users = x * self.spec.baseline_users * self.users_scale
        return max(1, round(users)) if x > 0 else 0

    def tick(self, run_s: float, current_users: int) -> tuple[int, float] | None:
        """Locust's tick contract: None ends the run; the spawn rate reaches the target within a tick."""
        if run_s >= self.duration_s:
            return None
        target = self.users_at(run_s)
        return target, float(max(1, abs(target - current_users)))

    def stage_at(self, run_s: float) -> str:
        """Which segment of the shape the run is in, e.g. `stage 2/4 (1→3× baseline)`."""
        nominal = run_s / self.duration_s * self.spec.span_s
        pairs = list(itertools.pairwise(self.spec.points))
        index = next((i for i, (_, b) in enumerate(pairs) if nominal < b.at), len(pairs) - 1)
        a, b = pairs[index]
        return f"stage {index + 1}/{len(pairs)} ({a.x:g}→{b.x:g}× baseline)"

    def peak_users(self) -> int:
        return max(self.users_at(p.at / self.spec.span_s * self.duration_s) for p in self.spec.points)

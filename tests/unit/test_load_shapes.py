"""Load shapes: YAML validated with file/key/value errors, curves compressed onto the run length."""

from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.durations import parse_duration
from loanqa.errors import ConfigError
from loanqa_loadtests.model.shape_config import CompressedShape, available_shapes, load_shape


def test_catalog_has_the_holiday_shapes() -> None:
    assert {"double-11", "spring-festival", "payday", "smoke"} <= set(available_shapes())
    for name in available_shapes():
        assert load_shape(name).name == name


def test_double_11_reaches_ten_times_baseline_within_a_compressed_minute() -> None:
    spec = load_shape("double-11")
    shape = CompressedShape(spec, duration_s=180)
    one_nominal_minute = 180 / spec.span_s * 60
    midnight = 20 * 60 / spec.span_s * 180
    before = shape.users_at(midnight)
    after = shape.users_at(midnight + one_nominal_minute)
    assert after >= 9.5 * spec.baseline_users
    assert before <= 2 * spec.baseline_users
    assert shape.peak_users() == 10 * spec.baseline_users


def test_spring_festival_has_a_plateau_then_an_evening_peak() -> None:
    shape = CompressedShape(load_shape("spring-festival"), duration_s=160)
    plateau = [shape.users_at(t) for t in (30, 50, 90)]
    assert len(set(plateau)) == 1
    assert shape.users_at(125) > plateau[0]


def test_payday_ramps_up_toward_month_end() -> None:
    shape = CompressedShape(load_shape("payday"), duration_s=144)
    ramp = [shape.users_at(t) for t in range(0, 120, 10)]
    assert ramp == sorted(ramp) and ramp[-1] > ramp[0] * 4


def test_tick_ends_the_run_at_the_chosen_duration_and_scales_users() -> None:
    shape = CompressedShape(load_shape("smoke"), duration_s=20, users_scale=2.5)
    first = shape.tick(0, 0)
    assert first is not None and first[0] == 10 and first[1] >= 10
    assert shape.tick(20, 5) is None


@pytest.mark.parametrize(("body", "key", "needle"), [
    ("name: x\nbaseline_users: 0\npoints: [{at: 0s, x: 1}, {at: 1m, x: 1}]\n", "baseline_users", "0"),
    ("name: x\nbaseline_users: 2\npoints: [{at: 5s, x: 1}, {at: 1m, x: 1}]\n", "points", "first point"),
    ("name: x\nbaseline_users: 2\npoints: [{at: 0s, x: 1}, {at: 2 weeks, x: 1}]\n", "points[1].at", "2 weeks"),
    ("name: x\nbaseline_users: 2\nspike: 3\npoints: [{at: 0s, x: 1}, {at: 1m, x: 1}]\n", "spike", "unknown"),
])
def test_bad_shape_file_names_file_key_and_value(tmp_path: Path, body: str, key: str, needle: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError) as info:
        load_shape(str(path))
    assert str(path) in str(info.value) and key in str(info.value) and needle in str(info.value)


def test_unknown_shape_name_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match="double-11"):
        load_shape("black-friday")


def test_durations() -> None:
    assert parse_duration("3m") == 180 and parse_duration("1h30m") == 5400 and parse_duration("45") == 45
    with pytest.raises(ValueError, match="90s"):
        parse_duration("3 minutes")

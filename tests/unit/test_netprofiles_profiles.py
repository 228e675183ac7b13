"""Profile and mix validation: every catalog entry loads, bad input names file, key and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.errors import ConfigError
from loanqa_netprofiles.control import list_profiles, load_mix, load_profile, toxic_infos

REQUIRED = {"5g", "4g", "4g-weak", "3g", "edge", "very-bad", "subway", "elevator", "handover", "festival",
            "flaky-carrier"}


def write(tmp_path: Path, body: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text("description: test\nsource: my own measurements\n" + body)
    return path


def test_catalog_has_the_required_cited_profiles() -> None:
    profiles = {p.name: p for p in list_profiles()}
    assert set(profiles) >= REQUIRED
    assert all(len(p.source) > 20 for p in profiles.values())
    assert profiles["subway"].timeline is not None and profiles["subway"].timeline.every_s == 40
    assert profiles["elevator"].timeline is not None and profiles["elevator"].timeline.every_s is None


def test_presets_convert_kbps_to_toxiproxy_kilobytes() -> None:
    edge = {(t.stream, t.type): t.attributes for t in toxic_infos(load_profile("edge"))}
    assert edge[("downstream", "bandwidth")] == {"rate": 30}  # 240 kbps / 8
    assert edge[("upstream", "latency")] == {"latency": 440, "jitter": 0}


@pytest.mark.parametrize(("body", "key", "value", "reason"), [
    ("downstream:\n  - {type: lag, latency: 5}\n", "downstream[0].type", "'lag'", "unknown toxic"),
    ("downstream:\n  - {type: latency, latency: -5}\n", "downstream[0].latency", "-5", "greater than or equal"),
    ("upstream:\n  - {type: bandwidth, rate: 0}\n", "upstream[0].rate", "0", "greater than 0"),
    ("upstream:\n  - {type: latency, latency: 5, toxicity: 1.5}\n", "upstream[0].toxicity", "1.5", "less than"),
    ("timeline: {every_s: 10, down_s: 12}\n", "timeline", "", "must be shorter than every_s"),
    ("timeline: {every_s: 10, down_s: -1}\n", "timeline.down_s", "-1", "greater than 0"),
    ("downstream:\n  - {type: latency, latency: 5, latncy: 6}\n", "downstream[0].latncy", "6", "unknown key"),
])
def test_invalid_profiles_name_file_key_value(tmp_path: Path, body: str, key: str, value: str,
                                              reason: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_profile(str(path))
    msg = str(info.value)
    assert msg.startswith(f"{path}: {key}") and value in msg and reason in msg, msg


def test_user_profiles_dir_is_searched_first(tmp_path: Path) -> None:
    write(tmp_path, "downstream:\n  - {type: latency, latency: 7}\n", "3g.yaml")
    assert load_profile("3g", tmp_path).downstream[0].model_dump()["latency"] == 7
    assert load_profile("3g").downstream[0].model_dump()["latency"] == 100
    assert "3g" in {p.name for p in list_profiles(tmp_path)}


def test_unknown_profile_lists_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"no such profile; known: .*subway"):
        load_profile("moon-base")


def test_mix_naming_a_missing_profile_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mix.yaml"
    path.write_text("rationale: test\nweights: {4g: 0.5, warp-drive: 0.5}\n")
    with pytest.raises(ConfigError, match=r"mix.yaml: weights.warp-drive: 0.5: no such profile"):
        load_mix(str(path))
    path.write_text("rationale: test\nweights: {4g: 0}\n")
    with pytest.raises(ConfigError, match=r"weights.4g: 0: .*greater than 0"):
        load_mix(str(path))

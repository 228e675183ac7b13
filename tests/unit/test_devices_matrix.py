"""Matrix files: the shipped ones load, and every mistake names the file, the entry and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.errors import ConfigError
from loanqa_devicetests.matrix import load_matrix

MATRICES = Path(__file__).resolve().parents[2] / "devicetests" / "matrices"
GOOD_DEVICE = ("  - name: a\n    platform: android\n    tier: mid\n    label: x\n"
               "    emulation: {width: 360, height: 640, pixel_ratio: 2, user_agent: 'Mozilla/5.0 (Linux)'}\n")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _head(provider: str = "emulated") -> str:
    return f"name: t\nprovider: {provider}\nappium_url: local\ntarget: local\ndevices:\n"


def test_ci_matrix_covers_small_android_to_large_iphone() -> None:
    m = load_matrix(MATRICES / "ci-emulated.yaml")
    assert len(m.devices) >= 6
    assert {d.platform for d in m.devices} == {"android", "ios"}
    widths = sorted(d.emulation.width for d in m.devices if d.emulation)
    assert widths[0] == 360 and widths[-1] >= 428
    assert all("Chromium" in d.label for d in m.devices)


def test_lab_matrix_loads_with_env_defaults() -> None:
    m = load_matrix(MATRICES / "nightly-lab.yaml")
    assert {d.lab.context for d in m.devices if d.lab} == {"browser", "webview"}


def test_cloud_matrix_needs_credentials_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("CLOUD_USERNAME", "CLOUD_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CLOUD_TARGET", "https://staging.example")
    with pytest.raises(ConfigError, match=r"cloud\.yaml: auth\.username.*CLOUD_USERNAME is not set"):
        load_matrix(MATRICES / "cloud.yaml")


def test_missing_provider_section_names_entry_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, _head() + GOOD_DEVICE + "  - {name: b, platform: ios, tier: mid, label: y}\n")
    with pytest.raises(ConfigError) as err:
        load_matrix(path)
    assert str(err.value) == f"{path}: devices[1].emulation: device b: required when provider is emulated"


def test_bad_value_names_key_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path, _head() + GOOD_DEVICE.replace("width: 360", "width: 50"))
    with pytest.raises(ConfigError, match=r"devices\[0\]\.emulation\.width: 50: .*greater than or equal to 200"):
        load_matrix(path)


def test_unknown_key_is_a_typo(tmp_path: Path) -> None:
    path = _write(tmp_path, _head() + GOOD_DEVICE + "    colour: red\n")
    with pytest.raises(ConfigError, match=r"devices\[0\]\.colour: 'red': unknown key"):
        load_matrix(path)


def test_duplicate_device_names(tmp_path: Path) -> None:
    path = _write(tmp_path, _head() + GOOD_DEVICE + GOOD_DEVICE)
    with pytest.raises(ConfigError, match=r"devices\[1\]\.name: 'a': duplicate device name"):
        load_matrix(path)


def test_webview_lab_device_needs_an_app(tmp_path: Path) -> None:
    dev = "  - {name: a, platform: android, tier: mid, label: x, lab: {udid: u1, context: webview}}\n"
    with pytest.raises(ConfigError, match=r"devices\[0\]\.lab.*needs app_package"):
        load_matrix(_write(tmp_path, _head("lab") + dev))


def test_select_unknown_device_lists_known_ones() -> None:
    m = load_matrix(MATRICES / "ci-emulated.yaml")
    with pytest.raises(ConfigError, match=r"--device: 'nokia': not in matrix; known: android-small-360"):
        m.select(["nokia"], "ci-emulated.yaml")
    assert [d.name for d in m.select(["pixel-7"], "x")] == ["pixel-7"]

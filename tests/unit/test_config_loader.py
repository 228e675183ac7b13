from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import Field

from loanqa.config.loader import Strict, load_model, load_yaml, validate
from loanqa.errors import ConfigError


class Device(Strict):
    name: str
    width: int = Field(gt=0)


class Matrix(Strict):
    devices: list[Device]
    url: str = "http://127.0.0.1"


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_valid_file_loads_into_typed_model(tmp_path: Path) -> None:
    m = load_model(write(tmp_path, "devices:\n  - {name: a, width: 360}\n"), Matrix)
    assert m.devices[0] == Device(name="a", width=360)


def test_error_names_file_key_path_and_value(tmp_path: Path) -> None:
    path = write(tmp_path, "devices:\n  - {name: a, width: 360}\n  - {name: b, width: -5}\n")
    with pytest.raises(ConfigError) as err:
        load_model(path, Matrix)
    msg = str(err.value)
    assert str(path) in msg and "devices[1].width" in msg and "-5" in msg and "greater than 0" in msg


def test_unknown_key_is_an_error_not_ignored(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"devices\[0\]\.widht: 3: unknown key"):
        load_model(write(tmp_path, "devices:\n  - {name: a, width: 1, widht: 3}\n"), Matrix)


def test_missing_required_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"devices\[0\]\.name.*required key is missing"):
        load_model(write(tmp_path, "devices:\n  - {width: 1}\n"), Matrix)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"m\.yaml: line 2.*invalid YAML"):
        load_yaml(write(tmp_path, "url: a\n  width: 2\n"))


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: file not found"):
        load_model(tmp_path / "nope.yaml", Matrix)
    with pytest.raises(ConfigError, match="file is empty"):
        load_model(write(tmp_path, ""), Matrix)


def test_env_placeholders_filled_before_validation() -> None:
    data = {"devices": [{"name": "${DEV:-pixel}", "width": 1}], "url": "https://${HOST}/wd"}
    m = validate(data, Matrix, "cloud.yaml", env={"HOST": "grid.example"})
    assert m.url == "https://grid.example/wd" and m.devices[0].name == "pixel"


def test_unset_env_placeholder_names_key_and_variable() -> None:
    with pytest.raises(ConfigError) as err:
        validate({"devices": [], "url": "${GRID_URL}"}, Matrix, "cloud.yaml", env={})
    assert "cloud.yaml: url" in str(err.value) and "GRID_URL is not set" in str(err.value)


class Auth(Strict):
    access_key: str = Field(pattern=r"^\S+$")
    width: int = 1


def test_a_config_error_never_prints_a_value_filled_from_the_environment() -> None:
    secret = "AK-canary-7f3e9 "  # a CI secret with a trailing space fails validation
    with pytest.raises(ConfigError) as err:
        validate({"access_key": "${CLOUD_ACCESS_KEY}"}, Auth, "cloud.yaml", env={"CLOUD_ACCESS_KEY": secret})
    text = str(err.value)
    assert "cloud.yaml: access_key" in text and "${CLOUD_ACCESS_KEY}" in text
    assert "AK-canary-7f3e9" not in text


def test_credentials_from_the_environment_are_masked_in_later_output() -> None:
    from loanqa.masking import clear_secrets, mask_text

    try:
        validate({"access_key": "${BS_KEY}"}, Auth, "cloud.yaml", env={"BS_KEY": "AK-canary-0b1d"})
        assert mask_text("hub said: accessKey AK-canary-0b1d rejected") == "hub said: accessKey **** rejected"
        with pytest.raises(ConfigError) as err:
            validate({"access_key": "x", "width": "AK-canary-0b1d"}, Auth, "cloud.yaml")
        assert "AK-canary-0b1d" not in str(err.value)
    finally:
        clear_secrets()


def test_values_that_are_not_credentials_stay_readable() -> None:
    m = validate({"devices": [], "url": "${GRID_URL}"}, Matrix, "m.yaml", env={"GRID_URL": "https://grid.example"})
    from loanqa.masking import mask_text

    assert mask_text(m.url) == "https://grid.example"

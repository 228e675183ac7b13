from __future__ import annotations

from pathlib import Path

import pytest

from loanqa.config.catalog import catalog_names, find_entry
from loanqa.errors import ConfigError


def _catalog(tmp_path: Path) -> tuple[Path, Path]:
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    shipped.mkdir()
    user.mkdir()
    (shipped / "3g.yaml").write_text("a: 1\n")
    (shipped / "4g.yml").write_text("a: 1\n")
    (user / "3g.yaml").write_text("a: 2\n")
    return user, shipped


def test_a_name_is_found_in_the_first_folder_that_has_it(tmp_path: Path) -> None:
    user, shipped = _catalog(tmp_path)
    assert find_entry("3g", [user, shipped], noun="profile", source="--net-profile") == user / "3g.yaml"
    assert find_entry("4g", [user, shipped], noun="profile", source="--net-profile") == shipped / "4g.yml"


def test_a_path_is_taken_as_given(tmp_path: Path) -> None:
    own = tmp_path / "own-profile"
    own.write_text("a: 1\n")
    assert find_entry(str(own), [], noun="profile", source="x") == own
    assert find_entry("missing.yaml", [], noun="profile", source="x") == Path("missing.yaml")


def test_an_unknown_name_names_the_flag_the_value_and_what_there_is(tmp_path: Path) -> None:
    user, shipped = _catalog(tmp_path)
    with pytest.raises(ConfigError) as err:
        find_entry("5g", [user, shipped], noun="profile", source="--net-profile")
    assert str(err.value) == "--net-profile: '5g': no such profile; known: 3g, 4g (or give a YAML file path)"
    assert catalog_names([tmp_path / "nowhere"]) == []

"""GB 11643 check digits and the synthetic registry that refapp verifies names against."""

from __future__ import annotations

import random

import pytest

from loanqa.synthetic import check_digit, is_valid_id, make_borrower, make_id_number, registry_name, unit_hash


def test_check_digit_of_the_standards_worked_example() -> None:
    assert check_digit("11010519491231002") == "X"
    assert is_valid_id("11010519491231002X") and is_valid_id("11010519491231002x")
    assert not is_valid_id("\uff11" * 17 + "X"), "full-width digits are not an ID as issued"


def test_a_changed_digit_breaks_the_check() -> None:
    good = make_id_number(random.Random(1))
    bad = good[:5] + str((int(good[5]) + 1) % 10) + good[6:]
    assert is_valid_id(good) and not is_valid_id(bad)


@pytest.mark.parametrize("first17", ["123", "1101051949123100A", "1101051949123100\u0661"])
def test_check_digit_needs_17_digits(first17: str) -> None:
    with pytest.raises(ValueError, match="17 digits"):
        check_digit(first17)


def test_generated_borrowers_are_valid_and_match_the_registry() -> None:
    rng = random.Random(7)
    for _ in range(200):
        b = make_borrower(rng)
        assert is_valid_id(b.id_number) and b.name == registry_name(b.id_number)
        assert len(b.phone) == 11 and b.phone[0] == "1" and b.phone[1] in "3456789"


def test_generated_ids_are_adults_born_on_real_days_across_every_region() -> None:
    ids = [make_id_number(random.Random(f"s{i}")) for i in range(3000)]
    years, months, days = ({int(i[a:b]) for i in ids} for a, b in ((6, 10), (10, 12), (12, 14)))
    assert (min(years), max(years)) == (1966, 2004) and months == set(range(1, 13)) and days == set(range(1, 29))
    assert len({i[:6] for i in ids}) == 8 and len(set(ids)) >= 2990


def test_unit_hash_is_stable_and_spread() -> None:
    values = [unit_hash(str(i), "salt") for i in range(2000)]
    assert values == [unit_hash(str(i), "salt") for i in range(2000)]
    assert all(0 <= v < 1 for v in values) and 0.45 < sum(values) / len(values) < 0.55
    assert unit_hash("1", "a") != unit_hash("1", "b")


def test_the_canary_identity_is_taken_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from loanqa import synthetic

    id_number = make_id_number(random.Random("canary"))
    monkeypatch.setenv(synthetic.CANARY_ENV, f"13912345678:{id_number}")
    monkeypatch.setattr(synthetic, "_canary_taken", False)
    first = synthetic.take_canary()
    assert first is not None and first.phone == "13912345678" and first.name == registry_name(id_number)
    assert synthetic.take_canary() is None


def test_a_bad_canary_names_the_variable_not_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from loanqa import synthetic
    from loanqa.errors import ConfigError

    monkeypatch.setenv(synthetic.CANARY_ENV, "13912345678:330106198704130560")
    with pytest.raises(ConfigError) as err:
        synthetic.canary_borrower()
    assert synthetic.CANARY_ENV in str(err.value) and "13912345678" not in str(err.value)

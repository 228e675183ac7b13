"""Synthetic borrowers: resident ID numbers with GB 11643 check digits, and the deterministic registry.

The reference app verifies names against `registry_name`; load users generate borrowers with the same
functions, so a test borrower is valid by construction and a mismatch is always on purpose.
"""

from __future__ import annotations

import hashlib
import operator
import os
import random
import threading
from dataclasses import dataclass

from loanqa.errors import MISSING, ConfigError
from loanqa.masking import mask_id_number, mask_name, mask_phone

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ZERO_TOTAL = 48 * sum(_WEIGHTS)
_REGIONS = ("110101", "310104", "440305", "330106", "510107", "420111", "320102", "610113")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
          "秀英", "海燕", "建华")


def check_digit(first17: str) -> str:
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("need the first 17 digits")
    # ASCII codes times weights, less '0' (48) times the weights' sum: no int() per digit (every load borrower)
    total = sum(map(operator.mul, first17.encode(), _WEIGHTS)) - _ZERO_TOTAL
    return _CHECK[total % 11]


def is_valid_id(id_number: str) -> bool:
    """ASCII only: full-width digits (what a Chinese input method may type) are not an ID number as issued."""
    return (len(id_number) == 18 and id_number.isascii() and id_number[:17].isdigit()
            and id_number[17].upper() == check_digit(id_number[:17]))


def _weighted(parts: list[str], weights: tuple[int, ...]) -> tuple[int, ...]:
    """Each part's share of the check digit's weighted sum, its digits at the given weights."""
    return tuple(sum(int(d) * w for d, w in zip(part, weights, strict=True)) for part in parts)


_ID_PARTS = ([*_REGIONS], [str(y) for y in range(1966, 2005)], [f"{m:02d}" for m in range(1, 13)],
             [f"{d:02d}" for d in range(1, 29)], [f"{n:03d}" for n in range(1000)])
_ID_SUMS = tuple(_weighted(part, _WEIGHTS[at:at + len(part[0])])
                 for part, at in zip(_ID_PARTS, (0, 6, 10, 12, 14), strict=True))


def make_id_number(rng: random.Random) -> str:
    """Region, birth date (1966-2004, days 1-28) and sequence from one 64-bit draw, the check digit from each part's
    precomputed weighted sum: every load borrower makes one, and five `randint` calls, or reading the 17 digits
    back, cost more than the rest of the borrower together."""
    x = rng.getrandbits(64)
    x, region = divmod(x, len(_REGIONS))
    x, year = divmod(x, 2004 - 1966 + 1)
    x, month = divmod(x, 12)
    x, day = divmod(x, 28)
    seq = x % 1000
    regions, years, months, days, seqs = _ID_PARTS
    r, y, m, d, s = _ID_SUMS
    total = r[region] + y[year] + m[month] + d[day] + s[seq]
    return regions[region] + years[year] + months[month] + days[day] + seqs[seq] + _CHECK[total % 11]


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def registry_name(id_number: str) -> str:
    """The name the synthetic population registry holds for an ID (deterministic)."""
    d = _digest("registry:" + id_number.upper())
    return _SURNAMES[d[0] % len(_SURNAMES)] + _GIVEN[d[1] % len(_GIVEN)]


def unit_hash(key: str, salt: str) -> float:
    """A stable number in [0, 1) per (key, salt): how fault shares pick the same borrowers every run."""
    return int.from_bytes(_digest(f"{salt}:{key}")[:8], "big") / 2**64


def make_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


@dataclass(frozen=True)
class Borrower:
    phone: str
    name: str
    id_number: str
    device_id: str

    def __repr__(self) -> str:
        # A failure trace or pytest's assertion introspection prints objects holding a borrower: masked.
        return (f"Borrower(phone={mask_phone(self.phone)!r}, name={mask_name(self.name)!r}, "
                f"id_number={mask_id_number(self.id_number)!r}, device_id={self.device_id!r})")


def make_borrower(rng: random.Random) -> Borrower:
    id_number = make_id_number(rng)
    return Borrower(
        phone=make_phone(rng),
        name=registry_name(id_number),
        id_number=id_number,
        device_id=f"dev-{rng.getrandbits(64):016x}",
    )


CANARY_ENV = "LOANQA_CANARY_BORROWER"
_canary_lock = threading.Lock()
_canary_taken = False


def canary_borrower() -> Borrower | None:
    """The identity `LOANQA_CANARY_BORROWER=PHONE:ID_NUMBER` names (name from the registry, so it is valid).

    A leak test plants it: a run whose borrowers include known values can be grepped for them afterwards.
    """
    raw = os.environ.get(CANARY_ENV, "").strip()
    if not raw:
        return None
    phone, _, id_number = raw.partition(":")
    if not (len(phone) == 11 and phone.isdigit() and phone[0] == "1") or not is_valid_id(id_number):
        # The value is personal data by design: the error names the variable, never the value.
        raise ConfigError("environment", CANARY_ENV, MISSING,
                          "expected PHONE:ID_NUMBER (11-digit mobile, 18-character ID with a valid check digit)")
    return Borrower(phone=phone, name=registry_name(id_number), id_number=id_number.upper(),
                    device_id="dev-canary")


def take_canary() -> Borrower | None:
    """The canary identity for the first borrower this process makes, then None: each load process and device
    worker walks it once, so the identity reaches every kind of output without one phone flooding the target."""
    global _canary_taken
    if _canary_taken or CANARY_ENV not in os.environ:  # every borrower asks: no lock unless a canary is planted
        return None
    with _canary_lock:
        if _canary_taken:
            return None
        borrower = canary_borrower()
        _canary_taken = borrower is not None
        return borrower

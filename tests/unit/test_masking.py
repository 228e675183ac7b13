"""The one masking policy: PII patterns, registered secrets, internal ids left intact, the --show-pii opt-out."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from loanqa import masking
from loanqa.masking import (
    clear_secrets,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_secrets,
    mask_text,
    register_secret,
    set_show_pii,
    show_pii,
)


@pytest.fixture(autouse=True)
def _clean_policy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(masking.SHOW_PII_ENV, raising=False)
    clear_secrets()
    yield
    clear_secrets()


def test_value_masks_keep_only_what_tells_records_apart() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "138****5678"
    assert mask_id_number("330106198704130564") == "330106********0564"
    assert mask_id_number("330106 19870413 0564") == "330106********0564"
    assert mask_name("王超") == "王*"
    assert mask_name("欧阳海燕") == "欧***"
    assert mask_name("John Smith") == "J*********"
    assert mask_name("李") == "*"


def test_a_newline_in_a_name_cannot_survive_masking() -> None:
    assert "\n" not in mask_name("张三\nINFO forged line")


@pytest.mark.parametrize(("raw", "masked"), [
    ("login 13812345678 ok", "login 138****5678 ok"),
    ("tel:+8613812345678", "tel:138****5678"),
    ("call 138-1234-5678.", "call 138****5678."),
    ("手机13812345678，身份证330106198704130564。", "手机138****5678，身份证330106********0564。"),
    ("id 11010519491231002X end", "id 110105********002X end"),
    ("id 3301 0619 8704 1305 64", "id 330106********0564"),
    ('{"id_number": "330106198704130564"}', '{"id_number": "330106********0564"}'),
])
def test_text_masking_finds_phones_and_id_numbers(raw: str, masked: str) -> None:
    assert mask_text(raw) == masked


@pytest.mark.parametrize("text", [
    "loan L_6fc1813812345678e3 paid",
    "loan L_13812345678 paid",
    "request 0b1f13812345678aa",
    "duration 0.13812345678 s",
    "at 1764598516123 ms",
    "amount 3000 term 12",
])
def test_digit_runs_inside_ids_and_numbers_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_known_names_are_masked_in_text() -> None:
    assert mask_text("borrower 王超 failed; 王超 retried", known=["王超"]) == "borrower 王* failed; 王* retried"


def test_registered_secrets_are_masked_everywhere_even_url_encoded() -> None:
    register_secret("s3cr3t/key+1 ")
    register_secret("ab")  # too short: would mask ordinary words
    text = mask_text("key=s3cr3t/key+1 url=https://hub/?k=s3cr3t%2Fkey%2B1 ab")
    assert "s3cr3t" not in text and text.endswith(" ab")


def test_credentials_shapes_are_masked_without_registration() -> None:
    text = ('https://alice:k3y@hub.example/wd/hub Authorization: Bearer tok.123 '
            '{"bstack:options": {"userName": "alice", "accessKey": "AK-canary"}} password=hunter22')
    out = mask_text(text)
    for leaked in ("k3y", "tok.123", "AK-canary", "hunter22"):
        assert leaked not in out
    assert "https://****@hub.example/wd/hub" in out


def test_show_pii_opts_out_of_pii_masking_but_never_of_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not show_pii()
    register_secret("AK-canary-key")
    set_show_pii(True)
    try:
        assert show_pii()
        assert mask_phone("13812345678") == "13812345678"
        assert mask_name("王超") == "王超"
        assert mask_text("13812345678 王超 AK-canary-key", known=["王超"]) == "13812345678 王超 ****"
        assert mask_secrets("https://u:AK@h/") == "https://****@h/"
    finally:
        set_show_pii(False)
    assert not show_pii() and mask_phone("13812345678") == "138****5678"


def test_masking_is_idempotent() -> None:
    once = mask_text("13812345678 330106198704130564 https://u:k@h/")
    assert mask_text(once) == once


def test_registered_pii_is_masked_unless_shown() -> None:
    masking.register_pii("欧阳海燕")
    assert mask_text("borrower 欧阳海燕 failed") == "borrower 欧*** failed"
    set_show_pii(True)
    try:
        assert mask_text("borrower 欧阳海燕 failed") == "borrower 欧阳海燕 failed"
    finally:
        set_show_pii(False)


def test_a_borrower_prints_masked() -> None:
    from loanqa.synthetic import Borrower

    b = Borrower(phone="13812345678", name="王超", id_number="330106198704130564", device_id="dev-1")
    assert repr(b) == ("Borrower(phone='138****5678', name='王*', id_number='330106********0564', "
                       "device_id='dev-1')")


def test_appium_log_filters_mask_what_a_test_types(tmp_path: Path) -> None:
    """The rules run in Node (Appium's own regex dialect) over a line shaped like Appium's proxy log."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (ci/setup.sh installs it with Appium)")
    from loanqa.config.project import StackConfig
    from loanqa.stack.components import appium_spec

    argv = appium_spec(StackConfig(), tmp_path).argv
    rules = Path(argv[argv.index("--log-filters") + 1]).read_text(encoding="utf-8")
    line = ('with body: {"text":"13017760422","value":["1","3"]} id 330106198704130564 name 王超 '
            'tel 13017760422 loan L_13017760422e3 {"accessKey":"AK-canary"}')
    script = ("const rules = JSON.parse(process.argv[1]); let s = process.argv[2];"
              "for (const r of rules) s = s.replace(new RegExp(r.pattern, 'g'), r.replacer); console.log(s);")
    out = subprocess.run([node, "-e", script, rules, line], capture_output=True, text=True, check=True).stdout
    for leaked in ("13017760422 ", '"13017760422"', "330106198704130564", "王超", "AK-canary", '"1","3"'):
        assert leaked not in out, out
    assert "L_13017760422e3" in out


def test_the_cli_streams_mask_every_write() -> None:
    import io

    from loanqa.masking import MaskedText

    inner = io.StringIO()
    stream = MaskedText(inner)
    stream.write("target https://ops:s3cret-key@staging.example/v1 phone 13812345678\n")
    assert inner.getvalue() == "target https://****@staging.example/v1 phone 138****5678\n"

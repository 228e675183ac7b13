"""Compatibility per device, on every page: overflow, tap targets, clipped buttons, focused inputs."""

from __future__ import annotations

from loanqa import allure_labels as labels
from loanqa.taxonomy import Cause
from loanqa_devicetests import compat
from loanqa_devicetests import reporting as R
from loanqa_devicetests.flows import pass_face
from loanqa_devicetests.outcomes import DeviceFailure
from loanqa_devicetests.pages.base import Screen
from loanqa_devicetests.pages.journey import ApplyPage, ContractPage, FacePage, IdentityPage, LoginPage, SignPage
from loanqa_devicetests.phone import Phone

pytestmark = [R.epic(labels.EPIC_DEVICES), R.feature(labels.FEATURE_LAYOUT)]

INPUTS = {"login": ["phone-input", "otp-input"], "identity": ["name-input", "id-input"], "apply": ["amount-input"]}


@R.story("Every page fits the device and is usable with a thumb")
@R.severity("critical")
def test_pages_fit_device(phone: Phone) -> None:
    b, findings = phone.borrower, list[compat.Finding]()
    phone.open_app()
    findings += _check(phone, "login")
    phone.screen(LoginPage).login(b.phone)
    findings += _check(phone, "identity")
    phone.screen(IdentityPage).submit(b.name, b.id_number)
    findings += _check(phone, "face")
    pass_face(phone, phone.screen(FacePage))
    findings += _check(phone, "apply")
    phone.screen(ApplyPage).apply(5000, 12)
    contract = phone.screen(ContractPage)
    contract.wait_loaded()
    findings += _check(phone, "contract")
    contract.scroll_to_end()
    contract.agree_and_continue()
    findings += _check(phone, "sign")
    sign = phone.screen(SignPage)
    sign.draw_signature()
    sign.tap("sign-submit")
    findings += _check(phone, "status")
    if findings:
        lines = "; ".join(f.describe(phone.device.name) for f in findings)
        raise DeviceFailure(Cause.COMPATIBILITY, phone.device.name, f"{len(findings)} layout problem(s): {lines}")


def _check(phone: Phone, page: str) -> list[compat.Finding]:
    phone.screen(Screen).wait_page(page)
    with phone.step(f"layout checks on page {page}"):
        found = compat.layout_findings(phone.driver, page)
        for test_id in INPUTS.get(page, []):
            hidden = compat.focus_finding(phone.driver, page, test_id)
            if hidden is not None:
                found.append(hidden)
    return found

"""E-sign per device: read to the end, sign with a finger, double-tap submit, and get paid out once."""

from __future__ import annotations

from loanqa import allure_labels as labels
from loanqa.taxonomy import Cause
from loanqa_devicetests import probe
from loanqa_devicetests import reporting as R
from loanqa_devicetests.flows import to_contract
from loanqa_devicetests.outcomes import DeviceFailure
from loanqa_devicetests.pages.journey import SignPage, StatusPage
from loanqa_devicetests.phone import Phone
from loanqa_devicetests.server import ServerView

pytestmark = [R.epic(labels.EPIC_DEVICES), R.feature(labels.FEATURE_ESIGN)]

PAYOUT_WAIT_S = 60.0


@R.story("Contract read, signature drawn, double tap signs once, loan disbursed")
@R.severity("blocker")
def test_esign_disburses_once(phone: Phone, api_target: str, journey_log: None) -> None:
    dev = phone.device.name
    contract = to_contract(phone)
    with phone.step("agree stays disabled until the contract is scrolled to its end"):
        if contract.agree_enabled():
            raise DeviceFailure(Cause.ESIGN, dev, "contract-agree enabled before the contract was read")
        contract.scroll_to_end()
        contract.agree_and_continue()
    sign = phone.screen(SignPage)
    with phone.step("draw the signature with a finger (W3C touch actions)"):
        sign.draw_signature()
    with phone.step("double-tap submit"):
        probe.install(phone.driver)
        sign.double_tap_submit()
        status = phone.screen(StatusPage)
        _through_retries(phone, lambda: status.visible("page-status"), "status page after signing")
    keys = probe.sign_keys(phone.driver)
    if len(set(keys)) != 1:
        raise DeviceFailure(Cause.ESIGN, dev, f"one double tap sent {len(set(keys))} signing actions "
                                              f"({len(keys)} POST /sign)")
    with phone.step("request payout and wait for disbursed"):
        status.disburse()
        _through_retries(phone, lambda: status.status() == "disbursed", "loan status disbursed", PAYOUT_WAIT_S)
    _server_agrees(phone, api_target)


def _through_retries(phone: Phone, done: object, what: str, timeout_s: float = 40.0) -> None:
    """Waits for `done`; a retry button the app shows (weak network) is tapped, as a borrower would."""
    status = phone.screen(StatusPage)
    assert callable(done)

    def progressed() -> bool:
        if status.visible("retry-button"):
            status.find("retry-button").click()
        return bool(done())

    status.wait_until(progressed, what, timeout_s)


def _server_agrees(phone: Phone, api_target: str) -> None:
    view = ServerView(api_target)
    try:
        loans = view.loans(phone.borrower.phone)
    finally:
        view.close()
    dev = phone.device.name
    if len(loans) != 1:
        raise DeviceFailure(Cause.ESIGN, dev, f"server holds {len(loans)} loans for one application")
    loan = loans[0]
    if loan["status"] != "disbursed" or not loan.get("signature_id"):
        raise DeviceFailure(Cause.ESIGN, dev, f"server says status {loan['status']}, "
                                              f"signature {'present' if loan.get('signature_id') else 'missing'}")
